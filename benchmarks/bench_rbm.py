"""Benchmark skdeep.RBMTransformer against scikit-learn's BernoulliRBM (RBM-digits).

Workload RBM-digits (shared/WORKLOADS.md): load_digits, X/16 (in [0, 1]),
train_test_split(test_size=0.25, random_state=0, stratify=y) as MLP-digits;
an RBM with n_components=100, learning_rate=0.06, batch_size=10, n_iter=20
(persistent CD-1, both libraries' default). Three models:

* ``skdeep``: RBMTransformer's defaults, whose negative phase uses the visible
  means (``sample_visible=False``, mean-field reconstructions);
* ``skdeep-sampled``: ``sample_visible=True``, scikit-learn's algorithm
  (sampled binary visible states), to compare like with like;
* ``sklearn``: BernoulliRBM.

Metrics:

* fit wall seconds: the models fitted in turn in one process
  (skdeep, skdeep-sampled, sklearn, skdeep, ...), float32 input for all,
  2 threads; repeat ``r`` uses ``random_state=r`` for all, so the repeats also
  run over seeds 0 .. repeats-1. Reported: medians, minima and their ratios
  (skdeep / sklearn; < 1 means skdeep is faster).
* mean test pseudo-likelihood. ``score_samples`` flips one random visible unit
  per row, so one call is noisy; each fitted model is scored ``--pl-calls``
  times with different flips (``random_state`` changed between calls, which
  affects only the scoring) and the calls are averaged; the table shows the mean
  and spread over the seeds. Also reported: the exact expectation of that score
  (all 64 flips of every row), computed by the engine's
  ``RBM.pseudo_likelihood`` from each model's fitted ``components_`` and
  intercepts.
* accuracy of the RBM -> LogisticRegression(C=100, max_iter=1000) pipeline on
  the test split, for each fitted RBM (mean over the seeds).

Usage::

    python benchmarks/bench_rbm.py                 # 5 repeats (seeds 0..4)
    python benchmarks/bench_rbm.py --repeats 9
    python benchmarks/bench_rbm.py --quick         # smoke test (seconds)
    python benchmarks/bench_rbm.py --threads 1     # on a busy machine
"""

import argparse
import os
import sys
import time
import warnings

# _common sets the BLAS thread limits, so it comes before numpy; its folder is
# put on the path for when this file is loaded by path (the smoke tests).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    N_THREADS,
    digits_data,
    limit_threads,
    loadavg,
    median,
    print_header,
    ratio,
)

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402

from skdeep import RBMTransformer  # noqa: E402
from skdeep.nn.rbm import RBM  # noqa: E402

RBM_PARAMS = {"n_components": 100, "learning_rate": 0.06, "batch_size": 10, "n_iter": 20}
LOGISTIC = {"C": 100.0, "max_iter": 1000}
QUICK = {"n_iter": 2, "logistic_max_iter": 100, "pl_calls": 2}


# --------------------------------------------------------------------- helpers








def expected_pseudo_likelihood(rbm, X):
    """Mean over rows of the exact expectation of ``score_samples``.

    ``score_samples`` flips one visible unit ``j`` chosen at random and returns
    ``d · log σ(F(ṽ_j) − F(v))``; averaging over all ``d`` choices of ``j`` gives
    its expectation. Computed in float64 from the fitted parameters by the same
    engine function for both libraries (Bernoulli visible units).
    """
    engine = RBM.from_params(rbm.components_, rbm.intercept_hidden_,
                             rbm.intercept_visible_, dtype=np.float64)
    return float(engine.pseudo_likelihood(np.asarray(X, dtype=np.float64)).mean())


def mean_score_samples(rbm, X, n_calls):
    """Mean of ``score_samples(X)`` over ``n_calls`` calls with different flips."""
    original = rbm.random_state
    try:
        scores = []
        for call in range(n_calls):
            # random_state only drives the flips here: the model stays as fitted
            rbm.random_state = 1000 + call
            scores.append(float(np.mean(rbm.score_samples(X))))
    finally:
        rbm.random_state = original
    return float(np.mean(scores))


