"""Benchmark skdeep.MLPNet against its anchors on the MLP workloads.

Workloads (definitions in shared/WORKLOADS.md):

* MLP-digits: load_digits, X/16, 75/25 stratified split; 64-256-128-10 relu MLP,
  adam lr 1e-3, batch 64, 50 epochs, alpha 1e-4, no early stopping.
  Metrics: fit wall seconds, test accuracy.
* MLP-keras: make_classification(60000 x 784, 100 informative, 10 classes),
  float32; 784-500-500-10 logistic MLP, plain SGD lr 0.1 (no momentum),
  batch 100, 3 epochs. Metrics: seconds per epoch, achieved GFLOP/s against the
  numpy float32 GEMM peak (2048^3) measured in the same run.

Anchors: scikit-learn's MLPClassifier, and PyTorch on the CPU (an equivalent
nn.Sequential training loop, float32) when ``import torch`` works. All
implementations get float32 input, 2 threads (``--threads``), and run
interleaved in the same process (skdeep, sklearn, torch, skdeep, sklearn,
torch, ...). Ratios are median skdeep time / median anchor time (< 1 means
skdeep is faster).

Usage::

    python benchmarks/bench_mlp.py                    # both workloads, 3 repeats
    python benchmarks/bench_mlp.py --workload keras --repeats 5
    python benchmarks/bench_mlp.py --quick --repeats 1  # smoke test (seconds)
    python benchmarks/bench_mlp.py --workload keras --threads 1
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
    import_torch,
    limit_threads,
    loadavg,
    median,
    print_header,
    ratio,
)

import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from skdeep import MLPNet  # noqa: E402




# --------------------------------------------------------------------- helpers


def _fmt_s(seconds):
    return f"{seconds:8.3f}s"




def _check_epochs(name, n_iter, epochs):
    if n_iter != epochs:
        raise RuntimeError(
            f"{name} ran {n_iter} epochs instead of {epochs}; the timing would not "
            "be comparable (early stopping must be off)."
        )


def gemm_peak(n=2048, repeats=5, dtype=np.float32):
    """Median float32 GFLOP/s of an n x n x n numpy matmul (after one warm-up)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=dtype)
    b = rng.standard_normal((n, n), dtype=dtype)
    out = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=out)  # warm-up (thread pool start, page faults)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - start)
    return 2.0 * n**3 / median(times) / 1e9, times


# ----------------------------------------------------------- MLP-digits runners
DIGITS = dict(hidden=(256, 128), lr=1e-3, batch=64, epochs=50, alpha=1e-4)




def _digits_params(cfg, seed):
    # tol=0 and n_iter_no_change > epochs: the no-improvement rule can never fire,
    # so both libraries run exactly cfg["epochs"] epochs (checked via n_iter_).
    return dict(
        hidden_layer_sizes=cfg["hidden"], activation="relu", solver="adam",
        learning_rate_init=cfg["lr"], batch_size=cfg["batch"],
        max_iter=cfg["epochs"], alpha=cfg["alpha"], tol=0.0,
        n_iter_no_change=cfg["epochs"] + 1, early_stopping=False,
        shuffle=True, random_state=seed,
    )


def run_skdeep_digits(data, cfg, seed):
    Xtr, Xte, ytr, yte = data
    clf = MLPNet(**_digits_params(cfg, seed))  # dtype float32 (default)
    start = time.perf_counter()
    clf.fit(Xtr, ytr)
    elapsed = time.perf_counter() - start
    _check_epochs("skdeep", clf.n_iter_, cfg["epochs"])
    return elapsed, float(clf.score(Xte, yte))


def run_sklearn_digits(data, cfg, seed):
    Xtr, Xte, ytr, yte = data
    clf = MLPClassifier(**_digits_params(cfg, seed))  # float32 in -> float32 math
    start = time.perf_counter()
    clf.fit(Xtr, ytr)
    elapsed = time.perf_counter() - start
    _check_epochs("sklearn", clf.n_iter_, cfg["epochs"])
    return elapsed, float(clf.score(Xte, yte))


