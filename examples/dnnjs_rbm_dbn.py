"""
dnn.js's RBM, CRBM, DBN and CDBN examples with RBMTransformer and DBNClassifier
===============================================================================

dnn.js (seed 000) ships four toy programs on six features and two clusters
(SPEC §3); this script runs each with skdeep and prints what dnn.js prints:

* ``rbm.js``: a binary RBM with 2 hidden units on the 6 binary rows of
  ``logistic_regression.js`` (CD-1, lr 0.6, 500 epochs), then
  ``reconstruct(v)`` and the hidden probabilities ``sampleHgivenV(v)`` of
  ``v = [[1,1,0,0,0,0], [0,0,0,1,1,0]]``: each row is completed to its cluster
  and switches on a different hidden unit. ``RBMTransformer(2,
  learning_rate=0.6, n_iter=500, batch_size=6, persistent=False,
  sample_visible=True)`` (dnn.js samples its reconstructions):
  ``reconstruct`` and ``transform``.
* ``crbm.js``: the continuous RBM (visible units in [0, 1] with the
  truncated-exponential mean ``1/(1 - e^-a) - 1/a``), 5 hidden units, CD-1,
  lr 0.6, 1500 epochs, ``visible_units='continuous'``; the two clusters give
  opposite hidden means.
* ``dbn.js`` / ``cdbn.js``: deep belief networks with hidden layers
  [10, 12, 11, 8, 6, 4] on the ``logistic_regression.js`` rows (binary RBMs) or
  the ``mlp.js`` rows (continuous first RBM), printing ``predict_proba`` of three
  test rows; rows 1-2 must be classified with p >= 0.9.

dnn.js trains every RBM full batch (the whole data set per update). skdeep's
RBMs are trained by plain CD-1 (``persistent=False``) and full batch too for
``rbm.js``/``crbm.js``; the DBNs are pre-trained online (``pretrain_batch_size=1``,
300 passes = 1800 updates per RBM, lr 0.6) and fine-tuned full batch by SGD
(lr 0.6, no momentum, 500 epochs). Online pre-training is the one deliberate
change: full-batch pre-training of this 6-deep stack on 6 rows saturates the
upper RBMs, and fine-tuning then cannot leave the plateau: the CDBN collapses to
[0.5, 0.5] (dnn.js's own CDBN did so in 3 of 9 runs; ``--pretrain-batch-size 6``
shows it here). With online pre-training no seed collapses.

``--seeds N`` fits the DBN and the CDBN for random states 0 .. N-1 and prints how
many classify rows 1-2 with p >= 0.9 (all of them, for skdeep).

Run ``python examples/dnnjs_rbm_dbn.py`` (no data needed) or
``python examples/dnnjs_rbm_dbn.py --seeds 20``.
"""

import argparse
import sys
import time

import numpy as np

from skdeep import DBNClassifier, RBMTransformer

y = np.array([0, 0, 0, 1, 1, 1])

# rbm.js and dbn.js (the rows of logistic_regression.js)
X_LR = np.array([[1, 1, 1, 0, 0, 0],
                 [1, 0, 1, 0, 0, 0],
                 [1, 1, 1, 0, 0, 0],
                 [0, 0, 1, 1, 1, 0],
                 [0, 0, 1, 1, 0, 0],
                 [0, 0, 1, 1, 1, 0]], dtype=float)
# cdbn.js (the rows of mlp.js)
X_MLP = np.array([[0.4, 0.5, 0.5, 0, 0, 0],
                  [0.5, 0.3, 0.5, 0, 0, 0],
                  [0.4, 0.5, 0.5, 0, 0, 0],
                  [0, 0, 0.5, 0.3, 0.5, 0],
                  [0, 0, 0.5, 0.4, 0.5, 0],
                  [0, 0, 0.5, 0.5, 0.5, 0]])
# crbm.js
X_CRBM = np.array([[0.4, 0.5, 0.5, 0, 0, 0.7],
                   [0.5, 0.3, 0.5, 0, 1, 0.6],
                   [0.4, 0.5, 0.5, 0, 1, 0.9],
                   [0, 0, 0, 0.3, 0.5, 0],
                   [0, 0, 0, 0.4, 0.5, 0],
                   [0, 0, 0, 0.5, 0.5, 0]])

TEST_RBM = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0]], dtype=float)
TEST_CRBM = np.array([[0.5, 0.5, 0, 0, 0, 0], [0, 0, 0, 0.5, 0.5, 0]])
TEST_DBN = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0], [1, 1, 1, 1, 1, 0]],
                    dtype=float)
