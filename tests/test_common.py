"""scikit-learn conformance: parametrize_with_checks over every numeric estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skdeep import (
    ConvNetClassifier,
    ConvNetRegressor,
    LinearUnitRegressor,
    MLPNet,
    MLPNetRegressor,
    PerceptronClassifier,
)

# Default configurations, in float32 (the default) and float64.
ESTIMATORS = [
    PerceptronClassifier(random_state=0),
    LinearUnitRegressor(random_state=0, max_iter=100),
    LinearUnitRegressor(random_state=0, max_iter=100, dtype="float64"),
    MLPNet(random_state=0),
    MLPNet(random_state=0, dtype="float64"),
    MLPNetRegressor(random_state=0),
    MLPNetRegressor(random_state=0, dtype="float64"),
    ConvNetClassifier(random_state=0),
    ConvNetClassifier(random_state=0, dtype="float64"),
    ConvNetRegressor(random_state=0),
    ConvNetRegressor(random_state=0, dtype="float64"),
]

FLOAT32_ROUNDING = (
    "float32 computation: BLAS sums a batch of rows in a different order than a "
    "subset or a permutation of it, so outputs differ in the last float32 bits "
    "(measured: 2.4e-7 absolute, above the check's 1e-7 tolerance); the float64 "
    "instance of the same estimator passes this check."
)

# Declared per (class, dtype); each reason is the measured cause.
EXPECTED_FAILED = {
    ("MLPNetRegressor", "float32"): {
        "check_methods_subset_invariance": FLOAT32_ROUNDING,
    },
    **{
        (name, "float32"): {
            "check_methods_subset_invariance": FLOAT32_ROUNDING,
            "check_methods_sample_order_invariance": FLOAT32_ROUNDING,
        }
        for name in ("ConvNetClassifier", "ConvNetRegressor")
    },
}


def _expected_failed_checks(estimator):
    dtype = estimator.get_params().get("dtype")
    return EXPECTED_FAILED.get((type(estimator).__name__, dtype), {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
