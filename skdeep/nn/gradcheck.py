"""Numerical gradient checks (central differences in float64), as in seed 004.

Public so that any new layer can be checked the same way the test-suite checks
every layer, loss and cell of the engine.
"""

import copy

import numpy as np

__all__ = ["numerical_gradient", "check_layer_gradients", "check_loss_gradients"]


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    ``x`` is perturbed in place one entry at a time and restored afterwards.

    Parameters
    ----------
    f : callable
        ``f() -> float``, reading ``x`` (and whatever else it closes over).
    x : ndarray of float64
        The point; perturbed and restored.
    eps : float, default=1e-6
        Step.

    Returns
    -------
    ndarray
        ``df/dx`` with the shape of ``x``.

    See Also
    --------
    check_layer_gradients : Uses it on a layer's input and parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.gradcheck import numerical_gradient
    >>> x = np.array([1.0, -2.0])
    >>> numerical_gradient(lambda: float(np.sum(x ** 2)), x).round(6).tolist()
    [2.0, -4.0]
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat = x.reshape(-1)  # a view: perturbing it perturbs x
    gflat = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


def _to_float64(layer):
    """Deep copy of ``layer`` with every parameter array in float64."""
    layer = copy.deepcopy(layer)
    stack = [layer]
    while stack:
        obj = stack.pop()
        for name in ("params", "grads"):
            d = getattr(obj, name, None)
            if isinstance(d, dict):
                for k in d:
                    d[k] = np.asarray(d[k], dtype=np.float64)
        stack.extend(getattr(obj, "layers", []))
        inner = getattr(obj, "cell", None)
        if inner is not None:
            stack.append(inner)
    return layer


def _rng_states(layer):
    """Random generators a layer (or its sub-layers) draws from during forward."""
    found = []
    stack = [layer]
    while stack:
        obj = stack.pop()
        rng = getattr(obj, "rng", None)
        if isinstance(rng, np.random.Generator):
            found.append((rng, copy.deepcopy(rng.bit_generator.state)))
        stack.extend(getattr(obj, "layers", []))
    return found


def check_layer_gradients(layer, x, rng, *, eps=1e-6, rtol=1e-4, atol=1e-6):
    """Compare a layer's analytic gradients with central differences.

    The layer is copied to float64. The scalar checked is ``Σ forward(x) ⊙ G`` for a
    fixed random ``G``, so every output contributes. Layers that draw random numbers
    in ``forward`` (dropout) have their generators rewound before every pass, so
    all passes see the same mask.

    Parameters
    ----------
    layer : Layer
        The layer to check (left unchanged).
    x : ndarray
        Input batch; converted to float64. Integer inputs (embeddings) are not
        differentiated.
    rng : numpy.random.Generator
        Source of ``G``.
    eps : float, default=1e-6
        Finite-difference step.
    rtol, atol : float
        Tolerances of the comparison.

    Returns
    -------
    dict of str -> float
        Largest absolute error per checked array (``'x'`` and each parameter).

    Raises
    ------
    AssertionError
        If any analytic gradient differs from the numerical one.

    See Also
    --------
    check_loss_gradients : The same for a loss.
    numerical_gradient : The central differences.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Dense
    >>> from skdeep.nn.gradcheck import check_layer_gradients
    >>> rng = np.random.default_rng(0)
    >>> layer, x = Dense(3, 2, rng=rng), rng.normal(size=(4, 3))
    >>> errors = check_layer_gradients(layer, x, rng)
    >>> sorted(errors), max(errors.values()) < 1e-6
    (['W', 'b', 'x'], True)
    """
    layer = _to_float64(layer)
    differentiable_x = np.issubdtype(np.asarray(x).dtype, np.floating)
    x = np.array(x, dtype=np.float64 if differentiable_x else np.asarray(x).dtype)
    states = _rng_states(layer)

    def rewind():
        for gen, state in states:
            gen.bit_generator.state = copy.deepcopy(state)

    rewind()
    out = layer.forward(x, training=True)
    G = rng.standard_normal(out.shape)

    def f():
        rewind()
        return float(np.sum(layer.forward(x, training=True) * G))

    rewind()
    layer.forward(x, training=True)
    dx = layer.backward(G.copy())
    analytic = {k: np.array(v, copy=True) for k, v in _all_grads(layer).items()}
    if differentiable_x:
        analytic["x"] = np.array(dx, copy=True)

    errors = {}
    for name, arr in _all_params(layer).items():
        num = numerical_gradient(f, arr, eps)
        errors[name] = _compare(name, analytic[name], num, rtol, atol)
    if differentiable_x:
        num = numerical_gradient(f, x, eps)
        errors["x"] = _compare("x", analytic["x"], num, rtol, atol)
    return errors


def check_loss_gradients(loss, z, y, *, sample_weight=None, eps=1e-6, rtol=1e-4,
                         atol=1e-7):
    """Compare a loss's analytic gradient with respect to the logits numerically.

    The gradient of the mean loss with respect to the logits, as the loss
    returns it, against central differences in float64.

    Parameters
    ----------
    loss : skdeep.nn.losses.Loss
        The loss.
    z : ndarray
        Logits (converted to float64).
    y : ndarray
        Targets.
    sample_weight : ndarray or None, default=None
        Row weights passed to the loss.
    eps, rtol, atol : float
        Step and tolerances.

    Returns
    -------
    float
        Largest absolute error.

    See Also
    --------
    check_layer_gradients : The same for a layer.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import SoftmaxCrossEntropy
    >>> from skdeep.nn.gradcheck import check_loss_gradients
    >>> rng = np.random.default_rng(0)
    >>> z, y = rng.normal(size=(5, 3)), np.eye(3)[[0, 1, 2, 0, 1]]
    >>> check_loss_gradients(SoftmaxCrossEntropy(), z, y) < 1e-7
    True
    """
    z = np.array(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    _, grad = loss.loss(z, y, sample_weight)
    num = numerical_gradient(lambda: loss.loss(z, y, sample_weight)[0], z, eps)
    return _compare("z", grad, num, rtol, atol)


def _all_params(layer, prefix=""):
    out = {f"{prefix}{k}": v for k, v in getattr(layer, "params", {}).items()}
    for i, sub in enumerate(getattr(layer, "layers", [])):
        out.update(_all_params(sub, f"{prefix}{i}."))
    return out


def _all_grads(layer, prefix=""):
    out = {f"{prefix}{k}": v for k, v in getattr(layer, "grads", {}).items()}
    for i, sub in enumerate(getattr(layer, "layers", [])):
        out.update(_all_grads(sub, f"{prefix}{i}."))
    return out


def _compare(name, analytic, numerical, rtol, atol):
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != numerical.shape:
        raise AssertionError(
            f"gradient of {name!r} has shape {analytic.shape}, expected {numerical.shape}"
        )
    err = np.abs(analytic - numerical)
    if not np.all(err <= atol + rtol * np.abs(numerical)):
        raise AssertionError(
            f"gradient of {name!r} is wrong: max abs error {err.max():.3g} "
            f"(analytic {analytic.ravel()[:4]}, numerical {numerical.ravel()[:4]})"
        )
    return float(err.max()) if err.size else 0.0
