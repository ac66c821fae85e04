"""Whole-process timings for the benchmark: cold commands, the bare chromadb script, the app.

A run is timed from spawn to exit, and its peak memory read from /proc while it runs.
The app is started and painted with the browser test's own machinery (tests/test_browser.py).
It does not build the index: the caller points every process at a data dir that has one.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The least a script can do to answer a query: import chromadb, load the model, embed the
# query without padding, and ask the cards' collection for its 3 nearest cards.
BARE_SCRIPT = """
import sys
import chromadb, numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
folder, store = sys.argv[1], sys.argv[2]
tokenizer = Tokenizer.from_file(folder + "/tokenizer.json")
model = ort.InferenceSession(folder + "/model.onnx", providers=["CPUExecutionProvider"])
enc = tokenizer.encode("they said no")
ids, mask = np.array([enc.ids]), np.array([enc.attention_mask])
feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
hidden = model.run(None, feed)[0]
vector = (hidden * mask[..., None]).sum(1) / mask.sum()
client = chromadb.PersistentClient(store, settings=chromadb.Settings(anonymized_telemetry=False))
found = client.get_collection("coach_cards").query(
    query_embeddings=vector / np.linalg.norm(vector), n_results=3)
print(found["ids"][0])
"""


@dataclass(frozen=True)
class Run:
    """One process: wall seconds from spawn to exit, and its peak resident memory."""

    seconds: float
    peak_mb: float


def run_process(cmd: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run `cmd` to completion in the repo (with this environment, or `env`); raise if it fails.

    The peak is the child's VmHWM, read every few ms until it exits (a pidfd wakes us at
    once): rusage's maxrss would report this process's own size, which a child inherits.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0.0
        with select_exit(proc.pid) as exited:
            while not exited(0.005):
                peak = max(peak, _peak_mb(proc.pid, default=peak))
        seconds = time.perf_counter() - start
        if proc.wait() != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{tail}")
    return Run(seconds, peak)


@contextmanager
def select_exit(pid: int) -> Iterator[Callable[[float], bool]]:
    """A function that waits up to t seconds for process `pid` to exit, and says whether it has."""
    fd = os.pidfd_open(pid)
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    try:
        yield lambda seconds: bool(poller.poll(seconds * 1000))
    finally:
        os.close(fd)


def coach_command(*args: str) -> list[str]:
    """The `coach` console script next to this interpreter (else `python -m coach.cli`)."""
    script = Path(sys.executable).with_name("coach")
    return [str(script), *args] if script.is_file() else [sys.executable, "-m", "coach.cli", *args]


def bare_command(model_folder: Path, data_dir: Path) -> list[str]:
    return [sys.executable, "-c", BARE_SCRIPT, str(model_folder), str(data_dir / "chroma")]


def cold_runs(commands: dict[str, list[str]], runs: int) -> dict[str, list[Run]]:
    """Each command `runs` times, interleaved, so a burst of load hits them all alike."""
    results: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            results[name].append(run_process(cmd))
    return results


def _peak_mb(pid: int, default: float | None = None) -> float:
    """A live process's peak resident memory (VmHWM) in MB; `default` once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    if default is None:
        raise RuntimeError(f"no VmHWM for process {pid}")
    return default  # exited (a zombie has no memory lines) between two reads


@dataclass(frozen=True)
class AppFigures:
    """`streamlit run app.py` to the chat input visible, and the server's peak memory."""

    first_paint: float
    peak_mb: float


def app_figures(data_dir: Path, message: str) -> AppFigures:
    """Start the app, wait for the chat input in chromium, send one message, read memory.

    The browser is launched first, so the figure is the server's start plus the page's
    first render, not chromium's own start-up.
    """
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, chat_ready, send, start_server

    with sync_playwright() as pw, tempfile.TemporaryDirectory() as logs:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(90_000)
            server = start_server(data_dir, Path(logs) / "streamlit.log")
            try:
                page.goto(server.url)
                chat_ready(page)
                first_paint = time.monotonic() - server.started
                send(page, message)  # the model and the index are loaded by now
                peak = _peak_mb(server.proc.pid)
            finally:
                server.stop()
        finally:
            browser.close()
    return AppFigures(first_paint, peak)
