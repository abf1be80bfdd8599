"""FiltersDisplay: first-layer weights as image tiles, as ConvNetJS draws them."""

import math

import numpy as np

from ._plotting import (
    add_tile,
    check_matplotlib,
    draw_tile,
    final_estimator,
    grid_shape,
    tile_grid,
    to_rgb,
)

__all__ = ["FiltersDisplay"]


def _image_shape(n_features, image_shape):
    """``(C, H, W)`` of one input row: given, or guessed from ``n_features``.

    A perfect square is one grey image (digits 64 -> 8x8, MNIST 784 -> 28x28),
    three times a perfect square an RGB image stored channel first (as
    CIFAR-10's rows); anything else a ``1 x n_features`` strip.
    """
    if image_shape is not None:
        shape = tuple(int(v) for v in image_shape)
        if len(shape) == 2:
            shape = (1, *shape)
        if len(shape) != 3 or math.prod(shape) != n_features:
            raise ValueError(
                f"image_shape={image_shape!r} does not hold the {n_features} "
                "input weights of a unit: give (height, width) or (channels, "
                "height, width) whose product is the number of input features."
            )
        return shape
    side = math.isqrt(n_features)
    if side * side == n_features:
        return (1, side, side)
    side = math.isqrt(n_features // 3)
    if n_features % 3 == 0 and side * side * 3 == n_features:
        return (3, side, side)
    return (1, 1, n_features)


def _first_layer_weights(estimator, image_shape):
    """``(n_units, C, H, W)`` input weights of the first layer, and its name."""
    name = type(estimator).__name__
    if getattr(estimator, "components_", None) is not None:  # RBMs: (units, in)
        weights, what = np.asarray(estimator.components_), "RBM components"
    elif getattr(estimator, "coefs_", None) is not None:  # networks: layer 0
        weights = np.asarray(estimator.coefs_[0])
        if weights.ndim == 4:  # conv kernels (filters, channels, sy, sx)
            if image_shape is not None:
                raise ValueError(f"image_shape is read from {name}'s conv "
                                 "kernels; leave it None.")
            return weights, "conv 1 filters"
        if weights.ndim != 2:
            raise ValueError(f"{name}'s first layer has weights of shape "
                             f"{weights.shape}: not an image filter.")
        weights, what = weights.T, "first-layer weights"  # (units, in)
        if image_shape is None:
            image_shape = getattr(estimator, "input_shape_", None)
    elif getattr(estimator, "coef_", None) is not None:  # linear models
        weights, what = np.atleast_2d(np.asarray(estimator.coef_)), "weights"
    else:
        raise ValueError(
            f"FiltersDisplay cannot find image filters in {name}: it reads "
            "components_ (RBMTransformer), coefs_[0] (MLPNet, MLPNetRegressor, "
            "ConvNetClassifier, ConvNetRegressor, DBNClassifier) or coef_ "
            "(PerceptronClassifier, LinearUnitRegressor)."
        )
    shape = _image_shape(weights.shape[1], image_shape)
    return weights.reshape(len(weights), *shape), what  # (n, C, H, W)


def _tiles(weights):
    """One 2-D tile per filter, or per channel slice when C is neither 1 nor 3.

    ConvNetJS draws a 3-deep filter in colour and every slice of other depths
    in grey; so does this display.
    """
    weights = np.asarray(weights, dtype=np.float64)
    n, channels = weights.shape[:2]
    if channels == 3:
        return np.stack([to_rgb(w) for w in weights])  # (n, H, W, 3)
    return weights.reshape(n * channels, *weights.shape[2:])  # (n*C, H, W)


class FiltersDisplay:
    """First-layer weights as a grid of image tiles, in ConvNetJS's style.

    Each hidden unit (or conv filter, or RBM component) of the first layer sees
    the input through its weights; drawn at the input's shape they show what it
    responds to: strokes and blobs on digits, edges and colours on photos.
    Build the display with :meth:`from_estimator`.

    Parameters
    ----------
    filters : ndarray of shape (n_tiles, height, width) or \
(n_tiles, height, width, 3)
        The tiles: grey-level weights, or RGB images in ``[0, 1]``.
    cmap : str, default="gray"
        Colour map of the grey tiles.
    symmetric : bool, default=False
        Centre each grey tile's colour scale on zero (for a diverging ``cmap``
        such as ``"RdBu_r"``: the sign of each weight shows); otherwise each
        tile is scaled from its minimum to its maximum, as ConvNetJS does.
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
        One image per tile, in the order of ``filters``.
    axes_ : ndarray of matplotlib Axes of shape (n_rows, n_cols)
        The tiles' Axes, row by row; ``None`` in the cells after the last tile.
    bounding_ax_ : matplotlib Axes or None
        The Axes given to :meth:`plot`, whose area the tiles share (switched
        off); None when the display made its own figure.
    figure_ : matplotlib Figure
        The figure holding the tiles (``figure_.axes`` lists them).

    See Also
    --------
    FeatureMapsDisplay : What a convnet's layers make of one input.
    LossCurveDisplay : The training curves.

    Notes
    -----
    For networks the tiles are the columns of ``coefs_[0]`` (one per unit of
    the first hidden layer) or, for a convnet, its first conv layer's kernels
    ``coefs_[0][f]`` of shape ``(channels, sy, sx)``; for an RBM the rows of
    ``components_``; for linear models the rows of ``coef_``. A kernel with 3
    channels is one colour tile (its values min-max scaled to ``[0, 1]``), a
    kernel with another number of channels one grey tile per channel, filter
    after filter.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import RBMTransformer
    >>> from skdeep.inspection import FiltersDisplay
    >>> X, _ = load_digits(return_X_y=True)
    >>> rbm = RBMTransformer(n_components=16, n_iter=5, random_state=0)
    >>> rbm = rbm.fit(X / 16)
    >>> display = FiltersDisplay.from_estimator(rbm)
    >>> display.filters.shape
    (16, 8, 8)
    >>> len(display.images_), display.axes_.shape
    (16, (4, 4))
    """

    def __init__(self, filters, *, cmap="gray", symmetric=False,
                 estimator_name=None):
        self.filters = filters
        self.cmap = cmap
        self.symmetric = symmetric
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, n_cols=None, name=None):
        """Draw the tiles.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            The area to fill with tiles (it is switched off and the tiles are
            drawn in its place); ``None`` makes a new figure.
        n_cols : int, default=None
            Tiles per row; ``None`` makes the grid about square.
        name : str, default=None
            Title; ``None`` uses ``estimator_name``.

        Returns
        -------
        display : FiltersDisplay
            This display, with ``images_``, ``axes_``, ``bounding_ax_`` and
            ``figure_``.
        """
        plt = check_matplotlib("FiltersDisplay")
        filters = np.asarray(self.filters)
        if filters.ndim not in (3, 4) or len(filters) == 0:
            raise ValueError("filters must have shape (n_tiles, height, width) or "
                             f"(n_tiles, height, width, 3); got {filters.shape}.")
        n_rows, n_cols = grid_shape(len(filters), n_cols)
        height, width = filters.shape[1:3]
        # tiles of about 0.6 inch on their longer side
        scale = 0.6 / max(height, width)
        figsize = (max(2.0, n_cols * width * scale + 0.4),
                   max(1.2, n_rows * height * scale + 0.6))
        title = name if name is not None else self.estimator_name
        self.figure_, grid, self.bounding_ax_ = tile_grid(
            plt, ax, n_rows, n_cols, figsize=figsize, title=title)
        self.axes_ = np.full((n_rows, n_cols), None, dtype=object)
        self.images_ = []
        for k, tile in enumerate(filters):
            row, col = divmod(k, n_cols)
            self.axes_[row, col] = add_tile(self.figure_, grid[row, col])
            self.images_.append(draw_tile(self.axes_[row, col], tile, self.cmap,
                                          self.symmetric))
        return self

    @classmethod
    def from_estimator(cls, estimator, *, image_shape=None, max_filters=100,
                       ax=None, n_cols=None, cmap="gray", symmetric=False,
                       name=None):
        """Draw a fitted estimator's first-layer weights.

        Parameters
        ----------
        estimator : estimator or Pipeline
            A fitted :class:`~skdeep.MLPNet`, :class:`~skdeep.MLPNetRegressor`,
            :class:`~skdeep.ConvNetClassifier`, :class:`~skdeep.ConvNetRegressor`,
            :class:`~skdeep.RBMTransformer`, :class:`~skdeep.DBNClassifier`
            (its fine-tuned first layer: pass ``dbn.rbms_[0]`` for the
            pre-trained one), :class:`~skdeep.PerceptronClassifier` or
            :class:`~skdeep.LinearUnitRegressor` (one tile per output), any
            estimator with the same attributes (scikit-learn's MLPs,
            ``BernoulliRBM``, linear models), or a pipeline ending in one.
        image_shape : tuple of int, default=None
            ``(height, width)`` or ``(channels, height, width)`` of one input
            row, for models fitted on flat rows. ``None`` reads a convnet's
            kernels as they are, uses a convnet's ``input_shape_``, and
            otherwise guesses: ``n_features`` a perfect square is a square
            grey image, three times one a square RGB image (channels first),
            anything else a one-row strip.
        max_filters : int or None, default=100
            Draw the first ``max_filters`` filters; ``None`` draws them all.
        ax : matplotlib Axes, default=None
            The area to fill with tiles; ``None`` makes a new figure.
        n_cols : int, default=None
            Tiles per row; ``None`` makes the grid about square.
        cmap : str, default="gray"
            Colour map of the grey tiles.
        symmetric : bool, default=False
            Centre each grey tile's colour scale on zero.
        name : str, default=None
            Title; ``None`` names the estimator and the layer.

        Returns
        -------
        display : FiltersDisplay
            The display, drawn.
        """
        check_matplotlib("FiltersDisplay.from_estimator")
        estimator = final_estimator(estimator)
        weights, what = _first_layer_weights(estimator, image_shape)
        if max_filters is not None:
            if max_filters < 1:
                raise ValueError(f"max_filters must be >= 1 or None; got "
                                 f"{max_filters!r}.")
            weights = weights[:max_filters]
        display = cls(_tiles(weights), cmap=cmap, symmetric=symmetric,
                      estimator_name=f"{type(estimator).__name__}: {what}")
        return display.plot(ax=ax, n_cols=n_cols, name=name)