def pipeline_accuracy(rbm, data, max_iter):
    """Test accuracy of LogisticRegression(C=100) on the RBM's features."""
    X_train, X_test, y_train, y_test = data
    logistic = LogisticRegression(C=LOGISTIC["C"], max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        logistic.fit(rbm.transform(X_train), y_train)
    return float(logistic.score(rbm.transform(X_test), y_test))


# skdeep's default (mean-field negative phase), skdeep running scikit-learn's
# algorithm (sampled visible states), and scikit-learn
IMPLS = ("skdeep", "skdeep-sampled", "sklearn")


def make_rbm(impl, n_iter, seed):
    params = dict(RBM_PARAMS, n_iter=n_iter, random_state=seed)
    if impl == "sklearn":
        return BernoulliRBM(**params)
    return RBMTransformer(**params, sample_visible=impl == "skdeep-sampled")


def fit_timed(impl, data, n_iter, seed):
    rbm = make_rbm(impl, n_iter, seed)
    start = time.perf_counter()
    rbm.fit(data[0])
    return rbm, time.perf_counter() - start


# ------------------------------------------------------------------ driver
def bench_rbm_digits(repeats, quick):
    n_iter = QUICK["n_iter"] if quick else RBM_PARAMS["n_iter"]
    pl_calls = QUICK["pl_calls"] if quick else 10
    lr_iter = QUICK["logistic_max_iter"] if quick else LOGISTIC["max_iter"]
    data = digits_data()
    print(f"\n== RBM-digits: {data[0].shape[0]} train / {data[1].shape[0]} test, "
          f"n_components {RBM_PARAMS['n_components']}, lr {RBM_PARAMS['learning_rate']}, batch "
          f"{RBM_PARAMS['batch_size']}, {n_iter} passes, float32; seeds 0..{repeats - 1} ==")
    impls = IMPLS
    for impl in impls:  # warm-up (imports, BLAS threads), not timed
        fit_timed(impl, data, 1, 0)
    results = {impl: {"time": [], "pl": [], "pl_exact": [], "acc": []}
               for impl in impls}
    for rep in range(repeats):
        for impl in impls:
            rbm, seconds = fit_timed(impl, data, n_iter, rep)
            r = results[impl]
            r["time"].append(seconds)
            r["pl"].append(mean_score_samples(rbm, data[1], pl_calls))
            r["pl_exact"].append(expected_pseudo_likelihood(rbm, data[1]))
            r["acc"].append(pipeline_accuracy(rbm, data, lr_iter))
            print(f"  [rbm] repeat {rep + 1}/{repeats} {impl:<14} fit "
                  f"{seconds:8.3f}s  test PL {r['pl'][-1]:8.3f} (exact "
                  f"{r['pl_exact'][-1]:8.3f})  pipeline acc {r['acc'][-1]:.4f}",
                  flush=True)

    med = {impl: median(results[impl]["time"]) for impl in impls}
    best = {impl: min(results[impl]["time"]) for impl in impls}
    for impl in impls:
        ts = results[impl]["time"]
        print(f"  [rbm] {impl:<14} median fit {med[impl]:8.3f}s  min "
              f"{best[impl]:8.3f}s  (runs: {', '.join(f'{t:.3f}' for t in ts)})")
    for impl in impls[:-1]:
        print(f"  [rbm] ratio {impl}/sklearn = {ratio(med[impl], med['sklearn']):.2f}"
              f" (medians; of minima {ratio(best[impl], best['sklearn']):.2f})")
    print(f"  [rbm] pseudo-likelihood: mean of {pl_calls} score_samples calls per "
          "model, then mean +- std over the seeds")
    rows = []
    for impl in impls:
        r = results[impl]
        rows.append({
            "workload": "RBM-digits", "impl": impl, "time": med[impl],
            "min_time": best[impl], "vs_sklearn": ratio(med[impl], med["sklearn"]),
            "pl": float(np.mean(r["pl"])), "pl_std": float(np.std(r["pl"])),
            "pl_exact": float(np.mean(r["pl_exact"])),
            "acc": float(np.mean(r["acc"])), "acc_std": float(np.std(r["acc"])),
        })
    return rows


def _print_summary(rows, repeats):
    print(f"\n== Summary (medians over {repeats} seeds; ratio = time / sklearn "
          f"time, < 1 = faster); {loadavg()} ==")
    header = (f"{'workload':<11} {'impl':<14} {'fit s':>8} {'vs sklearn':>10} "
              f"{'test PL':>15} {'exact PL':>9} {'pipeline acc':>15}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['workload']:<11} {r['impl']:<14} {r['time']:8.3f} "
              f"{r['vs_sklearn']:10.2f} {r['pl']:7.2f} +- {r['pl_std']:4.2f} "
              f"{r['pl_exact']:9.2f} {r['acc']:8.4f} +- {r['acc_std']:.3f}")




def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5,
                        help="interleaved repeats per implementation, one seed "
                             "each (default 5: seeds 0..4)")
    parser.add_argument("--threads", type=int, default=N_THREADS,
                        help=f"BLAS threads for both libraries (default "
                             f"{N_THREADS}, the workload's)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke-test sizes: {QUICK['n_iter']} RBM passes, "
                             f"{QUICK['pl_calls']} scoring calls, logistic "
                             f"max_iter {QUICK['logistic_max_iter']}")
    args = parser.parse_args(argv)
    for name in ("repeats", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def main(argv=None):
    """Run the benchmark; returns the summary rows (a list of dicts)."""
    args = parse_args(argv)
    limiter = limit_threads(args.threads)
    try:
        print_header(args.threads)
        print(f"start: {loadavg()} (other load on the machine skews timings)")
        rows = bench_rbm_digits(args.repeats, args.quick)
        _print_summary(rows, args.repeats)
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    return rows


if __name__ == "__main__":
    main()
