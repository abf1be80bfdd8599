"""Which examples the docs' gallery runs, and with which arguments.

sphinx-gallery runs an example in the Sphinx process, with ``sys.argv[1:]``
from :func:`reset_argv`. Each example says so in its last text block
(``tests/test_docs.py`` checks that the two agree), so a reader knows which
budget produced the output on its page. Examples mapped to None are shown with
their code and the results recorded in their text, and are not run: they need
a data set that does not ship with the package, or minutes of training.
"""

import re
import shlex

#: example file -> arguments the gallery runs it with, or None: not run.
EXAMPLES = {
    "perceptron_and_or.py": [],
    "linear_unit_salary.py": [],
    "dnnjs_logistic_and_mlp.py": [],
    "keras_mlp_mnist.py": [],
    "convnetjs_mnist.py": [],
    "plot_trainer_comparison.py": [],
    "lenet5_mnist.py": [],
    "plot_feature_maps.py": [],
    "mnist1d_cnn.py": ["--epochs", "20", "--seeds", "0"],
    "plot_first_layer_filters.py": [],
    "mnist_autoencoder.py": [],
    "rbm_digits_features.py": [],
    "dnnjs_rbm_dbn.py": ["--fast"],
    "dbn_mnist.py": [],
    "sequence_forecast.py": [],
    "mnist1d_gru.py": None,  # a bidirectional GRU for 40 epochs: minutes
    "sst_recursive.py": [],
    # the defaults are the Tiny Shakespeare recipe (28 minutes): the docs train
    # the old small model for three epochs on the embedded text
    "char_rnn_shakespeare.py": ["--prompt", "The ", "--epochs", "3", "--hidden-size",
                                "256", "--dropout", "0", "--learning-rate", "2e-3"],
    "ptb_word_lm.py": None,  # needs the Penn Treebank files, and an hour
    "cartpole_dqn.py": None,  # training until solved: seconds to minutes a seed
    # dask and dask-ml are the distributed extra, not the docs one; and it
    # measures the process's own peak memory, which a Sphinx build is not
    "stream_larger_than_memory.py": None,
}

#: sphinx-gallery's ``filename_pattern``: the examples it runs.
FILENAME_PATTERN = "/(" + "|".join(
    re.escape(name) for name, argv in EXAMPLES.items() if argv is not None) + ")$"


class ExampleOrder:
    """sphinx-gallery's ``within_subsection_order``: the order of :data:`EXAMPLES`
    (from the perceptron to the language models, as the seeds teach them)."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        names = list(EXAMPLES)
        return names.index(filename) if filename in names else len(names)


def command(name):
    """The shell command whose output a gallery page shows."""
    argv = EXAMPLES[name]
    return shlex.join(["python", f"examples/{name}", *(argv or [])])


def reset_argv(gallery_conf, script_vars):
    """``sys.argv[1:]`` for one example (sphinx-gallery's ``reset_argv``)."""
    name = script_vars["src_file"].replace("\\", "/").rsplit("/", 1)[-1]
    return list(EXAMPLES.get(name) or [])
