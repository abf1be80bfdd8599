"""How fit time grows with the problem: log-log slopes for MLPNet and ConvNet.

For each model one size is varied at a time, the others held at the base
configuration, and the median fit seconds of ``--repeats`` runs are fitted by a
line on log-log axes: ``seconds ∝ size^slope``. A slope of 1 means twice the
size costs twice the time; the table in ``benchmarks/README.md`` comes from this
script.

* **MLPNet** on ``make_classification(n, 784, n_informative=100, n_classes=10)``
  in float32; base: 8,000 samples, two hidden layers of 256 relu units, adam,
  batch 128, 3 epochs (``tol=None``: every fit runs all epochs).

  - ``n_samples`` 2,000 → 16,000;
  - ``width`` (units of every hidden layer) 64 → 1,024;
  - ``depth`` (hidden layers of 256) 1 → 8.

* **ConvNetClassifier** on random 1×28×28 images with 10 classes; base: 2,000
  samples, two conv layers of 16 5×5 filters (pad 2, relu) each followed by a
  2×2 max-pool, softmax; sgd momentum 0.9, batch 32, 1 epoch.

  - ``n_samples`` 1,000 → 8,000;
  - ``width`` (filters of every conv layer) 4 → 64;
  - ``depth`` (conv 5×5 pad 2 relu layers before the two pools) 1 → 6.

Expect slope ≈ 1 for samples (the work per sample is fixed) and for depth (the
work per layer is fixed; the first layer and the output are not, so a little
below 1), and between 1 and 2 for width (hidden-to-hidden weights grow as
width², input and output weights as width). The sizes run from small to large,
interleaved within each repeat; 2 BLAS threads as every workload.

Usage::

    python benchmarks/bench_scaling.py                 # both models, 3 repeats
    python benchmarks/bench_scaling.py --model mlp --repeats 5
    python benchmarks/bench_scaling.py --quick         # smoke test, seconds
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import N_THREADS, limit_threads, loadavg, median, print_header  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skdeep import ConvNetClassifier, MLPNet  # noqa: E402

#: model -> axis -> sizes (full run); --quick uses QUICK_SIZES and QUICK_BASE.
SIZES = {
    "mlp": {"n_samples": [2000, 4000, 8000, 16000], "width": [64, 128, 256, 512, 1024],
            "depth": [1, 2, 4, 8]},
    "convnet": {"n_samples": [1000, 2000, 4000, 8000], "width": [4, 8, 16, 32, 64],
                "depth": [1, 2, 4, 6]},
}
BASE = {"mlp": {"n_samples": 8000, "width": 256, "depth": 2},
        "convnet": {"n_samples": 2000, "width": 16, "depth": 2}}
QUICK_SIZES = {"mlp": {"n_samples": [500, 1000], "width": [16, 32], "depth": [1, 2]},
               "convnet": {"n_samples": [100, 200], "width": [2, 4], "depth": [1, 2]}}
QUICK_BASE = {"mlp": {"n_samples": 1000, "width": 32, "depth": 1},
              "convnet": {"n_samples": 200, "width": 4, "depth": 1}}


def mlp_fit(n_samples, width, depth, data, quick):
    X, y = data["mlp"]
    net = MLPNet((width,) * depth, solver="adam", batch_size=128,
                 max_iter=1 if quick else 3, tol=None, random_state=0)
    return _timed_fit(net, X[:n_samples], y[:n_samples])


def convnet_fit(n_samples, width, depth, data, quick):
    X, y = data["convnet"]
    conv = {"type": "conv", "sx": 5, "filters": width, "pad": 2, "activation": "relu"}
    pool = {"type": "pool", "sx": 2, "stride": 2}
    layers = [conv] * (depth - 1) + [conv, pool, conv, pool]
    net = ConvNetClassifier(layers, solver="sgd", learning_rate_init=0.01,
                            momentum=0.9, batch_size=32, max_iter=1, tol=None,
                            random_state=0)
    return _timed_fit(net, X[:n_samples], y[:n_samples])


def _timed_fit(net, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        net.fit(X, y)
        return time.perf_counter() - start


FITS = {"mlp": mlp_fit, "convnet": convnet_fit}


def make_data(quick):
    sizes = QUICK_SIZES if quick else SIZES
    n_mlp, n_conv = (max(sizes[m]["n_samples"]) for m in ("mlp", "convnet"))
    X, y = make_classification(n_mlp, 784, n_informative=100, n_redundant=0,
                               n_classes=10, random_state=0)
    rng = np.random.default_rng(0)
    return {"mlp": (X.astype(np.float32), y),
            "convnet": (rng.random((n_conv, 1, 28, 28), dtype=np.float32),
                        rng.integers(0, 10, n_conv))}


def slope(sizes, seconds):
    """Least-squares slope of log(seconds) against log(size)."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def run(model, axes, base, repeats, data, quick):
    """Median seconds per size on each axis, and the axis' log-log slope."""
    rows = []
    for axis, sizes in axes.items():
        times = {size: [] for size in sizes}
        for _ in range(repeats):
            for size in sizes:
                config = {**base, axis: size}
                times[size].append(FITS[model](**config, data=data, quick=quick))
        medians = [median(times[size]) for size in sizes]
        fit_slope = slope(sizes, medians)
        rows.append({"model": model, "axis": axis, "sizes": sizes,
                     "seconds": medians, "slope": fit_slope})
        cells = ", ".join(f"{s:,}: {t:.2f}s" for s, t in zip(sizes, medians))
        print(f"  {model:8s} {axis:9s} {cells}   slope {fit_slope:.2f}", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("mlp", "convnet", "all"), default="all")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=N_THREADS)
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: two tiny sizes per axis")
    args = parser.parse_args(argv)
    limiter = limit_threads(args.threads)
    try:
        print_header(args.threads, torch=False)
        print(loadavg())
        data = make_data(args.quick)
        rows = []
        models = ("mlp", "convnet") if args.model == "all" else (args.model,)
        print("\n== fit seconds (medians) and log-log slopes ==")
        for model in models:
            axes = (QUICK_SIZES if args.quick else SIZES)[model]
            base = (QUICK_BASE if args.quick else BASE)[model]
            print(f" {model} (base: " + ", ".join(f"{k} {v}" for k, v in base.items())
                  + ")")
            rows += run(model, axes, base, args.repeats, data, args.quick)
        print(f"\n{loadavg()}")
        return rows
    finally:
        if limiter is not None:
            limiter.restore_original_limits()


if __name__ == "__main__":
    main()
