"""Benchmark skdeep.ConvNetClassifier against PyTorch CPU on the CNN workloads.

Workloads (definitions in shared/WORKLOADS.md):

* CNN-digits: load_digits as (1, 8, 8), the MLP-digits split; conv 16@3x3 pad 1
  relu, maxpool 2, conv 32@3x3 pad 1 relu, maxpool 2, dense 10 softmax; adam
  1e-3, batch 32, 30 epochs. Metrics: fit wall seconds, test accuracy.
* CNN-convnetjs: the first 10,000 MNIST training images, tested on the 10,000
  test images; ConvNetJS's MNIST demo net (conv 8@5x5 pad 2 relu, pool 2/2,
  conv 16@5x5 pad 2 relu, pool 3/3, softmax 10); SGD momentum 0.9, lr 0.01,
  batch 32, 1 epoch. Metrics: seconds per epoch, test accuracy.
* CNN-mnist1d: mnist1d.npz (4000 train / 1000 test, length 40); the paper's CNN
  (conv 25@5 stride 2 pad 1, conv 25@3 stride 2 pad 1, conv 25@3 stride 2 pad 1,
  relu after each, linear 125->10) on 1x1x40 images with 1xk kernels; adam 1e-2,
  batch 100, 50 epochs. Metrics: test accuracy, fit seconds.

The anchor is PyTorch on the CPU (the same nets, float32, the same batches per
epoch) when ``import torch`` works; without it only skdeep runs. Both use 2
threads and run interleaved in one process; ratios are skdeep / torch medians.

Usage::

    python benchmarks/bench_cnn.py --data ../shared/data      # all workloads
    python benchmarks/bench_cnn.py --workload convnetjs --repeats 5
    python benchmarks/bench_cnn.py --quick                    # smoke test
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

N_THREADS = 2
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(N_THREADS))

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

try:  # run from a checkout without installing skdeep
    import skdeep  # noqa: F401, E402
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from skdeep import ConvNetClassifier  # noqa: E402
from skdeep.datasets import load_mnist  # noqa: E402

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def conv(filters, size, stride=1, pad=0):
    """A ConvNetJS conv layer dict; ``size``/``stride``/``pad`` may be (y, x)."""
    ky, kx = (size, size) if np.ndim(size) == 0 else size
    return {"type": "conv", "sx": kx, "sy": ky, "filters": filters,
            "stride": stride, "pad": pad, "activation": "relu"}


# name -> (skdeep layer dicts, torch builder, trainer settings)
def workloads(data_dir, quick):
    out = {}
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        (X / 16).reshape(-1, 1, 8, 8).astype(np.float32), y, test_size=0.25,
        random_state=0, stratify=y)
    out["CNN-digits"] = dict(
        layers=[conv(16, 3, pad=1), {"type": "pool", "sx": 2},
                conv(32, 3, pad=1), {"type": "pool", "sx": 2}],
        torch=[("conv", 1, 16, 3, 1, 1), ("pool", 2), ("conv", 16, 32, 3, 1, 1),
               ("pool", 2), ("flat",), ("fc", 32 * 2 * 2, 10)],
        solver="adam", lr=1e-3, batch=32, epochs=3 if quick else 30,
        data=(X_tr, y_tr, X_te, y_te))
    mnist = Path(data_dir) / "mnist"
    if (mnist / "train-images-idx3-ubyte.gz").exists():
        Xm, ym = load_mnist(mnist, "train")
        Xt, yt = load_mnist(mnist, "test")
        n = 1000 if quick else 10000
        to_img = lambda a: (a.reshape(-1, 1, 28, 28) / 255).astype(np.float32)  # noqa
        out["CNN-convnetjs"] = dict(
            layers=[conv(8, 5, pad=2), {"type": "pool", "sx": 2, "stride": 2},
                    conv(16, 5, pad=2), {"type": "pool", "sx": 3, "stride": 3}],
            torch=[("conv", 1, 8, 5, 1, 2), ("pool", 2), ("conv", 8, 16, 5, 1, 2),
                   ("pool", 3), ("flat",), ("fc", 16 * 4 * 4, 10)],
            solver="sgd", lr=0.01, batch=32, epochs=1,
            data=(to_img(Xm[:n]), ym[:n], to_img(Xt[: 2000 if quick else None]),
                  yt[: 2000 if quick else None]))
    npz = Path(data_dir) / "mnist1d.npz"
    if npz.exists():
        d = np.load(npz, allow_pickle=True)
        keys = set(d.files)
        X1 = d["x"] if "x" in keys else d["X"]
        X1t = d["x_test"] if "x_test" in keys else d["X_test"]
        y1, y1t = d["y"], d["y_test"]
        as_img = lambda a: a.reshape(len(a), 1, 1, -1).astype(np.float32)  # noqa
        out["CNN-mnist1d"] = dict(
            layers=[conv(25, (1, 5), (1, 2), (0, 1)), conv(25, (1, 3), (1, 2), (0, 1)),
                    conv(25, (1, 3), (1, 2), (0, 1))],
            torch=[("conv", 1, 25, (1, 5), (1, 2), (0, 1)),
                   ("conv", 25, 25, (1, 3), (1, 2), (0, 1)),
                   ("conv", 25, 25, (1, 3), (1, 2), (0, 1)), ("flat",),
                   ("fc", 125, 10)],
            solver="adam", lr=1e-2, batch=100, epochs=3 if quick else 50,
            data=(as_img(X1), y1, as_img(X1t), y1t))
    return out


def run_skdeep(w, seed):
    X_tr, y_tr, X_te, y_te = w["data"]
    net = ConvNetClassifier(
        w["layers"], solver=w["solver"], learning_rate_init=w["lr"],
        momentum=0.9, nesterovs_momentum=False, batch_size=w["batch"],
        max_iter=w["epochs"], tol=None, l2_decay=0.0, random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X_tr, y_tr)
    seconds = time.perf_counter() - start
    return seconds, float(net.score(X_te, y_te))


def run_torch(torch, w, seed):
    nn = torch.nn
    torch.manual_seed(seed)
    mods = []
    for spec in w["torch"]:
        if spec[0] == "conv":
            _, cin, cout, k, s, p = spec
            mods += [nn.Conv2d(cin, cout, k, stride=s, padding=p), nn.ReLU()]
        elif spec[0] == "pool":
            mods.append(nn.MaxPool2d(spec[1]))
        elif spec[0] == "flat":
            mods.append(nn.Flatten())
        else:
            mods.append(nn.Linear(spec[1], spec[2]))
    net = nn.Sequential(*mods)
    if w["solver"] == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=w["lr"])
    else:
        opt = torch.optim.SGD(net.parameters(), lr=w["lr"], momentum=0.9)
    X_tr, y_tr, X_te, y_te = w["data"]
    X = torch.from_numpy(X_tr)
    y = torch.from_numpy(np.asarray(y_tr, dtype=np.int64))
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for _ in range(w["epochs"]):
        perm = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), w["batch"]):
            idx = perm[i:i + w["batch"]]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(X[idx]), y[idx])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        pred = net(torch.from_numpy(X_te)).argmax(1).numpy()
    return seconds, float(np.mean(pred == np.asarray(y_te)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA),
                        help="folder with mnist/ and mnist1d.npz (shared/data)")
    parser.add_argument("--workload", default="all",
                        choices=["all", "digits", "convnetjs", "mnist1d"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny smoke test")
    args = parser.parse_args(argv)
    try:
        import torch
        torch.set_num_threads(N_THREADS)
    except Exception:  # ImportError or a broken install: skdeep alone
        torch = None
    chosen = workloads(args.data, args.quick)
    if args.workload != "all":
        chosen = {k: v for k, v in chosen.items()
                  if k.lower() == f"cnn-{args.workload}"}
    limits = threadpool_limits(N_THREADS) if threadpool_limits else None
    rows = []
    try:
        for name, w in chosen.items():
            print(f"\n== {name}: {len(w['data'][0])} train / {len(w['data'][2])} "
                  f"test, {w['solver']} lr {w['lr']}, batch {w['batch']}, "
                  f"{w['epochs']} epoch(s) ==")
            runs = {"skdeep": [], "torch": []}
            for rep in range(args.repeats):  # interleaved: skdeep, torch, ...
                runs["skdeep"].append(run_skdeep(w, rep))
                if torch is not None:
                    runs["torch"].append(run_torch(torch, w, rep))
            med = {}
            for impl, res in runs.items():
                if not res:
                    continue
                secs = [s for s, _ in res]
                accs = [a for _, a in res]
                med[impl] = statistics.median(secs)
                per_epoch = med[impl] / w["epochs"]
                print(f"  {impl:7s} runs {', '.join(f'{s:.2f}' for s in secs)} s; "
                      f"median {med[impl]:.2f} s ({per_epoch:.3f} s/epoch); test "
                      f"accuracy {statistics.mean(accs):.4f} "
                      f"(min {min(accs):.4f}, max {max(accs):.4f})")
                rows.append(dict(workload=name, impl=impl, seconds=med[impl],
                                 per_epoch=per_epoch, accuracy=statistics.mean(accs)))
            if "torch" in med:
                print(f"  [{name}] ratio skdeep/torch = "
                      f"{med['skdeep'] / med['torch']:.2f} (medians)")
            else:
                print(f"  [{name}] PyTorch not importable: no ratio")
    finally:
        if limits is not None:
            limits.unregister() if hasattr(limits, "unregister") else None
    print("\nSummary")
    for r in rows:
        print(f"  {r['workload']:14s} {r['impl']:7s} {r['seconds']:8.2f} s "
              f"{r['per_epoch']:7.3f} s/epoch  acc {r['accuracy']:.4f}")
    return rows


if __name__ == "__main__":
    main()
