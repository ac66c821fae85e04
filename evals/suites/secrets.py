"""Secret hygiene: a marker OPENAI_API_KEY must appear in no output, log, error, export or file.

Two runs of every surface (evals/reliability/leaks.py): against the OpenAI stub, which echoes
the key back inside its error bodies between good replies, and against a closed port. Gates:
zero places holding the marker, and the stub having received the key (else the run proved
nothing). Reported: places, files and bytes scanned, and whether Chroma's files were among them.
"""

from __future__ import annotations

import socket

from evals.reliability import leaks
from evals.reliability.env import model_dir, scratch_env
from evals.result import Result
from evals.stub import Behaviour, OpenAIStub

ECHOES = [Behaviour(status=401, echo_key=True), Behaviour(),
          Behaviour(status=500, echo_key=True), Behaviour()] * 3


def _scan(base_url: str) -> tuple[leaks.Scan, bool]:
    """One run with the marker key against base_url; the scan and whether Chroma was read."""
    marker = leaks.new_marker()
    found = model_dir()
    extra = {"COACH_EMBEDDING_MODEL_DIR": str(found)} if found else {}
    with scratch_env(OPENAI_API_KEY=marker, OPENAI_BASE_URL=base_url, **extra) as data, \
            leaks.capture_logs() as logs:
        seen = leaks.exercise(data)
        chroma = (data / "chroma").is_dir()
        return leaks.scan(marker, seen, data, logs), chroma


def run(full: bool) -> list[Result]:
    with OpenAIStub() as stub:
        stub.queue.extend(ECHOES)
        served, chroma = _scan(stub.base_url)
        keyed = sum(r["headers"].get("authorization", "").startswith("Bearer sk-test-MARKER-")
                    for r in stub.requests)
    with socket.socket() as closed:  # bound, never listening: every connection is refused
        closed.bind(("127.0.0.1", 0))
        refused, _ = _scan(f"http://127.0.0.1:{closed.getsockname()[1]}/v1")
    rows = []
    for name, scan in (("stub", served), ("closed port", refused)):
        rows.append(Result("secrets", f"{name}: places with the key", len(scan.hits), "0",
                           not scan.hits, ", ".join(scan.hits[:5]) or
                           f"{scan.places} texts/logs/errors and {scan.files} files, "
                           f"{scan.bytes:,} bytes scanned"))
    rows.append(Result("secrets", "stub requests carrying the key", keyed, ">= 6", keyed >= 6,
                       f"{len(stub.requests)} requests; Chroma files scanned: {chroma}"))
    return rows
