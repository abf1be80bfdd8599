"""``set_output`` and ``get_feature_names_out`` for every ``transform`` of the
package, as a step of a pandas-output Pipeline and under the global config."""

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skdeep import (
    ConvNetClassifier,
    ConvNetRegressor,
    DBNClassifier,
    RBMTransformer,
    RNNLanguageModel,
)
from tests._support import fit_quietly

pd = pytest.importorskip("pandas")

X, Y = load_digits(return_X_y=True)
X, Y = X[:300] / 16, Y[:300]
CONV = [{"type": "conv", "sx": 3, "filters": 4, "pad": 1, "activation": "relu"},
        {"type": "pool", "sx": 2}]
TRANSFORMERS = [
    (RBMTransformer(n_components=8, n_iter=2, random_state=0), 8),
    (DBNClassifier((16, 12), pretrain_n_iter=1, max_iter=2, random_state=0), 12),
    (ConvNetClassifier(CONV + [{"type": "fc", "num_neurons": 10}], max_iter=1,
                       random_state=0), 10),
    (ConvNetRegressor(CONV, max_iter=1, random_state=0), 4 * 4 * 4),
]
IDS = [type(est).__name__ for est, _ in TRANSFORMERS]


@pytest.mark.parametrize("est, width", TRANSFORMERS, ids=IDS)
def test_pandas_output_as_a_pipeline_step(est, width):
    est = clone(est)
    pipe = make_pipeline(MinMaxScaler(), est).set_output(transform="pandas")
    out = fit_quietly(pipe, X, Y).transform(X[:5])
    assert isinstance(out, pd.DataFrame) and out.shape == (5, width)
    names = est.get_feature_names_out()
    assert list(out.columns) == list(names)
    assert names[0] == type(est).__name__.lower() + "0"
    np.testing.assert_allclose(out.to_numpy(), est.transform(MinMaxScaler().fit(X)
                                                              .transform(X[:5])))


@pytest.mark.parametrize("est, width", TRANSFORMERS, ids=IDS)
def test_the_global_transform_output_is_followed(est, width):
    est = clone(est)
    with sklearn.config_context(transform_output="pandas"):
        est = fit_quietly(est, X, Y)
        assert isinstance(est.transform(X[:3]), pd.DataFrame)
    assert isinstance(est.transform(X[:3]), np.ndarray)


def test_language_model_features_as_a_dataframe():
    docs = ["abc abc", "cab cab", "bca"] * 5
    lm = fit_quietly(RNNLanguageModel(hidden_size=8, max_iter=2, random_state=0)
                     .set_output(transform="pandas"), docs)
    out = lm.transform(docs[:2])
    assert isinstance(out, pd.DataFrame) and out.shape == (2, 8)
    assert list(out.columns) == [f"rnnlanguagemodel{i}" for i in range(8)]
    assert isinstance(lm.fit_transform(docs), pd.DataFrame)


@pytest.mark.parametrize("est, width", TRANSFORMERS, ids=IDS)
def test_preserves_dtype_tag_is_true(est, width):
    assert est.__sklearn_tags__().transformer_tags.preserves_dtype == ["float64",
                                                                       "float32"]
    est = fit_quietly(clone(est), X, Y)
    for dtype in (np.float32, np.float64):
        assert est.transform(X[:4].astype(dtype)).dtype == dtype


@pytest.mark.parametrize("make", [ConvNetClassifier, ConvNetRegressor])
def test_convnets_say_they_take_3d_input(make):
    est = make(CONV, max_iter=1, random_state=0)
    assert est.__sklearn_tags__().input_tags.three_d_array
    images = X.reshape(-1, 8, 8)  # (n, H, W)
    assert fit_quietly(est, images, Y).predict(images[:3]).shape == (3,)
