"""Sphinx configuration: the skdeep documentation site.

Build it from the repository root with the ``docs`` extra installed::

    pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

It needs no network: no intersphinx inventories are downloaded, and the theme
ships its own assets.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# skdeep from this checkout (the docs describe the code next to them), and the
# gallery's settings module, which sphinx-gallery imports by name
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from gallery_config import FILENAME_PATTERN

import skdeep

# The examples train small networks on small matrices: one BLAS thread is as
# fast, and two threads stall each other on a busy 2-core machine. Set before
# numpy is first imported by the examples (skdeep imported it above, so limit
# the loaded libraries too).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
    pass
else:
    threadpool_limits(limits=1, user_api="blas")

project = "skdeep"
author = "the skdeep developers"
copyright = "the skdeep developers (MIT License)"
version = release = skdeep.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx_gallery.gen_gallery",
]

root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]

# -- MyST (the user guide pages are Markdown) ---------------------------------
myst_heading_anchors = 3  # links such as [x](training.md#ctrl-c)

# -- API reference -------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# numpydoc renders the docstrings; the class template lists the members itself
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skdeep {release}"
html_theme_options = {
    "logo": {"text": "skdeep"},
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = []
html_show_sourcelink = False

# -- sphinx-gallery --------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # the quick examples run at build time; gallery_config.py says why the
    # others do not
    "filename_pattern": FILENAME_PATTERN,
    "ignore_pattern": r"__init__\.py",
    # names, not functions, so that the configuration pickles
    "reset_argv": "gallery_config.reset_argv",
    "within_subsection_order": "gallery_config.ExampleOrder",
    "capture_repr": (),
    "remove_config_comments": True,
    "show_memory": False,
    "doc_module": ("skdeep",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"skdeep": None},
    "download_all_examples": False,
    # its computation-times page loads its table scripts from CDNs: the site
    # stays usable offline without it
    "write_computation_times": False,
}

# -- scikit-learn's inherited docstrings -----------------------------------------
# The estimators inherit methods from scikit-learn (score, set_output,
# set_fit_request, ...) whose docstrings cite scikit-learn's own pages with
# :ref: and :term:. Without intersphinx (the build is offline) those would be
# broken references: link them to scikit-learn's site instead.
SKLEARN_DOCS = "https://scikit-learn.org/stable/"
SKLEARN_PAGES = {
    "metadata_routing": "metadata_routing.html",
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
    "r2_score": "modules/model_evaluation.html#r2-score",
    "df_output_transform": "auto_examples/miscellaneous/plot_set_output.html",
    "sphx_glr_auto_examples_miscellaneous_plot_set_output.py":
        "auto_examples/miscellaneous/plot_set_output.html",
}


def link_sklearn_references(app, env, node, contnode):
    """Resolve a :ref: or :term: of an inherited scikit-learn docstring."""
    from urllib.parse import quote

    from docutils import nodes

    source = node.source or ""  # ".../_mlp.py:docstring of sklearn.base...."
    if "docstring of sklearn." not in source or node.get("refdomain") != "std":
        return None
    target = node["reftarget"]
    if node["reftype"] == "term":
        uri = SKLEARN_DOCS + "glossary.html#term-" + quote(
            target.lower().replace(" ", "-"))
    elif node["reftype"] == "ref":
        uri = SKLEARN_DOCS + SKLEARN_PAGES.get(
            target, f"search.html?q={quote(target)}")
    else:
        return None
    reference = nodes.reference("", "", internal=False, refuri=uri)
    reference += contnode
    return reference


def setup(app):
    app.connect("missing-reference", link_sklearn_references)
