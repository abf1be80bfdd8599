"""FeatureMapsDisplay: every layer's activations for one input (ConvNetJS)."""

import numpy as np

from ._plotting import (
    add_tile,
    check_matplotlib,
    draw_tile,
    final_estimator,
    tile_grid,
    tile_range,
    to_rgb,
)

__all__ = ["FeatureMapsDisplay"]


def _layer_name(spec):
    """A short row label for one of ``layers_``' dicts."""
    kind = spec.get("type", "?")
    # ConvNetJS's sy defaults to sx, and layers_ may keep it as None
    size = f"{spec.get('sy') or spec.get('sx')}x{spec.get('sx')}"
    if kind == "conv":
        text = f"conv {size}\n{spec['filters']} filters"
    elif kind == "pool":
        text = f"{spec.get('mode', 'max')} pool {size}"
    elif kind == "fc":
        text = f"fc {spec['num_neurons']}"
    elif kind == "softmax":
        text = f"softmax {spec['num_classes']}"
    else:
        text = kind
    activation = spec.get("activation")
    return f"{text}\n{activation}" if activation else text


def _as_tiles(activation):
    """One layer's activations as tiles: ``C`` maps, or one ``(1, units)`` strip."""
    activation = np.asarray(activation, dtype=np.float64)
    if activation.ndim == 1:
        return activation[None, None, :]  # (1, 1, units): one strip
    return activation  # (C, H, W)


def _is_strip(tiles):
    return len(tiles) == 1 and tiles[0].ndim == 2 and tiles[0].shape[0] == 1


