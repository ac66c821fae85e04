"""`python -m evals.bench [--json] [--quick] [--skip PART ...]`: issue 7's figures in one run.

Every figure comes with a ratio: to the floor (one short query embedded without padding plus
a k-NN over the cards, sampled between the turns) or to the bare script (a process that imports
chromadb, loads the model and runs one query). Gates: an offline coach turn's median <= 2.0x
the floor and p95 <= 3.0x; a cold `coach retrieve` <= 1.5x the bare script. A benchmark, not a
test: figures depend on the machine and its load, which the output records. It needs the local
model (COACH_EMBEDDING_MODEL_DIR or --model-dir) and works in a temporary data dir of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from evals.bench_table import Figure, p95, ratio_figure, table

PARTS = ("rehearsal", "cold", "app", "concurrent")
FULL = {"turns": 200, "rehearsal": 200, "samples": 30, "runs": 5, "threads": (1, 4, 16),
        "units": None, "streams": 10}
QUICK = {"turns": 12, "rehearsal": 6, "samples": 3, "runs": 1, "threads": (1, 2), "units": 12,
         "streams": 2}
QUERY = "they said no"


def turn_figures(sizes: dict) -> tuple[list[Figure], float]:
    from evals.bench_turns import FLOOR_QUERY, Floor, chroma_default, coach_turns, screen_turns

    floor = Floor()
    turns, floors = coach_turns(sizes["turns"], floor)
    screens = screen_turns(sizes["turns"], floor)
    base = statistics.median(floors)
    stock = chroma_default(floor, sizes["samples"])
    return [
        ratio_figure("floor: short query + k-NN (median)", base, base, "floor", "ms", scale=1e3,
                     detail=f"{FLOOR_QUERY!r}, k=3, {len(floors)} samples between the turns"),
        ratio_figure("Chroma default query_texts (median)", statistics.median(stock), base,
                     "floor", "ms", scale=1e3, detail="stock ONNXMiniLM_L6_V2: pads to 256"),
        ratio_figure("offline coach turn, warm (median)", statistics.median(turns), base,
                     "floor", "ms", 2.0, f"{len(turns)} turns, conversation suite", 1e3),
        ratio_figure("offline coach turn, warm (p95)", p95(turns), base, "floor", "ms", 3.0,
                     scale=1e3),
        ratio_figure("crisis screen over the shared vector (median)", statistics.median(screens),
                     base, "floor", "ms", detail=f"{len(screens)} turns; target <= 2 ms",
                     scale=1e3),
        ratio_figure("crisis screen over the shared vector (p95)", p95(screens), base, "floor",
                     "ms", scale=1e3),
    ], base


def stream_figures(sizes: dict) -> list[Figure]:
    from evals.bench_turns import first_sentence

    samples = first_sentence(sizes["streams"])
    shown = statistics.median(s for s, _ in samples)
    model = statistics.median(m for _, m in samples)
    detail = (f"{len(samples)} replies, 50 pieces 20 ms apart; first text "
              f"{1e3 * (shown - model):.1f} ms after the model's first sentence (target <= 50 ms)")
    return [ratio_figure("LLM reply: first text shown (median)", shown, model,
                         "first sentence", "ms", detail=detail, scale=1e3)]


def rehearsal_figures(sizes: dict, floor: float) -> list[Figure]:
    from evals.bench_turns import rehearsal_turns

    samples = rehearsal_turns(sizes["rehearsal"])
    detail = f"{len(samples)} moves from evals/data/moves.jsonl"
    return [ratio_figure("rehearsal turn, warm (median)", statistics.median(samples), floor,
                         "floor", "ms", detail=detail, scale=1e3),
            ratio_figure("rehearsal turn, warm (p95)", p95(samples), floor, "floor", "ms",
                         scale=1e3)]


def cold_figures(sizes: dict, data_dir: Path, message: str) -> tuple[list[Figure], float, float]:
    from coach.embedding import resolve_model_dir
    from coach.settings import get_settings
    from evals.bench_procs import bare_command, coach_command, cold_runs, run_process

    model_dir = get_settings().embedding_model_dir
    assert model_dir is not None
    script = data_dir / "one-turn.json"
    script.write_text(json.dumps({"turns": [message]}), encoding="utf-8")
    runs = cold_runs({"bare": bare_command(resolve_model_dir(model_dir), data_dir),
                      "retrieve": coach_command("retrieve", QUERY),
                      "replay": coach_command("replay", str(script), "--offline")}, sizes["runs"])
    seconds = {name: statistics.median(r.seconds for r in rs) for name, rs in runs.items()}
    peaks = {name: max(r.peak_mb for r in rs) for name, rs in runs.items()}
    base = seconds["bare"]
    empty = run_process(coach_command("retrieve", QUERY),
                        env={**os.environ, "COACH_DATA_DIR": str(data_dir / "empty")})
    n = f"median of {sizes['runs']}"
    return [
        ratio_figure("bare script: chromadb + model + 1 query", base, base, "bare", "s",
                     detail=f"{n}; peak {peaks['bare']:.0f} MB"),
        ratio_figure(f"cold `coach retrieve {QUERY!r}`", seconds["retrieve"], base, "bare", "s",
                     1.5, f"{n}; peak {peaks['retrieve']:.0f} MB"),
        ratio_figure("cold `coach replay` 1 turn --offline", seconds["replay"], base, "bare", "s",
                     detail=f"{n}; peak {peaks['replay']:.0f} MB"),
        ratio_figure("cold `coach retrieve`, empty store", empty.seconds, base, "bare", "s",
                     detail="first start: indexes the cards (1 run)"),
    ], base, peaks["bare"]


def app_figures(data_dir: Path, message: str, bare_s: float | None,
                bare_mb: float | None) -> list[Figure]:
    from evals.bench_procs import app_figures as measure

    app = measure(data_dir, message)
    paint = "streamlit run -> chat input visible in chromium"
    return [ratio_figure("app first paint", app.first_paint, bare_s, "bare", "s", detail=paint),
            ratio_figure("app peak memory", app.peak_mb, bare_mb, "bare", "MB",
                         detail="VmHWM after 1 reply, vs the bare script's peak")]


def concurrent_figures(sizes: dict, floor: float) -> list[Figure]:
    from evals.bench_turns import concurrency_units, concurrent

    units = concurrency_units()[: sizes["units"]]
    figures = []
    for n in sizes["threads"]:
        per_second, latencies = concurrent(n, units)
        detail = f"{len(latencies)} turns, threads sharing offline_deps()"
        figures += [
            Figure(f"{n} concurrent sessions: turns/s", per_second, "turns/s",
                   per_second * floor, "floor rate", detail=detail),
            ratio_figure(f"{n} concurrent sessions: p95", p95(latencies), floor, "floor", "ms",
                         scale=1e3),
        ]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks it runs")
    parser.add_argument("--skip", nargs="*", default=[], choices=PARTS, help="parts to leave out")
    parser.add_argument("--model-dir", type=Path,
                        default=os.environ.get("COACH_EMBEDDING_MODEL_DIR") or None,
                        help="all-MiniLM-L6-v2 folder (default: $COACH_EMBEDDING_MODEL_DIR)")
    args = parser.parse_args(argv)
    if args.model_dir is None:
        parser.error("no model: set COACH_EMBEDDING_MODEL_DIR or pass --model-dir")
    sizes = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        data_dir = Path(tmp)
        for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COACH_CHROMA_URL", "COACH_DATABASE_URL"):
            os.environ.pop(name, None)  # offline, local store, local database
        os.environ["COACH_DATA_DIR"] = str(data_dir)
        os.environ["COACH_EMBEDDING_MODEL_DIR"] = str(args.model_dir)
        from coach.retrieval import get_retriever
        from coach.settings import get_settings
        from evals.bench_turns import conversations

        get_settings.cache_clear()
        get_retriever.cache_clear()
        if get_retriever().backend == "lexical":  # builds the index the processes below reuse
            parser.error(f"no dense search: {get_retriever().notice}")
        load_before = os.getloadavg()
        figures, floor = turn_figures(sizes)
        figures += stream_figures(sizes)
        message = conversations()[0][0]
        if "rehearsal" not in args.skip:
            figures += rehearsal_figures(sizes, floor)
        bare_s = bare_mb = None
        if "cold" not in args.skip:
            cold, bare_s, bare_mb = cold_figures(sizes, data_dir, message)
            figures += cold
        if "app" not in args.skip:
            figures += app_figures(data_dir, message, bare_s, bare_mb)
        if "concurrent" not in args.skip:
            figures += concurrent_figures(sizes, floor)
        load = f"load average {load_before[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end"
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), "load": load,
                          "figures": [asdict(f) for f in figures]}, indent=2))
    else:
        print(f"{os.cpu_count()} CPUs; {load}\n{table(figures)}")
    return 1 if any(f.passed is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
