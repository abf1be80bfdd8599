"""Smoke test of benchmarks/bench_mlp.py: it runs and prints its ratios.

Timings are never asserted (shared, noisy machines); only that the quick
configuration completes and reports what it should.
"""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_mlp.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_mlp", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_mlp_quick_runs(capsys):
    bench = _load_bench()
    rows = bench.main(["--quick", "--repeats", "1"])
    out = capsys.readouterr().out
    assert "[digits] ratio skdeep/sklearn = " in out
    assert "[keras] ratio skdeep/sklearn = " in out
    assert "GEMM peak" in out
    assert "Summary" in out
    workloads = {(r["workload"], r["impl"]) for r in rows}
    assert {("MLP-digits", "skdeep"), ("MLP-digits", "sklearn"),
            ("MLP-keras", "skdeep"), ("MLP-keras", "sklearn")} <= workloads