def _torch_mlp(torch, sizes, activation, seed, logistic_gain):
    """nn.Sequential with scikit-learn's Glorot-uniform init of W and b."""
    nn = torch.nn
    gen = torch.Generator().manual_seed(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = nn.Linear(n_in, n_out)
        bound = (logistic_gain if activation == "logistic" else 1.0) * (
            6.0 / (n_in + n_out)) ** 0.5
        with torch.no_grad():
            lin.weight.uniform_(-bound, bound, generator=gen)
            lin.bias.uniform_(-bound, bound, generator=gen)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(nn.ReLU() if activation == "relu" else nn.Sigmoid())
    return nn.Sequential(*layers)


def _torch_train(torch, model, optimizer, X, y, batch, epochs, alpha, seed):
    """Shuffled minibatch epochs; L2 penalty alpha/(2 n_batch) sum W^2 as sklearn.

    Returns the mean training loss of the last epoch (as sklearn's ``loss_``).
    """
    loss_fn = torch.nn.CrossEntropyLoss()
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    gen = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        accumulated = 0.0
        for begin in range(0, n, batch):
            idx = order[begin:begin + batch]
            Xb, yb = X[idx], y[idx]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xb), yb)
            if alpha:
                loss = loss + (0.5 * alpha / Xb.shape[0]) * sum(
                    (w * w).sum() for w in weights)
            loss.backward()
            optimizer.step()
            accumulated += loss.item() * Xb.shape[0]
    return accumulated / n


def run_torch_digits(torch, data, cfg, seed):
    Xtr, Xte, ytr, yte = data
    start = time.perf_counter()
    X = torch.from_numpy(Xtr)
    y = torch.from_numpy(ytr.astype(np.int64))
    model = _torch_mlp(torch, [X.shape[1], *cfg["hidden"], 10], "relu", seed, 1.0)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999),
                           eps=1e-8)
    _torch_train(torch, model, opt, X, y, cfg["batch"], cfg["epochs"],
                 cfg["alpha"], seed)
    elapsed = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(Xte)).argmax(dim=1).numpy()
    return elapsed, float(np.mean(pred == yte))


# ------------------------------------------------------------ MLP-keras runners
KERAS = dict(n_samples=60000, hidden=(500, 500), lr=0.1, batch=100, epochs=3,
             alpha=0.0)


def keras_data(n_samples):
    X, y = make_classification(
        n_samples=n_samples, n_features=784, n_informative=100, n_redundant=0,
        n_classes=10, random_state=0,
    )
    return X.astype(np.float32), y


def keras_flops_per_epoch(n_samples, sizes=(784, 500, 500, 10)):
    """Dense-layer FLOPs of one epoch: 2*N*P forward + 4*N*P backward."""
    n_weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return 6.0 * n_samples * n_weights


def _keras_params(cfg, seed):
    # Plain SGD: no momentum, no weight penalty (the Keras net of seed 002 had
    # none); tol=0 and n_iter_no_change > epochs so that all epochs run.
    return dict(
        hidden_layer_sizes=cfg["hidden"], activation="logistic", solver="sgd",
        learning_rate="constant", learning_rate_init=cfg["lr"], momentum=0.0,
        nesterovs_momentum=False, batch_size=cfg["batch"], max_iter=cfg["epochs"],
        alpha=cfg["alpha"], tol=0.0, n_iter_no_change=cfg["epochs"] + 1,
        early_stopping=False, shuffle=True, random_state=seed,
    )


def run_skdeep_keras(data, cfg, seed):
    X, y = data
    clf = MLPNet(**_keras_params(cfg, seed))
    start = time.perf_counter()
    clf.fit(X, y)
    elapsed = time.perf_counter() - start
    _check_epochs("skdeep", clf.n_iter_, cfg["epochs"])
    return elapsed / cfg["epochs"], float(clf.loss_)


def run_sklearn_keras(data, cfg, seed):
    X, y = data
    clf = MLPClassifier(**_keras_params(cfg, seed))
    start = time.perf_counter()
    clf.fit(X, y)
    elapsed = time.perf_counter() - start
    _check_epochs("sklearn", clf.n_iter_, cfg["epochs"])
    return elapsed / cfg["epochs"], float(clf.loss_)


def run_torch_keras(torch, data, cfg, seed):
    X_np, y_np = data
    start = time.perf_counter()
    X = torch.from_numpy(X_np)
    y = torch.from_numpy(y_np.astype(np.int64))
    model = _torch_mlp(torch, [X.shape[1], *cfg["hidden"], 10], "logistic", seed,
                       3 ** -0.5)
    opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"], momentum=0.0)
    last = _torch_train(torch, model, opt, X, y, cfg["batch"], cfg["epochs"],
                        cfg["alpha"], seed)
    elapsed = time.perf_counter() - start
    return elapsed / cfg["epochs"], last


