"""Dependencies: the lock file matches the venv, and pip-audit's verdict on every pinned package.

pip-audit asks PyPI's vulnerability service about each pin in requirements.lock. Where that
service cannot be reached (offline, or a mirror without the JSON API) pip-audit marks the
packages as skipped: then the row says "not run" with pip-audit's reason and gives no
verdict, rather than a pass. Gates: no drift between .venv and the lock; no known
vulnerability among the packages actually audited.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

from evals.reliability import lock
from evals.result import Result

TIMEOUT = 300


def _audit() -> tuple[dict[str, object] | None, str]:
    """pip-audit's JSON report on the lock file, or None and why it did not run."""
    argv = [sys.executable, "-m", "pip_audit", "-r", str(lock.LOCK), "--no-deps",
            "--disable-pip", "--format", "json", "--progress-spinner", "off", "--timeout", "15"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"pip-audit did not finish: {exc}"
    try:
        return json.loads(done.stdout), ""
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"pip-audit exited {done.returncode}: {last[:200]}"


def run(full: bool) -> list[Result]:
    drift = lock.drift()
    rows = [Result("audit", "lock drift (venv vs requirements.lock)", len(drift), "0",
                   not drift, "; ".join(drift[:4]) or f"{len(lock.pins())} packages pinned")]
    report, why = _audit()
    if report is None:
        return [*rows, Result("audit", "pip-audit: not run", 0, "", None, why)]
    deps = report.get("dependencies", [])
    assert isinstance(deps, list)
    skipped = [d for d in deps if "skip_reason" in d]
    audited = [d for d in deps if "skip_reason" not in d]
    vulns = [(d["name"], v["id"], v.get("fix_versions", [])) for d in audited
             for v in d.get("vulns", [])]
    if not audited:
        reasons = Counter(d["skip_reason"].split(":")[0] for d in skipped)
        reason, count = reasons.most_common(1)[0] if reasons else ("no packages listed", 0)
        return [*rows, Result("audit", "pip-audit: not run", 0, "", None,
                              f"all {len(deps)} packages skipped ({count}: {reason}); "
                              "PyPI's vulnerability data is not reachable from here")]
    return [*rows,
            Result("audit", "packages audited", len(audited), f"{len(deps)}", None,
                   f"{len(skipped)} skipped" if skipped else ""),
            Result("audit", "known vulnerabilities", len(vulns), "0", not vulns,
                   "; ".join(f"{n} {i} (fix: {', '.join(f) or 'none'})"
                             for n, i, f in vulns[:5]))]
