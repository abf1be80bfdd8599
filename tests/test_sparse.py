"""Sparse X: the MLPs, the linear unit, the perceptron and the DBN train on CSR
rows.

The first layer multiplies the sparse rows directly (``x W`` and ``xᵀ g``), so
a fit on a sparse matrix equals the fit on its dense copy, and memory follows
the stored values rather than ``n_samples × n_features``.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from skdeep import (
    ConvNetClassifier,
    DBNClassifier,
    LinearUnitRegressor,
    MLPNet,
    MLPNetRegressor,
    PerceptronClassifier,
)
from skdeep.nn import Dense

RNG = np.random.default_rng(0)
X_SPARSE = sp.random(240, 40, density=0.1, format="csr", random_state=0)
SCORES = X_SPARSE @ RNG.normal(size=40)
Y_CLASS = (SCORES > np.median(SCORES)).astype(int) + (SCORES > np.quantile(SCORES, .8))
Y_REG = SCORES

ESTIMATORS = [
    (MLPNet(max_iter=15, random_state=0, dtype="float64"), Y_CLASS),
    (MLPNet(solver="lbfgs", max_iter=15, random_state=0, dtype="float64"), Y_CLASS),
    (MLPNet(early_stopping=True, max_iter=15, random_state=0, dtype="float64"),
     Y_CLASS),
    (MLPNetRegressor(max_iter=15, random_state=0, dtype="float64", alpha=0.1),
     Y_REG),
    (LinearUnitRegressor(max_iter=15, random_state=0, dtype="float64"), Y_REG),
    (PerceptronClassifier(random_state=0), Y_CLASS),
    (DBNClassifier((8,), pretrain_n_iter=2, max_iter=5, random_state=0,
                   dtype="float64"), Y_CLASS),
]
IDS = ["mlp-adam", "mlp-lbfgs", "mlp-early-stopping", "mlp-regressor",
       "linear-unit", "perceptron", "dbn"]


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached: not the point here
        return clone(estimator).fit(X, y)


def _outputs(model, X):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    if hasattr(model, "decision_function"):
        return model.decision_function(X)
    return model.predict(X)


@pytest.mark.parametrize("estimator, y", ESTIMATORS, ids=IDS)
def test_fit_on_sparse_equals_fit_on_dense(estimator, y):
    dense = _fit(estimator, X_SPARSE.toarray(), y)
    for fmt in ("csr", "csc", "coo"):
        model = _fit(estimator, X_SPARSE.asformat(fmt), y)
        np.testing.assert_allclose(_outputs(model, X_SPARSE.asformat(fmt)),
                                   _outputs(dense, X_SPARSE.toarray()),
                                   rtol=1e-9, atol=1e-12)
        assert model.n_features_in_ == 40


@pytest.mark.parametrize("estimator, y", ESTIMATORS, ids=IDS)
def test_sparse_and_dense_predictions_of_one_model_agree(estimator, y):
    model = _fit(estimator, X_SPARSE, y)
    np.testing.assert_allclose(_outputs(model, X_SPARSE),
                               _outputs(model, X_SPARSE.toarray()),
                               rtol=1e-9, atol=1e-12)
    if hasattr(model, "classes_"):
        np.testing.assert_array_equal(model.predict(X_SPARSE),
                                      model.predict(X_SPARSE.toarray()))


def test_partial_fit_streams_sparse_chunks():
    model = MLPNet(random_state=0)
    for begin in range(0, 240, 80):
        model.partial_fit(X_SPARSE[begin:begin + 80], Y_CLASS[begin:begin + 80],
                          classes=np.unique(Y_CLASS))
    assert model.predict(X_SPARSE).shape == (240,)


def test_float32_sparse_input_keeps_its_precision():
    X32 = X_SPARSE.astype(np.float32)
    model = _fit(MLPNetRegressor(max_iter=5, random_state=0), X32, Y_REG)
    assert model.predict(X32).dtype == np.float32


def test_perceptron_leaves_a_matrix_with_duplicate_entries_untouched():
    rows, cols = np.array([0, 0, 1, 2, 3]), np.array([1, 1, 0, 2, 2])
    X = sp.csr_matrix((np.ones(5), (rows, cols)), shape=(4, 3))
    X.has_canonical_format = False
    X.indices[1] = 1  # two stored entries for (0, 1), left unsummed
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    y = [0, 1, 1, 0]
    model = _fit(PerceptronClassifier(random_state=0, shuffle=False), X, y)
    for a, b in zip(before, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(a, b)
    dense = _fit(PerceptronClassifier(random_state=0, shuffle=False), X.toarray(), y)
    np.testing.assert_array_equal(model.coef_, dense.coef_)


def test_dense_layer_gradient_on_sparse_rows_equals_dense_rows():
    layer = Dense(40, 3, rng=np.random.default_rng(0), dtype=np.float64,
                  input_grad=False)
    grad_out = RNG.normal(size=(240, 3))
    out_sparse = layer.forward(X_SPARSE, training=True)
    layer.backward(grad_out)
    grad_sparse = layer.grads["W"].copy()
    out_dense = layer.forward(X_SPARSE.toarray(), training=True)
    layer.backward(grad_out)
    np.testing.assert_allclose(out_sparse, out_dense, rtol=1e-12)
    np.testing.assert_allclose(grad_sparse, layer.grads["W"], rtol=1e-12)


def test_convnet_refuses_sparse_input_with_scikit_learns_error():
    with pytest.raises(TypeError, match="dense data is required"):
        ConvNetClassifier(max_iter=1).fit(X_SPARSE, Y_CLASS)


def test_mlp_on_a_large_sparse_matrix_stays_near_the_size_of_its_data():
    # 20,000 x 50,000 at 0.1% density: 1e6 stored values (11.5 MB as CSR float64),
    # 7.5 GB if densified. Allocations during the fit (weights 50,000 x 100 in
    # float32, their gradient, Adam's two moments, the rollback copy, the float32
    # copy of X) must stay under 200 MB.
    rng = np.random.default_rng(0)
    n, d, per_row = 20_000, 50_000, 50
    X = sp.csr_matrix((rng.random(n * per_row),
                       np.sort(rng.integers(0, d, (n, per_row)), axis=1).ravel(),
                       np.arange(0, n * per_row + 1, per_row)), shape=(n, d))
    y = rng.integers(0, 5, n)
    tracemalloc.start()
    try:
        _fit(MLPNet(max_iter=1, random_state=0), X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MB"