class FeatureMapsDisplay:
    """A convnet's activations, layer by layer, for one input image.

    ConvNetJS's demos show, for every layer, what it makes of the current
    image: one small image per channel (feature map) after conv and pool
    layers, one strip of unit activations after fully connected layers and
    the class probabilities at the end. Build the display with
    :meth:`from_estimator`.

    Parameters
    ----------
    image : ndarray of shape (channels, height, width)
        The input.
    maps : list of ndarray
        Each layer's activations: ``(channels, height, width)`` after conv and
        pool layers, ``(units,)`` after fully connected ones.
    layer_names : list of str
        Row labels, one per entry of ``maps``.
    max_maps : int, default=16
        Draw at most this many maps per layer.
    cmap : str, default="viridis"
        Colour map of the maps. The maps of one layer share one scale, from
        the layer's smallest to its largest activation, as in ConvNetJS: a
        bright map is a strongly active channel.
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    images_ : list of list of matplotlib AxesImage
        ``images_[0]`` holds the input's image(s), ``images_[i + 1]`` those of
        ``maps[i]``: one per drawn channel, one strip for a vector.
    axes_ : list of list of matplotlib Axes
        The Axes of ``images_``, row by row.
    bounding_ax_ : matplotlib Axes or None
        The Axes given to :meth:`plot`, whose area the rows share (switched
        off); None when the display made its own figure.
    figure_ : matplotlib Figure
        The figure holding the rows (``figure_.axes`` lists every tile).

    See Also
    --------
    FiltersDisplay : The first layer's weights.
    LossCurveDisplay : The training curves.
    skdeep.ConvNetClassifier.feature_maps : The activations this display draws.

    Notes
    -----
    A strip (a vector of units) spans its whole row. An input with 3 channels
    is drawn in colour, any other input one channel per tile.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import ConvNetClassifier
    >>> from skdeep.inspection import FeatureMapsDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> net = ConvNetClassifier(
    ...     [{"type": "conv", "sx": 3, "filters": 4, "pad": 1, "activation": "relu"},
    ...      {"type": "pool", "sx": 2}], max_iter=3, random_state=0)
    >>> net = net.fit(X[:200] / 16, y[:200])
    >>> display = FeatureMapsDisplay.from_estimator(net, X[0] / 16)
    >>> [m.shape for m in display.maps]
    [(4, 8, 8), (4, 4, 4), (10,)]
    >>> [len(row) for row in display.images_]
    [1, 4, 4, 1]
    """

    def __init__(self, image, maps, layer_names, *, max_maps=16, cmap="viridis",
                 estimator_name=None):
        self.image = image
        self.maps = maps
        self.layer_names = layer_names
        self.max_maps = max_maps
        self.cmap = cmap
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, name=None):
        """Draw the input and the activations, one row per layer.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            The area to fill (it is switched off and the rows are drawn in its
            place); ``None`` makes a new figure.
        name : str, default=None
            Title; ``None`` uses ``estimator_name``.

        Returns
        -------
        display : FeatureMapsDisplay
            This display, with ``images_``, ``axes_``, ``bounding_ax_`` and
            ``figure_``.
        """
        plt = check_matplotlib("FeatureMapsDisplay")
        if len(self.maps) != len(self.layer_names):
            raise ValueError(f"{len(self.maps)} maps but {len(self.layer_names)} "
                             "layer names.")
        image = np.asarray(self.image, dtype=np.float64)
        input_tiles = [to_rgb(image)] if len(image) == 3 else list(
            image[: self.max_maps])
        rows = [input_tiles] + [list(_as_tiles(m)[: self.max_maps])
                                for m in self.maps]
        # every value of a layer, drawn or not, sets the layer's colour scale
        layer_values = [image] + list(self.maps)
        n_cols = max(len(row) for row in rows)
        title = name if name is not None else self.estimator_name
        figsize = (1.4 + 0.7 * n_cols, 0.4 + 0.75 * len(rows))
        self.figure_, grid, self.bounding_ax_ = tile_grid(
            plt, ax, len(rows), n_cols, figsize=figsize, title=title,
            left=min(0.3, 1.1 / figsize[0]), wspace=0.15, hspace=0.25)
        labels = ["input"] + list(self.layer_names)
        self.axes_, self.images_ = [], []
        for r, (tiles, label) in enumerate(zip(rows, labels)):
            if _is_strip(tiles):  # a vector of units spans the whole row
                row_axes = [add_tile(self.figure_, grid[r, :])]
            else:
                row_axes = [add_tile(self.figure_, grid[r, c])
                            for c in range(len(tiles))]
            scale = tile_range(np.asarray(layer_values[r]), False)
            row_images = [draw_tile(tile_ax, tile, self.cmap, False, scale)
                          for tile_ax, tile in zip(row_axes, tiles)]
            if _is_strip(tiles):
                row_axes[0].set_aspect("auto")
            row_axes[0].set_ylabel(label, rotation=0, ha="right", va="center",
                                   fontsize=7)
            self.axes_.append(row_axes)
            self.images_.append(row_images)
        return self

    @classmethod
    def from_estimator(cls, estimator, x, *, max_maps=16, ax=None, cmap="viridis",
                       name=None):
        """Draw every layer's activations of a fitted convnet for one input.

        Parameters
        ----------
        estimator : ConvNetClassifier or ConvNetRegressor, or Pipeline
            A fitted convnet (or a pipeline ending in one: ``x`` then goes in
            as the convnet receives it).
        x : array-like
            One input: an image ``(C, H, W)`` or ``(H, W)``, a flat row, or a
            batch of one in any form the convnet accepts.
        max_maps : int, default=16
            Draw at most this many maps (channels) per layer.
        ax : matplotlib Axes, default=None
            The area to fill; ``None`` makes a new figure.
        cmap : str, default="viridis"
            Colour map of the maps.
        name : str, default=None
            Title; ``None`` names the estimator and its prediction.

        Returns
        -------
        display : FeatureMapsDisplay
            The display, drawn.
        """
        check_matplotlib("FeatureMapsDisplay.from_estimator")
        estimator = final_estimator(estimator)
        if not hasattr(estimator, "feature_maps"):
            raise ValueError(
                f"FeatureMapsDisplay needs a convnet (ConvNetClassifier or "
                f"ConvNetRegressor); got {type(estimator).__name__}.")
        if max_maps < 1:
            raise ValueError(f"max_maps must be >= 1; got {max_maps!r}.")
        batch = _one_input(x, estimator.input_shape_)
        maps = [estimator.feature_maps(batch, i)[0]
                for i in range(len(estimator.layers_))]
        title = type(estimator).__name__
        if hasattr(estimator, "classes_"):
            title += f": predicts {estimator.predict(batch)[0]}"
        display = cls(batch[0], maps, [_layer_name(s) for s in estimator.layers_],
                      max_maps=max_maps, cmap=cmap, estimator_name=title)
        return display.plot(ax=ax, name=name)


def _one_input(x, input_shape):
    """``x`` as a batch of one image ``(1, C, H, W)`` of the fitted shape."""
    x = np.asarray(x)
    size = int(np.prod(input_shape))
    if x.size != size:
        raise ValueError(
            f"x must be one input of {size} values (the network was fitted on "
            f"images of shape {input_shape}); got an array of shape {x.shape}.")
    return x.reshape(1, *input_shape)
