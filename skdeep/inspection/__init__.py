"""Plots of fitted models: learning curves, filters and feature maps.

scikit-learn's ``*Display`` convention: ``Display.from_estimator(estimator)``
draws a fitted model, ``display.plot(ax=...)`` draws again where you say, and
the drawn matplotlib objects stay on the display (``ax_``, ``figure_``,
``line_``, ``images_``) for you to style.

matplotlib is needed only when drawing (``pip install skdeep[plot]``): it is
imported inside the plotting methods, so importing this module does not need
it.
"""

from ._feature_maps import FeatureMapsDisplay
from ._filters import FiltersDisplay
from ._loss_curve import LossCurveDisplay

__all__ = ["FeatureMapsDisplay", "FiltersDisplay", "LossCurveDisplay"]
