"""Smoke tests of the benchmark scripts: they run and print their ratios.

(bench_distributed's is in test_distributed.py, on that module's cluster.)

Timings are never asserted (shared, noisy machines); only that the quick
configuration completes and reports what it should.
"""

import importlib.util
from pathlib import Path

import numpy as np

BENCHMARKS_DIR = Path(__file__).resolve().parents[1] / "benchmarks"


def load_bench(name):
    """Import ``benchmarks/<name>.py`` as a module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_mlp_quick_runs(capsys):
    bench = load_bench("bench_mlp")
    rows = bench.main(["--quick", "--repeats", "1", "--threads", "1"])
    out = capsys.readouterr().out
    assert "[digits] ratio skdeep/sklearn = " in out
    assert "[keras] ratio skdeep/sklearn = " in out
    assert "GEMM peak (1024^3, 1 threads)" in out
    assert "Summary" in out
    workloads = {(r["workload"], r["impl"]) for r in rows}
    assert {("MLP-digits", "skdeep"), ("MLP-digits", "sklearn"),
            ("MLP-keras", "skdeep"), ("MLP-keras", "sklearn")} <= workloads


def test_bench_rnn_quick_runs(capsys):
    bench = load_bench("bench_rnn")
    # one thread: the quick models are tiny, and extra threads only stall on a
    # busy machine (no timing is asserted anyway)
    rows = bench.main(["--quick", "--repeats", "1", "--threads", "1"])
    out = capsys.readouterr().out
    assert "== LSTM speed" in out and "== RNN quality" in out
    assert "quality budget: 1 pass(es) over 8,000 of" in out
    assert "Summary" in out
    impls = {(r["workload"], r["impl"]) for r in rows}
    assert {("LSTM-shakespeare", "skdeep"), ("RNN-shakespeare", "skdeep")} <= impls
    for r in rows:
        assert r["s_per_100k"] > 0 and 0 < r["bits_per_char"] < 10
    if bench.import_torch() is not None:
        assert "[lstm] ratio skdeep/torch = " in out
        assert ("LSTM-shakespeare", "torch") in impls
        # same data, same windows, same initialisation: close bits per character
        by = {(r["workload"], r["impl"]): r["bits_per_char"] for r in rows}
        for w in ("LSTM-shakespeare", "RNN-shakespeare"):
            assert abs(by[(w, "skdeep")] - by[(w, "torch")]) < 0.5


def test_bench_rbm_quick_runs(capsys):
    bench = load_bench("bench_rbm")
    # one thread: the quick fits are small, and extra threads only stall on a
    # busy machine (no timing is asserted anyway)
    rows = bench.main(["--quick", "--repeats", "1", "--threads", "1"])
    out = capsys.readouterr().out
    assert "threads: 1;" in out
    assert "== RBM-digits: 1347 train / 450 test, n_components 100" in out
    assert "[rbm] ratio skdeep/sklearn = " in out
    assert "[rbm] ratio skdeep-sampled/sklearn = " in out
    assert "Summary" in out
    assert [r["impl"] for r in rows] == ["skdeep", "skdeep-sampled", "sklearn"]
    for r in rows:
        assert r["workload"] == "RBM-digits" and r["time"] > 0
        assert r["pl"] < 0 and r["pl_exact"] < 0  # log-likelihoods
        assert 0.0 <= r["acc"] <= 1.0


def test_bench_rbm_expected_pseudo_likelihood_is_the_mean_score():
    # The exact expectation equals the average of many score_samples calls.
    bench = load_bench("bench_rbm")
    data = bench.digits_data()
    rbm = bench.make_rbm("skdeep", 2, 0).fit(data[0][:300])
    exact = bench.expected_pseudo_likelihood(rbm, data[1][:100])
    sampled = bench.mean_score_samples(rbm, data[1][:100], 60)
    assert rbm.random_state == 0  # restored after scoring
    assert abs(sampled - exact) < 0.05 * abs(exact)



def test_bench_predict_quick_runs(capsys):
    bench = load_bench("bench_predict")
    rows = bench.main(["--quick", "--repeats", "1", "--threads", "1"])
    out = capsys.readouterr().out
    assert "== predict throughput" in out
    models = {(r["model"], r["batch"]) for r in rows}
    assert {("MLPNet", 1), ("MLPNet", 100), ("ConvNetClassifier", 1),
            ("RNNLanguageModel", "stream")} <= models
    assert all(r["skdeep"] > 0 for r in rows)
    if bench.import_torch() is not None:
        # the torch twins carry the same weights: the same labels and bits/char
        assert all(r["torch"] > 0 for r in rows)
        assert all(r["same_labels"] >= 0.99 for r in rows if "same_labels" in r)
        ours, theirs = rows[-1]["bits_per_char"]
        assert abs(ours - theirs) < 1e-3


def test_bench_scaling_quick_runs(capsys):
    bench = load_bench("bench_scaling")
    rows = bench.main(["--quick", "--repeats", "1", "--threads", "1"])
    out = capsys.readouterr().out
    assert "log-log slopes" in out
    assert {(r["model"], r["axis"]) for r in rows} == {
        (m, a) for m in ("mlp", "convnet") for a in ("n_samples", "width", "depth")}
    for r in rows:
        assert len(r["seconds"]) == len(r["sizes"]) and np.isfinite(r["slope"])
    # the slope of a known power law
    assert abs(bench.slope([1, 2, 4], [3.0, 12.0, 48.0]) - 2.0) < 1e-9


def test_bench_gemm_quick_runs(capsys):
    bench = load_bench("bench_gemm")
    rows, sequence_rows = bench.main(["--quick", "--threads", "1"])
    out = capsys.readouterr().out
    assert "== matrix products" in out
    assert "== every product of a fit" in out
    assert [r["workload"] for r in sequence_rows] == list(bench.SEQUENCES)
    for r in sequence_rows:
        assert r["numpy"] > 0
        if bench.import_torch() is not None:
            assert r["torch"] > 0 and r["ratio"] == r["numpy"] / r["torch"]
    assert [(r["workload"], r["product"]) for r in rows] == [
        (w, p) for w, p, *_ in bench.SHAPES]
    for r, (_, _, m, k, n, _) in zip(rows, bench.SHAPES):
        assert r["numpy"] > 0
        assert r["shape"] == f"({m}x{k})@({k}x{n})"
        if bench.import_torch() is not None:
            assert r["torch"] > 0 and r["ratio"] == r["numpy"] / r["torch"]
    # the operands are in the layers' layouts: transposed views where named
    a, b = bench.operands(3, 4, 5, "a", np.random.default_rng(0))
    assert a.shape == (3, 4) and b.shape == (4, 5)
    assert a.flags.f_contiguous and not a.flags.c_contiguous and b.flags.c_contiguous
