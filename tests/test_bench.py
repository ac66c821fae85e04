"""`python -m evals.bench` runs end to end with tiny sizes and prints its table (timing unchecked).

The process figures are checked on their own: a child's peak memory is the child's, not the
size of the benchmark process that started it.
"""

from __future__ import annotations

import os
import sys

import pytest

from evals import bench
from evals.bench_procs import run_process
from tests.model import MODEL_DIR, needs_model


@needs_model
def test_quick_bench_prints_every_figure_with_its_ratio_and_gate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COACH_EMBEDDING_MODEL_DIR", str(MODEL_DIR))
    monkeypatch.setenv("COACH_DATA_DIR", os.environ["COACH_DATA_DIR"])  # restored afterwards
    code = bench.main(["--quick", "--skip", "cold", "app"])
    out = capsys.readouterr().out
    rows = {line.split("  ")[0]: line for line in out.splitlines()[3:]}
    assert out.startswith(f"{os.cpu_count()} CPUs; load average")
    assert "1.00x floor" in rows["floor: short query + k-NN (median)"]
    assert "x floor" in rows["Chroma default query_texts (median)"]
    gated = [rows["offline coach turn, warm (median)"], rows["offline coach turn, warm (p95)"]]
    assert "<= 2.0x" in gated[0] and "<= 3.0x" in gated[1]
    assert all(("PASS" in row) != ("FAIL" in row) for row in gated)
    assert code == (1 if any("FAIL" in row for row in gated) else 0)
    for name in ("rehearsal turn, warm (p95)", "1 concurrent sessions: turns/s",
                 "2 concurrent sessions: p95"):
        assert name in rows
    assert not any(line.startswith(("cold", "app", "bare")) for line in rows)


def test_a_child_process_reports_its_own_peak_memory() -> None:
    grow = "import time; b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); " \
           "time.sleep(0.2)"  # touches 300 MB, then holds them a moment
    small = run_process([sys.executable, "-c", "pass"])
    big = run_process([sys.executable, "-c", grow])
    assert small.peak_mb < 100 < 300 <= big.peak_mb
    assert small.seconds > 0


def test_a_failing_child_process_is_an_error_not_a_figure() -> None:
    with pytest.raises(RuntimeError, match="exited 3"):
        run_process([sys.executable, "-c", "import sys; sys.exit(3)"])