TEST_CDBN = np.array([[0.5, 0.5, 0, 0, 0, 0], [0, 0, 0, 0.5, 0.5, 0],
                      [0.5, 0.5, 0.5, 0.5, 0.5, 0]])

# What dnn.js printed (seed 000), rounded.
DNNJS = {
    "rbm.js reconstruct": [[0.9941, 0.5811, 0.9968, 0.0085, 0.0077, 0.0028],
                           [0.0056, 0.0027, 0.9955, 0.9977, 0.7024, 0.0026]],
    "rbm.js hidden": [[0.0000, 0.9981], [0.9988, 0.0000]],
    "crbm.js reconstruct": [[0.4462, 0.4209, 0.4515, 0.0368, 0.6900, 0.6904],
                            [0.0150, 0.0150, 0.0147, 0.3550, 0.5794, 0.0149]],
    "crbm.js hidden": [[0.0004, 0.0002, 0.0003, 0.0005, 0.0004],
                       [0.9996, 0.9996, 0.9996, 0.9995, 0.9993]],
    "dbn.js predict_proba": [[0.9687, 0.0313], [0.0407, 0.9592], [0.4293, 0.6205]],
    "cdbn.js predict_proba": [[0.9920, 0.0080], [0.0088, 0.9912], [0.9920, 0.0080]],
}

# sample_visible=True: dnn.js samples the reconstructions (skdeep's default
# uses their means; both pass every seed tried, see tests/test_dbn.py).
RBM_SETTINGS = {"n_components": 2, "learning_rate": 0.6, "n_iter": 500,
                "batch_size": 6, "persistent": False, "sample_visible": True}
CRBM_SETTINGS = {"n_components": 5, "learning_rate": 0.6, "n_iter": 1500,
                 "batch_size": 6, "persistent": False, "visible_units": "continuous",
                 "sample_visible": True}
HIDDEN = (10, 12, 11, 8, 6, 4)
# Online pre-training (see the module docstring), full-batch SGD fine-tuning.
DBN_SETTINGS = {"pretrain_learning_rate": 0.6, "pretrain_n_iter": 300,
                "pretrain_batch_size": 1, "sample_visible": True, "solver": "sgd",
                "learning_rate_init": 0.6, "momentum": 0.0, "max_iter": 500,
                "tol": None}


def fmt(array):
    """Format a 2-D array as a nested list with 4 decimals, dnn.js style."""
    return "[" + ", ".join(
        "[" + ", ".join(f"{v:.4f}" for v in row) + "]" for row in np.asarray(array)
    ) + "]"


def rbm_holds(rec, hidden):
    """rbm.js: each test row is completed to its cluster, by a different hidden unit."""
    return bool(rec[0, 0] > 0.95 and rec[0, 2] > 0.95 and rec[0, 3:].max() < 0.05
                and rec[1, 2] > 0.95 and rec[1, 3] > 0.95 and rec[1, :2].max() < 0.05
                and np.argmax(hidden[0]) != np.argmax(hidden[1]))


def crbm_holds(rec, hidden):
    """crbm.js: the second row reconstructs to its cluster; opposite hidden means."""
    return bool(rec[1, [0, 1, 2, 5]].max() < 0.05 and 0.25 < rec[1, 3] < 0.6
                and 0.3 < rec[1, 4] < 0.65
                and np.all(np.sign(hidden[0] - 0.5) != np.sign(hidden[1] - 0.5)))


def dbn_holds(proba):
    """dbn.js / cdbn.js: rows 1-2 classified correctly with p >= 0.9."""
    return bool(proba[0, 0] >= 0.9 and proba[1, 1] >= 0.9)


def make_dbn(visible_units, random_state, pretrain_batch_size=1):
    """The dnn.js DBN (``'bernoulli'``) or CDBN (``'continuous'``), unfitted."""
    settings = dict(DBN_SETTINGS, pretrain_batch_size=pretrain_batch_size)
    return DBNClassifier(HIDDEN, visible_units=visible_units,
                         random_state=random_state, **settings)


def _kwargs(settings):
    return ", ".join(f"{k}={v!r}" for k, v in settings.items())


def _show(label, ours, ok=None):
    verdict = "" if ok is None else (
        "  (same pattern as dnn.js)" if ok else "  (DIFFERS from dnn.js)")
    print(f"  {label}")
    print(f"    dnn.js : {fmt(DNNJS[label])}")
    print(f"    skdeep : {fmt(ours)}{verdict}")


