"""The matrix products of the workloads: numpy's BLAS against PyTorch's.

Every skdeep fit spends most of its time in numpy's ``matmul`` (OpenBLAS in
numpy's wheels), PyTorch's in its own BLAS (MKL / oneDNN in its CPU wheels).
This script times the products that the MLP-keras and LSTM-shakespeare
workloads run every step, in their shapes, float32, with the same threads,
interleaved in one process (numpy, torch, numpy, torch, ...; medians; each
turn starts after a pause, as the other library's thread pool may still be
spinning on the cores). Where
numpy's product is slower, that share of a fit's time cannot reach PyTorch's
by any change in skdeep: it bounds the fit ratios of ``bench_mlp.py`` and
``bench_rnn.py``.

Shapes (``(M, K) @ (K, N)``):

* MLP-keras, batch 100 through 784-500-500-10: the forward products of the two
  large layers, and the second layer's weight and input gradients.
* LSTM-shakespeare, batch 64, hidden 256, 100 steps: the recurrent product of a
  step (all four gates), its backward ``dz W_hᵀ``, and the window's ``dW_h``.
* A square 2048 × 2048 product: each BLAS's rate on a large product, where it
  runs near its best, to set its rates on the small products against.

Then every product of a fit's unit of work (an MLP-keras batch, an LSTM
window: :data:`SEQUENCES`) is replayed in the fit's order, and the time is
given per epoch / per 100,000 characters: what a fit spends in products alone
at each library's rates. Set against a fit's time in ``bench_mlp.py`` or
``bench_rnn.py``, it shows how much is left for everything else.

Usage::

    python benchmarks/bench_gemm.py              # medians of 9 rounds
    python benchmarks/bench_gemm.py --quick      # smoke test
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402  (sets the BLAS thread variables first)
    N_THREADS,
    import_torch,
    limit_threads,
    loadavg,
    median,
    print_header,
    ratio,
)

import numpy as np  # noqa: E402

#: (workload, product, M, K, N, which operands are transposed views), the
#: memory layouts in which skdeep's layers pass them
SHAPES = [
    ("MLP-keras", "layer 1 forward", 100, 784, 500, ""),
    ("MLP-keras", "layer 2 forward", 100, 500, 500, ""),
    ("MLP-keras", "layer 2 dW = xᵀg", 500, 100, 500, "a"),
    ("MLP-keras", "layer 2 dx = gWᵀ", 100, 500, 500, "b"),
    ("LSTM-shakespeare", "step h W_h", 64, 256, 1024, ""),
    ("LSTM-shakespeare", "step dz W_hᵀ", 64, 1024, 256, ""),
    ("LSTM-shakespeare", "window dW_h", 256, 6400, 1024, "a"),
    # each BLAS on a large square product, near its best rate
    ("BLAS peak", "square 2048", 2048, 2048, 2048, ""),
]


#: Every product of one unit of work, in the fit's order: (product, M, K, N,
#: transposed operands, calls per unit), with the units per reported figure.
#: MLP-keras: one batch of 100 (784-500-500-10; the first layer computes no
#: input gradient), 600 batches per epoch. LSTM-shakespeare: one window of
#: 100 steps of batch 64 (hidden 256, 67 tokens; the one-hot input's weight
#: gradient is a one-hot GEMM, the output layer runs once per window), 15.625
#: windows per 100,000 characters.
SEQUENCES = {
    "MLP-keras": {"per": "epoch", "units": 600, "products": [
        ("layer 1 forward", 100, 784, 500, "", 1),
        ("layer 2 forward", 100, 500, 500, "", 1),
        ("layer 3 forward", 100, 500, 10, "", 1),
        ("layer 3 dW", 500, 100, 10, "a", 1),
        ("layer 3 dx", 100, 10, 500, "b", 1),
        ("layer 2 dW", 500, 100, 500, "a", 1),
        ("layer 2 dx", 100, 500, 500, "b", 1),
        ("layer 1 dW", 784, 100, 500, "a", 1),
    ]},
    "LSTM-shakespeare": {"per": "100k chars", "units": 100_000 / 6400, "products": [
        ("step h W_h", 64, 256, 1024, "", 100),
        ("step dz W_hᵀ", 64, 1024, 256, "", 100),
        ("window dW_h", 256, 6400, 1024, "a", 1),
        ("window dW_x (one-hot)", 67, 6400, 1024, "a", 1),
        ("output forward", 6400, 256, 67, "", 1),
        ("output dW", 256, 6400, 67, "a", 1),
        ("output dx", 6400, 67, 256, "b", 1),
    ]},
}


def operands(m, k, n, transposed, rng):
    """``a (m, k)``, ``b (k, n)`` float32; those named in ``transposed`` are
    transposed views of C-ordered arrays."""
    def draw(rows, cols, view):
        if view:
            return rng.standard_normal((cols, rows), dtype=np.float32).T
        return rng.standard_normal((rows, cols), dtype=np.float32)

    return draw(m, k, "a" in transposed), draw(k, n, "b" in transposed)


#: Pause before each turn: a thread pool busy-waits for a while after its
#: last call (OpenBLAS's for about 0.1 s), and spinning threads of the other
#: library would share the cores with the timed calls.
PAUSE = 0.3


def time_calls(fn, calls, pause=0.0):
    time.sleep(pause)
    fn()  # warm: caches, and the pool's threads awake
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def matmuls(m, k, n, transposed, rng, torch):
    """One product ``(m, k) @ (k, n)`` as ``{"numpy": call, "torch": call}``
    (torch's only when it is importable), on the same operands, into
    preallocated outputs."""
    a, b = operands(m, k, n, transposed, rng)
    out = np.empty((m, n), dtype=np.float32)
    calls = {"numpy": lambda: np.matmul(a, b, out=out)}
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        tout = torch.empty((m, n), dtype=torch.float32)
        calls["torch"] = lambda: torch.matmul(ta, tb, out=tout)
    return calls


def interleaved_medians(runs, rounds, target_seconds, torch, pause):
    """Median seconds per call of each of ``runs`` (``{impl: fn}``), taking
    turns for ``rounds`` rounds of about ``target_seconds`` each (torch's in
    inference mode)."""
    def timed(impl, fn, calls):
        if impl != "torch":
            return time_calls(fn, calls, pause)
        with torch.inference_mode():
            return time_calls(fn, calls, pause)

    calls = max(1, int(target_seconds / max(time_calls(runs["numpy"], 1), 1e-6)))
    times = {impl: [] for impl in runs}
    for _ in range(rounds):
        for impl, fn in runs.items():
            times[impl].append(timed(impl, fn, calls))
    return {impl: median(t) for impl, t in times.items()}


def bench(shapes, rounds, target_seconds, torch, pause=PAUSE):
    """Median seconds per product for numpy and torch, one row per shape."""
    rng = np.random.default_rng(0)
    rows = []
    for workload, name, m, k, n, transposed in shapes:
        runs = matmuls(m, k, n, transposed, rng, torch)
        row = {"workload": workload, "product": name, "shape": f"({m}x{k})@({k}x{n})",
               "gflop": 2 * m * k * n / 1e9}
        row.update(interleaved_medians(runs, rounds, target_seconds, torch, pause))
        rows.append(row)
    return rows


def bench_sequences(sequences, rounds, target_seconds, torch, pause=PAUSE,
                    scale=1.0):
    """Seconds per reported unit (an epoch, 100k characters) spent in the
    products alone, the fit's whole sequence replayed in order.

    ``scale`` shrinks every dimension (the smoke test). Returns one row per
    workload with the ``numpy`` (and ``torch``) seconds per unit.
    """
    rng = np.random.default_rng(0)
    rows = []
    for workload, seq in sequences.items():
        sequence = []  # one {impl: call} per product call, in the fit's order
        for _, m, k, n, transposed, count in seq["products"]:
            m, k, n = (max(1, round(d * scale)) for d in (m, k, n))
            sequence += [matmuls(m, k, n, transposed, rng, torch)] * count

        def replay(impl, sequence=sequence):
            calls = [product[impl] for product in sequence]

            def run():
                for call in calls:
                    call()

            return run

        runs = {impl: replay(impl) for impl in sequence[0]}
        row = {"workload": workload, "per": seq["per"]}
        for impl, seconds in interleaved_medians(runs, rounds, target_seconds,
                                                 torch, pause).items():
            row[impl] = seconds * seq["units"]
        rows.append(row)
    return rows


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9,
                        help="interleaved rounds per product (default 9)")
    parser.add_argument("--threads", type=int, default=N_THREADS)
    parser.add_argument("--quick", action="store_true", help="smoke test: 2 rounds")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch = import_torch()
    limiter = limit_threads(args.threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    try:
        print_header(args.threads, torch)
        print(loadavg())
        if args.quick:
            rows = bench(SHAPES, 2, 0.005, torch, pause=0.0)
            sequence_rows = bench_sequences(SEQUENCES, 1, 0.005, torch, pause=0.0,
                                            scale=0.1)
        else:
            rows = bench(SHAPES, args.rounds, 0.2, torch)
            sequence_rows = bench_sequences(SEQUENCES, args.rounds, 0.5, torch)
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    print("\n== matrix products (median µs per product; ratio = numpy / torch, "
          "> 1: numpy slower) ==")
    for r in rows:
        line = (f"  {r['workload']:<17} {r['product']:<18} {r['shape']:<22} "
                f"numpy {r['numpy'] * 1e6:9.1f} µs "
                f"({r['gflop'] / r['numpy']:6.1f} GF/s)")
        if "torch" in r:
            r["ratio"] = ratio(r["numpy"], r["torch"])
            line += (f"   torch {r['torch'] * 1e6:9.1f} µs "
                     f"({r['gflop'] / r['torch']:6.1f} GF/s)   ratio {r['ratio']:.2f}")
        print(line)
    print("\n== every product of a fit, replayed in order (median seconds per "
          "unit; the fit's other work excluded) ==")
    for r in sequence_rows:
        line = f"  {r['workload']:<17} numpy {r['numpy']:7.3f} s/{r['per']}"
        if "torch" in r:
            r["ratio"] = ratio(r["numpy"], r["torch"])
            line += (f"   torch {r['torch']:7.3f} s/{r['per']}   "
                     f"ratio {r['ratio']:.2f}")
        print(line)
    if torch is None:
        print("  (torch not importable: numpy only)")
    print(loadavg())
    return rows, sequence_rows


if __name__ == "__main__":
    main()
