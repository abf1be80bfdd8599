"""Targets and outputs of the network estimators: classifier, regressor, transform.

Each mixin goes to the left of :class:`~skdeep._base.BaseNetwork` and says how
targets are encoded for the loss and how the network's outputs become
predictions.
"""

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

__all__ = ["HiddenTransformMixin", "NetworkClassifierMixin", "NetworkRegressorMixin"]


class NetworkClassifierMixin:
    """Target encoding, decoding and class-probability methods for classifiers.

    Binary targets use one logistic output (as scikit-learn), multiclass targets a
    softmax over ``n_classes`` outputs, multilabel indicator targets one logistic
    output per label. Used with :class:`sklearn.base.ClassifierMixin`.
    """

    def _check_targets(self, y, reset):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return y

    def _encode_targets(self, y, first_call, classes):
        if first_call:
            binarizer = LabelBinarizer()
            # as scikit-learn's MLP: multilabel targets define their own columns
            if classes is not None and not type_of_target(y).startswith("multilabel"):
                binarizer.fit(classes)
            else:
                binarizer.fit(y)
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
            self._n_targets = len(self.classes_)
        elif classes is not None and not np.array_equal(
            np.unique(classes), self.classes_
        ):
            raise ValueError(
                f"`classes={list(classes)}` is not the same as on the first call "
                f"to partial_fit, which was {list(self.classes_)}."
            )
        if self._label_binarizer.y_type_ != "multilabel-indicator":
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:  # scikit-learn's MLP message
                raise ValueError(
                    "`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {np.unique(y)}."
                )
        Y = self._label_binarizer.transform(y).astype(np.float64)
        if self._two_column_binary():
            Y = np.hstack([1 - Y, Y])  # shape (n, 2)
        return Y

    def _check_resumed_targets(self, y):
        """A warm-started ``fit`` must see the classes of the first fit (as
        scikit-learn's MLP, with its message); ``partial_fit`` batches may
        hold fewer."""
        if not self._is_multilabel() and not np.array_equal(np.unique(y),
                                                            self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_}, `y` "
                f"has {np.unique(y)}"
            )

    def _single_class(self):
        return len(self.classes_) == 1 and not self._is_multilabel()

    def _is_multilabel(self):
        return self._label_binarizer.y_type_ == "multilabel-indicator"

    def _two_column_binary(self):
        """Binary targets with a loss that needs one output per class (hinge)."""
        return (
            getattr(self, "loss", "log_loss") == "hinge"
            and self._label_binarizer.y_type_ == "binary"
        )

    def _classification_loss(self):
        from .nn.losses import (
            MulticlassHinge,
            SigmoidBinaryCrossEntropy,
            SoftmaxCrossEntropy,
            SquaredError,
        )

        multiclass = self._label_binarizer.y_type_ == "multiclass"
        loss = getattr(self, "loss", "log_loss")
        if loss == "hinge":
            if self._is_multilabel():
                raise ValueError("loss='hinge' does not support multilabel targets.")
            return MulticlassHinge()
        if loss == "squared_error":
            return SquaredError("softmax" if multiclass else "logistic")
        return SoftmaxCrossEntropy() if multiclass else SigmoidBinaryCrossEntropy()

    def _stratify_split(self, y):
        return not self._is_multilabel()

    def _decode(self, output):
        if self._two_column_binary():
            output = output[:, 1:]
        return self._label_binarizer.inverse_transform(output)

    def _validation_score(self, y_true, y_pred, sample_weight=None):
        """(Weighted) exact-match accuracy, as ``accuracy_score``."""
        hits = np.all(np.asarray(y_true).reshape(len(y_true), -1)
                      == np.asarray(y_pred).reshape(len(y_pred), -1), axis=1)
        return float(np.average(hits, weights=sample_weight))

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Predicted classes (an indicator matrix for multilabel models).
        """
        output = self._output(X)
        if self._single_class():  # trained on one class: it is the answer
            return np.full(len(output), self.classes_[0])
        return self._decode(output)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``.
        """
        proba = self._output(X)
        if self._single_class():  # one column, as classes_ (not scikit-learn's two)
            return np.ones((len(proba), 1), dtype=proba.dtype)
        if proba.shape[1] == 1 and not self._is_multilabel():
            return np.hstack([1 - proba, proba])
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log class probabilities.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class NetworkRegressorMixin:
    """Target handling for regressors (used with :class:`sklearn.base.RegressorMixin`)."""

    def _encode_targets(self, y, first_call, classes):
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1:
            y = y.reshape(-1, 1)  # (n,) -> (n, 1)
        return y

    _y_numeric = True

    def _check_targets(self, y, reset):
        if reset:
            self._y_ndim = y.ndim
        elif y.ndim != self._y_ndim and not (y.ndim == 2 and y.shape[1] == 1):
            raise ValueError(
                f"y has {y.ndim} dimension(s) but the model was fitted on "
                f"{self._y_ndim}-dimensional targets."
            )
        return y

    def _decode(self, output):
        return output.ravel() if self._y_ndim == 1 else output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _validation_score(self, y_true, y_pred, sample_weight=None):
        from sklearn.metrics import r2_score

        return float(r2_score(y_true, y_pred, sample_weight=sample_weight))

    def predict(self, X):
        """Predict with the fitted network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values.
        """
        return self._decode(self._output(X))


class HiddenTransformMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """``transform`` = the activations of the last hidden layer, for pipelines.

    With ``get_feature_names_out`` (``<classname>0``, ``<classname>1``, …) the
    output follows ``set_output`` and the global ``transform_output``.
    """

    @property
    def _n_features_out(self):
        """Width of the last hidden layer: the input of the output layer."""
        return self._network.layers[-1].n_in

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # float32 in gives float32 out, float64 in float64 out, whatever ``dtype``
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def transform(self, X):
        """Return the activations of the last hidden layer (features for a pipeline).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data (images too, for the convolutional estimators).

        Returns
        -------
        ndarray of shape (n_samples, n_hidden)
            Flattened activations before the output layer.
        """
        hidden = self._forward_until(X, len(self._network.layers) - 1)
        return hidden.reshape(hidden.shape[0], -1)  # (n, ...) -> (n, features)