# ------------------------------------------------------------------ driver
def _interleaved(label, runners, repeats, metric_name, time_name):
    """Run each runner once per repeat, in turn; returns {name: (times, metrics)}."""
    results = {name: ([], []) for name in runners}
    for rep in range(repeats):
        for name, fn in runners.items():
            t, metric = fn(rep)
            results[name][0].append(t)
            results[name][1].append(metric)
            print(f"  [{label}] repeat {rep + 1}/{repeats} {name:<8} "
                  f"{time_name} {_fmt_s(t)}  {metric_name} {metric:.4f}", flush=True)
    return results


def _print_ratios(label, results, time_name):
    med = {name: median(ts) for name, (ts, _) in results.items()}
    best = {name: min(ts) for name, (ts, _) in results.items()}
    for name, (ts, ms) in results.items():
        print(f"  [{label}] {name:<8} median {time_name} {_fmt_s(med[name])}  "
              f"min {_fmt_s(best[name])}  (runs: {', '.join(f'{t:.3f}' for t in ts)})")
    for anchor in ("sklearn", "torch"):
        if anchor in med:
            # The ratio of the minima is printed too: on a shared machine the
            # fastest run is the one least disturbed by other load.
            print(f"  [{label}] ratio skdeep/{anchor} = "
                  f"{ratio(med['skdeep'], med[anchor]):.2f} (medians; of minima "
                  f"{ratio(best['skdeep'], best[anchor]):.2f})")
    return med


def bench_digits(repeats, quick, torch):
    cfg = dict(DIGITS, epochs=5 if quick else DIGITS["epochs"])
    data = digits_data()
    print(f"\n== MLP-digits: {data[0].shape[0]} train / {data[1].shape[0]} test, "
          f"64-256-128-10 relu, adam lr {cfg['lr']}, batch {cfg['batch']}, "
          f"{cfg['epochs']} epochs, alpha {cfg['alpha']}, float32 ==")
    runners = {
        "skdeep": lambda rep: run_skdeep_digits(data, cfg, rep),
        "sklearn": lambda rep: run_sklearn_digits(data, cfg, rep),
    }
    if torch is not None:
        runners["torch"] = lambda rep: run_torch_digits(torch, data, cfg, rep)
    # One-epoch warm-up of each implementation (imports, BLAS threads), not timed.
    warm = dict(cfg, epochs=1)
    run_skdeep_digits(data, warm, 0)
    run_sklearn_digits(data, warm, 0)
    if torch is not None:
        run_torch_digits(torch, data, warm, 0)
    results = _interleaved("digits", runners, repeats, "test acc", "fit")
    med = _print_ratios("digits", results, "fit")
    rows = []
    for name, (ts, accs) in results.items():
        rows.append(dict(
            workload="MLP-digits", impl=name, time=med[name], unit="s fit",
            metric=f"acc {median(accs):.4f}",
            vs_sklearn=ratio(med[name], med["sklearn"]),
            vs_torch=ratio(med[name], med["torch"]) if "torch" in med else None,
        ))
    return rows


