"""The layer contract and :class:`Sequential`.

Every layer is built with all the sizes it needs, owns ``params`` and ``grads``
(dicts of arrays with the same keys), and implements::

    forward(x, *, training) -> y      # caches what backward needs when training
    backward(grad_output) -> grad_x   # assigns (never accumulates) self.grads

Gradients are sums over the batch; losses divide by the batch size once.
"""

import contextlib
import math
import os
import threading

import numpy as np

__all__ = ["Layer", "NetworkTooLargeError", "Sequential", "check_parameter_memory",
           "parameter_budget"]

#: Per thread, the bytes of the layers built so far in a ``parameter_budget``.
_budget = threading.local()


class NetworkTooLargeError(ValueError):
    """A layer's parameters would not fit in this machine's memory.

    Raised by the layer constructors before they allocate anything.

    See Also
    --------
    check_parameter_memory : The check that raises it.
    parameter_budget : Counts a whole network's layers together.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Dense, NetworkTooLargeError
    >>> try:
    ...     Dense(10**6, 10**9, rng=np.random.default_rng(0))
    ... except NetworkTooLargeError as error:
    ...     print(str(error)[:48])
    Dense(1000000, 1000000000) has 1,000,001,000,000
    """


def _physical_memory():
    """Bytes of RAM, or ``None`` where the platform does not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # not POSIX
        return None


def _size_text(n_bytes):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n_bytes < 1024 or unit == "PiB":
            return f"{n_bytes:.3g} {unit}"
        n_bytes /= 1024
    return None


@contextlib.contextmanager
def parameter_budget():
    """Count the layers built inside the block together.

    A network is then refused at the first layer that takes the total beyond
    the machine's memory, before that layer is allocated (each layer runs
    :func:`check_parameter_memory`); outside the block every layer counts alone.

    Yields
    ------
    None
        The block runs with the budget in place.

    See Also
    --------
    check_parameter_memory : The check each layer runs.
    NetworkTooLargeError : The error of a network that does not fit.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Dense, parameter_budget
    >>> with parameter_budget():
    ...     layers = [Dense(64, 32, rng=np.random.default_rng(0)) for _ in range(3)]
    >>> len(layers)
    3
    """
    previous = getattr(_budget, "used", None)
    _budget.used = 0
    try:
        yield
    finally:
        _budget.used = previous


def check_parameter_memory(what, shapes, dtype):
    """Refuse, before allocating, parameters that cannot fit in memory.

    A layer holds its parameters and their gradients (training adds the
    optimizer's state); if those two alone exceed the machine's RAM, numpy
    would only fail after trying, with a bare ``MemoryError``. Inside
    :func:`parameter_budget` the layers built before count too.

    Parameters
    ----------
    what : str
        The layer, for the message (``"Dense(784, 1000000000)"``).
    shapes : list of tuple of int
        Shapes of its parameter arrays.
    dtype : dtype
        Their dtype.

    Raises
    ------
    NetworkTooLargeError
        With the sizes involved.

    See Also
    --------
    parameter_budget : Counts a whole network's layers together.
    NetworkTooLargeError : The error raised.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import check_parameter_memory
    >>> check_parameter_memory("Dense(784, 100)", [(784, 100), (100,)], np.float32)
    """
    n_values = sum(math.prod(int(v) for v in shape) for shape in shapes)
    needed = 2 * n_values * np.dtype(dtype).itemsize
    before = getattr(_budget, "used", None)
    available = _physical_memory()
    if available is not None and needed + (before or 0) > available:
        after = (f" after {_size_text(before)} for the layers before it"
                 if before else "")
        raise NetworkTooLargeError(
            f"{what} has {n_values:,} parameters: {_size_text(needed)} with their "
            f"gradients in {np.dtype(dtype).name}{after}, more than this "
            f"machine's {_size_text(available)} of memory."
        )
    if before is not None:
        _budget.used = before + needed


class Layer:
    """Base class of every engine layer.

    Subclasses set ``self.params`` and ``self.grads`` in ``__init__`` and implement
    :meth:`forward` and :meth:`backward`. A layer never writes into its input.

    Attributes
    ----------
    params : dict of str -> ndarray
        Trainable arrays, updated in place by the optimizers.
    grads : dict of str -> ndarray
        Gradients of the loss for each entry of ``params``, set by :meth:`backward`.

    See Also
    --------
    Sequential : A chain of layers.
    skdeep.nn.gradcheck.check_layer_gradients : Checks a new layer's backward.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Layer
    >>> from skdeep.nn.gradcheck import check_layer_gradients
    >>> class Scale(Layer):  # multiply by one learned number
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.params = {"a": np.ones(1)}
    ...         self.grads = {"a": np.zeros(1)}
    ...     def forward(self, x, *, training):
    ...         if training:
    ...             self._cache = x
    ...         return x * self.params["a"]
    ...     def backward(self, grad_output):
    ...         self.grads["a"][:] = np.sum(grad_output * self._cache)
    ...         return grad_output * self.params["a"]
    >>> rng = np.random.default_rng(0)
    >>> errors = check_layer_gradients(Scale(), np.ones((2, 3)), rng)
    >>> sorted(errors)
    ['a', 'x']
    """

    def __init__(self):
        self.params = {}
        self.grads = {}
        self._cache = None

    def forward(self, x, *, training):
        """Compute the layer output.

        Parameters
        ----------
        x : ndarray
            Input batch.
        training : bool
            Whether to cache what :meth:`backward` needs (and apply train-time
            behaviour such as dropout).

        Returns
        -------
        ndarray
            Output batch.
        """
        raise NotImplementedError

    def backward(self, grad_output):
        """Back-propagate ``grad_output`` through the last training forward pass.

        Parameters
        ----------
        grad_output : ndarray
            Gradient of the loss with respect to the layer's output.

        Returns
        -------
        ndarray
            Gradient of the loss with respect to the layer's input.
        """
        raise NotImplementedError

    def clear_cache(self):
        """Drop the arrays kept for backward, so that pickles stay small."""
        self._cache = None

    def __repr__(self):
        return f"{type(self).__name__}()"


class Sequential(Layer):
    """A chain of layers applied one after the other.

    Its ``forward`` runs the layers in order and its ``backward`` in reverse;
    :meth:`parameters` lists the trainable arrays for an optimizer.

    Parameters
    ----------
    layers : list of Layer
        Layers in forward order.

    See Also
    --------
    Layer : The contract every layer keeps.
    SGD : An optimizer that updates the listed arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Dense, Activation, Sequential
    >>> rng = np.random.default_rng(0)
    >>> net = Sequential([Dense(3, 4, rng=rng), Activation("relu"), Dense(4, 2, rng=rng)])
    >>> net.forward(np.ones((5, 3), dtype=np.float32), training=False).shape
    (5, 2)
    """

    def __init__(self, layers):
        super().__init__()
        self.layers = list(layers)

    def forward(self, x, *, training):
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, grad_output):
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output)
        return grad_output

    def parameters(self):
        """List the ``(params, grads)`` dict pairs of every layer with parameters.

        Returns
        -------
        list of tuple of dict
            One ``(layer.params, layer.grads)`` pair per trainable layer.
        """
        return [(layer.params, layer.grads) for layer in self.layers if layer.params]

    def param_arrays(self):
        """All trainable arrays in a fixed order (layer order, then sorted keys).

        Returns
        -------
        list of ndarray
            The live parameter arrays (not copies).
        """
        return [p[k] for p, _ in self.parameters() for k in sorted(p)]

    def grad_arrays(self):
        """Return the gradients matching :meth:`param_arrays`.

        Returns
        -------
        list of ndarray
            The live gradient arrays.
        """
        return [g[k] for p, g in self.parameters() for k in sorted(p)]

    def clear_cache(self):
        for layer in self.layers:
            layer.clear_cache()

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}])"


