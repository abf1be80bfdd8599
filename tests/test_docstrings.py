"""numpydoc's validation of every public class, function and method docstring.

The public API is what the API reference documents: ``skdeep``'s estimators,
``skdeep.inspection``, ``skdeep.datasets``, ``skdeep.rl`` and the engine
``skdeep.nn`` (with its ``functional``, ``init`` and ``gradcheck`` modules).
Methods count when
skdeep defines them; methods inherited from scikit-learn are scikit-learn's to
validate. The ignored checks are scikit-learn's own choices
(``sklearn/tests/test_docstrings.py``). Runs where numpydoc is installed (the
``test`` and ``docs`` extras).
"""

import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import skdeep
import skdeep.datasets
import skdeep.inspection
import skdeep.nn
import skdeep.rl

#: Never checked, as in scikit-learn: GL01/GL02 where the summary and the
#: closing quotes sit; RT02 because a Returns entry names what it returns.
IGNORED = {"GL01", "GL02", "RT02"}
#: Checked on classes and functions only (a method's class gives the context).
CLASS_AND_FUNCTION_ONLY = {"ES01", "SA01", "EX01"}
MODULES = [skdeep, skdeep.inspection, skdeep.datasets, skdeep.rl, skdeep.nn,
           skdeep.nn.functional, skdeep.nn.init, skdeep.nn.gradcheck]


def _owner(cls, name):
    """The class of ``cls.__mro__`` whose namespace defines ``name``."""
    return next(klass for klass in cls.__mro__ if name in vars(klass))


def public_objects():
    """``(qualified name, kind)`` of every documented object: class, function,
    method."""
    found = {}
    for module in MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # modules, registries, the version string
            qualified = f"{module.__name__}.{name}"
            found.setdefault(id(obj), (qualified, "class" if inspect.isclass(obj)
                                       else "function"))
            if not inspect.isclass(obj):
                continue
            for member in dir(obj):
                if member.startswith("_"):
                    continue
                owner = _owner(obj, member)
                raw = vars(owner)[member]
                if not owner.__module__.startswith("skdeep"):
                    continue  # scikit-learn's methods: scikit-learn's docstrings
                if isinstance(raw, (staticmethod, classmethod)):
                    raw = raw.__func__
                if not (inspect.isfunction(raw) or isinstance(raw, property)):
                    continue
                if not raw.__doc__ and inspect.getdoc(getattr(obj, member, None)):
                    continue  # an override that inherits its base's docstring
                found.setdefault((qualified, member),
                                 (f"{qualified}.{member}", "method"))
    return sorted(found.values())


PUBLIC = public_objects()


def test_the_public_api_is_all_here():
    names = {name for name, _ in PUBLIC}
    assert "skdeep.MLPNet" in names and "skdeep.MLPNet.predict_proba" in names
    assert "skdeep.inspection.LossCurveDisplay.from_estimator" in names
    assert "skdeep.nn.functional.softmax" in names
    assert len(names) > 150


@pytest.mark.parametrize("name, kind", PUBLIC, ids=[name for name, _ in PUBLIC])
def test_docstring(name, kind):
    result = numpydoc_validate.validate(name)
    errors = [
        f"{code}: {message}" for code, message in result["errors"]
        if code not in IGNORED
        and not (kind == "method" and code in CLASS_AND_FUNCTION_ONLY)
    ]
    assert not errors, f"{name}:\n" + "\n".join(errors)


def _documented_defaults(cls):
    """``{parameter: default text}`` from the class docstring's Parameters."""
    from numpydoc.docscrape import ClassDoc

    found = {}
    for param in ClassDoc(cls)["Parameters"]:
        if "default=" not in param.type:
            continue
        names = [n.strip() for n in param.name.split(",")]
        text = param.type.split("default=", 1)[1].strip()
        values = [v.strip() for v in text.split(",")] if len(names) > 1 else [text]
        if len(values) == len(names):
            found.update(zip(names, values))
    return found


@pytest.mark.parametrize("cls", [
    getattr(module, name) for module in (skdeep, skdeep.inspection)
    for name in module.__all__ if inspect.isclass(getattr(module, name))
], ids=lambda cls: cls.__name__)
def test_documented_defaults_are_the_signature_defaults(cls):
    import ast

    signature = inspect.signature(cls)
    documented = _documented_defaults(cls)
    assert documented, f"{cls.__name__} documents no defaults"
    for name, text in documented.items():
        assert name in signature.parameters, f"{cls.__name__}: unknown {name!r}"
        actual = signature.parameters[name].default
        try:
            expected = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            expected = text  # a name such as np.float32: compared as text
            actual = str(actual)
        assert expected == actual, (
            f"{cls.__name__}({name}=...): the docstring says {text}, the "
            f"signature {actual!r}")