def bench_keras(repeats, quick, torch, threads=N_THREADS):
    cfg = dict(KERAS, n_samples=2000 if quick else KERAS["n_samples"],
               epochs=1 if quick else KERAS["epochs"])
    data = keras_data(cfg["n_samples"])
    peak, peak_times = gemm_peak(n=1024 if quick else 2048, repeats=3 if quick else 5)
    flops = keras_flops_per_epoch(cfg["n_samples"])
    print(f"\n== MLP-keras: {cfg['n_samples']} x 784 float32, 784-500-500-10 "
          f"logistic, SGD lr {cfg['lr']} no momentum, batch {cfg['batch']}, "
          f"{cfg['epochs']} epochs ==")
    print(f"  numpy float32 GEMM peak ({1024 if quick else 2048}^3, {threads} threads): "
          f"{peak:.1f} GFLOP/s (runs: {', '.join(f'{t:.3f}' for t in peak_times)} s)")
    print(f"  dense-layer FLOPs per epoch: {flops / 1e9:.1f} GFLOP")
    runners = {
        "skdeep": lambda rep: run_skdeep_keras(data, cfg, rep),
        "sklearn": lambda rep: run_sklearn_keras(data, cfg, rep),
    }
    if torch is not None:
        runners["torch"] = lambda rep: run_torch_keras(torch, data, cfg, rep)
    # Short warm-up (1 epoch on 2000 samples) of each implementation, not timed.
    warm_data = (data[0][:2000], data[1][:2000])
    warm = dict(cfg, epochs=1)
    run_skdeep_keras(warm_data, warm, 0)
    run_sklearn_keras(warm_data, warm, 0)
    if torch is not None:
        run_torch_keras(torch, warm_data, warm, 0)
    results = _interleaved("keras", runners, repeats, "train loss", "s/epoch")
    med = _print_ratios("keras", results, "s/epoch")
    # Measured again after the runs: on a shared machine the first measurement
    # may be depressed by other load; the higher median is the better estimate.
    peak_after, peak_times = gemm_peak(n=1024 if quick else 2048,
                                       repeats=3 if quick else 5)
    print(f"  numpy float32 GEMM peak again after the runs: {peak_after:.1f} GFLOP/s "
          f"(runs: {', '.join(f'{t:.3f}' for t in peak_times)} s); using "
          f"{max(peak, peak_after):.1f}")
    peak = max(peak, peak_after)
    rows = []
    for name, (ts, losses) in results.items():
        gflops = flops / med[name] / 1e9
        print(f"  [keras] {name:<8} {gflops:6.1f} GFLOP/s = "
              f"{100 * gflops / peak:5.1f} % of GEMM peak")
        rows.append(dict(
            workload="MLP-keras", impl=name, time=med[name], unit="s/epoch",
            metric=f"{gflops:.1f} GF/s ({100 * gflops / peak:.0f}% pk)",
            vs_sklearn=ratio(med[name], med["sklearn"]),
            vs_torch=ratio(med[name], med["torch"]) if "torch" in med else None,
        ))
    return rows, peak




def _print_summary(rows, peak):
    print(f"\n== Summary (medians; ratio = time / anchor time, < 1 = faster); "
          f"{loadavg()} ==")
    header = (f"{'workload':<11} {'impl':<8} {'median':>9} {'unit':<8} "
              f"{'metric':<24} {'vs sklearn':>10} {'vs torch':>9}")
    print(header)
    print("-" * len(header))
    for r in rows:
        vt = "" if r["vs_torch"] is None else f"{r['vs_torch']:.2f}"
        print(f"{r['workload']:<11} {r['impl']:<8} {r['time']:9.3f} {r['unit']:<8} "
              f"{r['metric']:<24} {r['vs_sklearn']:10.2f} {vt:>9}")
    if peak is not None:
        print(f"numpy float32 GEMM peak: {peak:.1f} GFLOP/s")




def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="interleaved repeats per implementation (default 3)")
    parser.add_argument("--workload", choices=("digits", "keras", "all"),
                        default="all")
    parser.add_argument("--quick", action="store_true",
                        help="smoke-test sizes: 5 epochs on digits, 6000 samples "
                             "on keras")
    parser.add_argument("--threads", type=int, default=N_THREADS,
                        help=f"threads for every library (default {N_THREADS}, "
                             "the workloads')")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    return args


def main(argv=None):
    """Run the benchmark; returns the summary rows (a list of dicts)."""
    args = parse_args(argv)
    torch = import_torch()
    limiter = limit_threads(args.threads)
    torch_threads = None
    if torch is not None:
        torch_threads = torch.get_num_threads()
        torch.set_num_threads(args.threads)
    try:
        print_header(args.threads, torch)
        print(f"start: {loadavg()} (other load on the machine skews timings)")
        if torch is None:
            print("PyTorch not importable: skipping the torch anchor.")
        rows, peak = [], None
        with warnings.catch_warnings():
            # tol=0 runs all epochs on purpose: silence "max_iter reached" warnings.
            warnings.simplefilter("ignore")
            if args.workload in ("digits", "all"):
                rows += bench_digits(args.repeats, args.quick, torch)
            if args.workload in ("keras", "all"):
                keras_rows, peak = bench_keras(args.repeats, args.quick, torch,
                                               args.threads)
                rows += keras_rows
        _print_summary(rows, peak)
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)
    return rows


if __name__ == "__main__":
    main()