def main(argv=None):
    """Run the four dnn.js examples and print their outputs next to dnn.js's.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 when every check of SPEC §3 holds (for every seed of ``--seeds``).
    """
    parser = argparse.ArgumentParser(
        description=__doc__.strip().partition("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--random-state", type=int, default=0,
                        help="random state of the printed runs")
    parser.add_argument("--seeds", type=int, default=9,
                        help="fit the DBN and CDBN for random states 0 .. N-1 and "
                             "count the correct ones (0: skip)")
    parser.add_argument("--pretrain-batch-size", type=int, default=1,
                        help="RBM minibatch of the DBNs; 6 is dnn.js's full batch")
    parser.add_argument("--fast", action="store_true",
                        help="quick run for tests: --seeds 2")
    args = parser.parse_args(argv)
    if args.seeds < 0:
        parser.error("--seeds must be >= 0")
    if args.pretrain_batch_size < 1:
        parser.error("--pretrain-batch-size must be >= 1")
    n_seeds = min(args.seeds, 2) if args.fast else args.seeds
    rs = args.random_state
    begin = time.perf_counter()
    all_ok = True

    print(f"rbm.js: RBMTransformer({_kwargs(RBM_SETTINGS)}, random_state={rs})")
    rbm = RBMTransformer(random_state=rs, **RBM_SETTINGS).fit(X_LR)
    rec, hidden = rbm.reconstruct(TEST_RBM), rbm.transform(TEST_RBM)
    ok = rbm_holds(rec, hidden)
    all_ok &= ok
    _show("rbm.js reconstruct", rec, ok)
    _show("rbm.js hidden", hidden)
    print(f"  hidden unit switched on: row 1 -> {np.argmax(hidden[0])}, "
          f"row 2 -> {np.argmax(hidden[1])}")

    print(f"\ncrbm.js: RBMTransformer({_kwargs(CRBM_SETTINGS)}, random_state={rs})")
    crbm = RBMTransformer(random_state=rs, **CRBM_SETTINGS).fit(X_CRBM)
    rec, hidden = crbm.reconstruct(TEST_CRBM), crbm.transform(TEST_CRBM)
    ok = crbm_holds(rec, hidden)
    all_ok &= ok
    _show("crbm.js reconstruct", rec, ok)
    _show("crbm.js hidden", hidden)

    settings = _kwargs(dict(DBN_SETTINGS,
                            pretrain_batch_size=args.pretrain_batch_size))
    for name, units, X, X_test in [("dbn.js", "bernoulli", X_LR, TEST_DBN),
                                   ("cdbn.js", "continuous", X_MLP, TEST_CDBN)]:
        print(f"\n{name}: DBNClassifier({HIDDEN}, visible_units={units!r}, "
              f"{settings}, random_state={rs})")
        dbn = make_dbn(units, rs, args.pretrain_batch_size).fit(X, y)
        proba = dbn.predict_proba(X_test)
        ok = dbn_holds(proba)
        all_ok &= ok
        _show(f"{name} predict_proba", proba, ok)
        print(f"    ({len(dbn.rbms_)} pre-trained RBMs; row 3 mixes both clusters "
              "and has no right answer)")

    if n_seeds:
        print(f"\nOver random states 0..{n_seeds - 1} (rows 1-2 with p >= 0.9):")
        for name, units, X, X_test in [("dbn.js", "bernoulli", X_LR, TEST_DBN),
                                       ("cdbn.js", "continuous", X_MLP, TEST_CDBN)]:
            good, worst = 0, 1.0
            for seed in range(n_seeds):
                proba = make_dbn(units, seed, args.pretrain_batch_size).fit(
                    X, y).predict_proba(X_test)
                good += dbn_holds(proba)
                worst = min(worst, proba[0, 0], proba[1, 1])
            all_ok &= good == n_seeds
            print(f"  {name:<8} {good} of {n_seeds} classify rows 1-2 with p >= 0.9 "
                  f"(lowest p of a right class: {worst:.4f})")
        print("  dnn.js's CDBN collapsed to [0.5, 0.5] in 3 of 9 runs.")

    print(f"\n{'All checks hold' if all_ok else 'Some checks FAILED'} "
          f"({time.perf_counter() - begin:.1f} s).")
    return 0 if all_ok else 1


# %%
# The output below is from ``python examples/dnnjs_rbm_dbn.py --fast``, run when
# these docs were built; ``--help`` lists the options.
if __name__ == "__main__":
    # exit only on failure: the docs' gallery runs this file inside the Sphinx
    # process, which sys.exit(0) would end
    status = main()
    if status:
        sys.exit(status)
