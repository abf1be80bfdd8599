"""What the displays share: the lazy matplotlib import and grids of image tiles.

matplotlib is an optional extra (``pip install skdeep[plot]``): it is imported
inside these functions, never when :mod:`skdeep` or :mod:`skdeep.inspection` is
imported.
"""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = []


def check_matplotlib(caller):
    """Return ``matplotlib.pyplot``, or raise an ImportError naming ``caller``."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"{caller} needs matplotlib: install it with `pip install matplotlib` "
            "(or `pip install skdeep[plot]`)."
        ) from error
    return plt


def final_estimator(estimator):
    """The fitted model whose attributes a display reads (a pipeline's last step)."""
    if isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    check_is_fitted(estimator)
    return estimator


def tile_grid(plt, ax, n_rows, n_cols, *, figsize, title=None, left=0.02,
              wspace=0.1, hspace=0.15):
    """A grid of subplot cells for tiles: ``(figure, gridspec, bounding_ax)``.

    With ``ax=None`` the grid fills a new figure (the title is its suptitle)
    and ``bounding_ax`` is None. With an Axes, the grid fills that Axes' area,
    as scikit-learn's ``PartialDependenceDisplay`` does: the Axes is switched
    off, keeps the title, and is returned as ``bounding_ax``. The tiles are
    ordinary Axes of the figure (``figure.axes`` lists them).
    """
    if ax is None:
        fig = plt.figure(figsize=figsize)
        top = 1.0 - 0.4 / figsize[1] if title else 0.98
        grid = fig.add_gridspec(n_rows, n_cols, left=left, right=0.98,
                                bottom=0.02, top=top, wspace=wspace,
                                hspace=hspace)
        if title:
            fig.suptitle(title, fontsize=9)
        return fig, grid, None
    fig = ax.figure
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    spec = ax.get_subplotspec()
    if spec is not None:
        grid = spec.subgridspec(n_rows, n_cols, wspace=wspace, hspace=hspace)
    else:  # an Axes placed with add_axes: a grid over its rectangle
        box = ax.get_position()
        grid = fig.add_gridspec(n_rows, n_cols, left=box.x0, right=box.x1,
                                bottom=box.y0, top=box.y1, wspace=wspace,
                                hspace=hspace)
    return fig, grid, ax


def add_tile(fig, cell):
    """A tick-less Axes in one cell (or span) of a :func:`tile_grid`."""
    tile = fig.add_subplot(cell)
    tile.set_xticks([])
    tile.set_yticks([])
    return tile


def tile_range(tile, symmetric):
    """``vmin, vmax`` for an array: centred on 0 for weights, min-max otherwise.

    ConvNetJS scales every filter by its own extremes, and every layer's
    activation maps by the extremes of the whole layer.
    """
    if symmetric:
        limit = float(np.max(np.abs(tile))) or 1.0
        return -limit, limit
    low, high = float(np.min(tile)), float(np.max(tile))
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def to_rgb(tile):
    """A ``(3, H, W)`` tile as an ``(H, W, 3)`` image in ``[0, 1]`` (min-max)."""
    tile = np.moveaxis(np.asarray(tile, dtype=np.float64), 0, -1)  # (H, W, 3)
    low, high = tile.min(), tile.max()
    return (tile - low) / (high - low) if high > low else np.full_like(tile, 0.5)


def draw_tile(ax, tile, cmap, symmetric, scale=None):
    """``imshow`` one tile, ``(H, W)`` or ``(H, W, 3)``; return the image.

    ``scale`` is ``(vmin, vmax)``; None scales the tile by its own values.
    """
    if tile.ndim == 3:  # RGB: colours are the data, no colour map
        return ax.imshow(tile, interpolation="nearest")
    vmin, vmax = scale if scale is not None else tile_range(tile, symmetric)
    return ax.imshow(tile, cmap=cmap, vmin=vmin, vmax=vmax,
                     interpolation="nearest")


def grid_shape(n_tiles, n_cols=None):
    """Rows and columns for ``n_tiles`` tiles: about square unless ``n_cols``."""
    if n_cols is None:
        n_cols = int(np.ceil(np.sqrt(n_tiles)))
    n_cols = max(1, min(int(n_cols), n_tiles))
    return int(np.ceil(n_tiles / n_cols)), n_cols
