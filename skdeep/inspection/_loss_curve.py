"""LossCurveDisplay: the training loss per epoch, with the validation curves."""

import numpy as np

from ._plotting import check_matplotlib, final_estimator

__all__ = ["LossCurveDisplay"]


def _recorded_loss(estimator):
    """``(loss per epoch, what it measures, x-axis label)`` of a fitted model.

    ``loss_curve_`` where the estimator exposes it (scikit-learn's MLP name);
    otherwise the record every skdeep fit keeps in its training state: the
    perceptron's fraction of mistakes, the RBM's monitor, an L-BFGS fit's loss
    per iteration.
    """
    curve = getattr(estimator, "loss_curve_", None)
    state = getattr(estimator, "_train_state", None)
    if curve is None and state is not None:
        curve = getattr(state, "loss_curve", None)
    if curve is None or len(curve) == 0:
        raise ValueError(
            f"{type(estimator).__name__} has no recorded loss curve: "
            "LossCurveDisplay needs a fitted skdeep estimator (or an estimator "
            "with a loss_curve_ attribute) that ran at least one epoch."
        )
    name = type(estimator).__name__
    x_label = "epoch"
    if name == "PerceptronClassifier":
        what = "fraction of training mistakes"
    elif name == "RBMTransformer":
        what = ("minus pseudo-likelihood" if estimator.visible_units == "bernoulli"
                else "reconstruction error")
        x_label = "pass over the data"
    else:
        loss = getattr(estimator, "loss", None)
        what = f"training loss ({loss})" if isinstance(loss, str) else "training loss"
        if getattr(estimator, "solver", None) == "lbfgs":
            x_label = "L-BFGS iteration"
    return np.asarray(curve, dtype=np.float64), what, x_label


def _optional_curve(values):
    return None if values is None or len(values) == 0 else np.asarray(
        values, dtype=np.float64)


class LossCurveDisplay:
    """Training loss per epoch, and the validation loss and score if recorded.

    The learning curves that ConvNetJS draws live beside its demos. Build the
    display with :meth:`from_estimator`; the constructor takes the curves
    themselves, for curves recorded elsewhere (several fits, a warm-started
    loop).

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss after each epoch.
    validation_loss_curve : array-like of shape (n_validated,), default=None
        Loss on the held-out data after each epoch (``early_stopping=True``).
    validation_scores : array-like of shape (n_validated,), default=None
        Score on the held-out data after each epoch: accuracy for classifiers,
        R² for regressors. Drawn against a second y-axis on the right.
    loss_label : str, default="training loss"
        Legend text and y-axis label of ``loss_curve``.
    x_label : str, default="epoch"
        The x-axis label.
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training loss.
    validation_line_ : matplotlib Line2D or None
        The validation loss, when recorded.
    score_line_ : matplotlib Line2D or None
        The validation score, when recorded.
    ax_ : matplotlib Axes
        The Axes of the losses.
    score_ax_ : matplotlib Axes or None
        The twin Axes of the validation score, sharing the x-axis.
    figure_ : matplotlib Figure
        The figure holding ``ax_``.

    See Also
    --------
    FiltersDisplay : First-layer weights as images.
    FeatureMapsDisplay : A convnet's activations for one input.

    Notes
    -----
    Epochs are numbered from 1. The validation curves hold one value per
    validated epoch; when a warm start added epochs without validation they are
    aligned with the last epochs of ``loss_curve``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import MLPNet
    >>> from skdeep.inspection import LossCurveDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> net = MLPNet((32,), max_iter=15, early_stopping=True, random_state=0)
    >>> net = net.fit(X / 16, y)
    >>> display = LossCurveDisplay.from_estimator(net)
    >>> len(display.line_.get_xdata()) == net.n_iter_
    True
    >>> display.score_line_.get_label()
    'validation score'
    """

    def __init__(self, *, loss_curve, validation_loss_curve=None,
                 validation_scores=None, loss_label="training loss",
                 x_label="epoch", estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.loss_label = loss_label
        self.x_label = x_label
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, name=None, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Title; ``None`` uses ``estimator_name``.
        **kwargs : dict
            Passed to ``Axes.plot`` for the training loss (``color``,
            ``linestyle``, ``label``, ...). To compare fits, draw them on one
            Axes with a ``label`` each: the legend lists every curve.

        Returns
        -------
        display : LossCurveDisplay
            This display, with the attributes ``line_``, ``ax_``, ``figure_`` and,
            when recorded, ``validation_line_``, ``score_ax_``, ``score_line_``.
        """
        plt = check_matplotlib("LossCurveDisplay")
        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
        loss = np.asarray(self.loss_curve, dtype=np.float64)
        epochs = np.arange(1, len(loss) + 1)
        line_kw = {"label": self.loss_label}  # colour: the Axes' cycle
        line_kw.update(kwargs)
        (self.line_,) = ax.plot(epochs, loss, **line_kw)
        handles = [self.line_]

        self.validation_line_ = None
        validation_loss = _optional_curve(self.validation_loss_curve)
        if validation_loss is not None:
            (self.validation_line_,) = ax.plot(
                epochs[len(loss) - len(validation_loss):], validation_loss,
                color="C1", label="validation loss")
            handles.append(self.validation_line_)

        self.score_ax_ = self.score_line_ = None
        scores = _optional_curve(self.validation_scores)
        if scores is not None:
            # a score (accuracy, R²) has its own scale: a second y-axis
            self.score_ax_ = ax.twinx()
            (self.score_line_,) = self.score_ax_.plot(
                epochs[len(loss) - len(scores):], scores, color="C2",
                linestyle="--", label="validation score")
            self.score_ax_.set_ylabel("validation score")
            handles.append(self.score_line_)

        ax.set_xlabel(self.x_label)
        ax.set_ylabel("loss" if len(handles) > 1 else self.loss_label)
        if len(epochs) <= 20:
            ax.set_xticks(epochs[:: max(1, len(epochs) // 10)])
        if self.score_ax_ is None:
            # every labelled line of ax: curves drawn on one Axes by several
            # calls (label=... in kwargs) share one legend
            ax.legend(loc="best")
        else:
            # on the twin Axes, drawn last, so that no line crosses the legend;
            # losses fall and scores rise, which leaves the right middle free
            self.score_ax_.legend(handles=handles, loc="center right")
        title = name if name is not None else self.estimator_name
        if title:
            ax.set_title(title)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, **kwargs):
        """Plot the curves a fitted estimator recorded.

        Parameters
        ----------
        estimator : estimator or Pipeline
            A fitted skdeep estimator (every one records its loss per epoch;
            the RBM its monitor per pass, the perceptron its fraction of
            mistakes), another estimator with ``loss_curve_`` such as
            scikit-learn's MLPs, or a pipeline ending in one.
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Title; ``None`` uses the estimator's class name.
        **kwargs : dict
            Passed to ``Axes.plot`` for the training loss.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.
        """
        check_matplotlib("LossCurveDisplay.from_estimator")
        estimator = final_estimator(estimator)
        loss, what, x_label = _recorded_loss(estimator)
        display = cls(
            loss_curve=loss,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            validation_scores=getattr(estimator, "validation_scores_", None),
            loss_label=what, x_label=x_label,
            estimator_name=type(estimator).__name__,
        )
        return display.plot(ax=ax, name=name, **kwargs)
