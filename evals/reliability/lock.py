"""requirements.lock: every package in the running venv, pinned; write it, or check it still fits.

`python -m evals.reliability.lock` rewrites the lock from `pip freeze` of this interpreter's
environment (without the project itself or editable installs); the Makefile installs from it
and then the project with --no-deps. `drift()` lists what the venv and the lock disagree on.
It does not resolve anything: the venv is the truth, pyproject.toml the intent.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coach.settings import REPO_DIR

LOCK = REPO_DIR / "requirements.lock"
PROJECT = "rejection-coach"
HEADER = """\
# Every package in the project's .venv, pinned: `make` installs from this file, then the
# project itself with --no-deps. After changing dependencies in pyproject.toml, install
# them into .venv and regenerate with: .venv/bin/python -m evals.reliability.lock
"""


def _key(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def frozen() -> list[str]:
    """`name==version` for every installed package but the project, as pip freeze says."""
    out = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines()
            if line and not line.startswith("-e") and _key(line.split("==")[0]) != PROJECT]


def pins(path: Path = LOCK) -> dict[str, str]:
    """The lock's pins by normalised name."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            found[_key(name)] = version.strip()
    return found


def drift(path: Path = LOCK) -> list[str]:
    """Packages installed at another version than locked, or only on one side."""
    installed = {_key(n): v for n, v in (line.split("==", 1) for line in frozen())}
    locked = pins(path)
    return sorted(f"{name}: venv {installed.get(name, '-')}, lock {locked.get(name, '-')}"
                  for name in installed.keys() | locked.keys()
                  if installed.get(name) != locked.get(name))


def write(path: Path = LOCK) -> int:
    """Rewrite the lock from the venv; the number of pins."""
    lines = frozen()
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    print(f"{LOCK.name}: {write()} packages pinned")
