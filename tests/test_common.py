"""scikit-learn conformance: parametrize_with_checks over every numeric estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skdeep import LinearUnitRegressor, MLPNet, MLPNetRegressor, PerceptronClassifier

# Default configurations, in float32 (the default) and float64.
ESTIMATORS = [
    PerceptronClassifier(random_state=0),
    LinearUnitRegressor(random_state=0, max_iter=100),
    LinearUnitRegressor(random_state=0, max_iter=100, dtype="float64"),
    MLPNet(random_state=0),
    MLPNet(random_state=0, dtype="float64"),
    MLPNetRegressor(random_state=0),
    MLPNetRegressor(random_state=0, dtype="float64"),
]

FLOAT32_ROUNDING = (
    "float32 computation: BLAS sums a batch of rows in a different order than a "
    "single row, so predictions on a subset differ in the last float32 bit "
    "(relative ~1e-7, above the check's 1e-7 tolerance); the float64 instance of "
    "the same estimator passes this check."
)

# Declared per (class, dtype); each reason is the measured cause.
EXPECTED_FAILED = {
    ("MLPNetRegressor", "float32"): {
        "check_methods_subset_invariance": FLOAT32_ROUNDING,
    },
}


def _expected_failed_checks(estimator):
    dtype = estimator.get_params().get("dtype")
    return EXPECTED_FAILED.get((type(estimator).__name__, dtype), {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
