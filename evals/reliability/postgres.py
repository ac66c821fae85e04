"""A throwaway PostgreSQL cluster on 127.0.0.1 for the durability checks, from Debian's packages.

`throwaway_cluster()` finds initdb/pg_ctl under /usr/lib/postgresql/*/bin (installing the
`postgresql` package with apt-get when none is there), creates a cluster in a temp dir on a
free port, yields its SQLAlchemy URL and stops and deletes it afterwards. Postgres refuses to
run as root, so as root the cluster belongs to the `postgres` user (runuser). Anything that
goes wrong raises PostgresUnavailable with the reason, which callers report as a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """Raised when postgres cannot be installed or started here; the message says why."""


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def ensure_installed() -> Path:
    """The directory with initdb and pg_ctl, installing Debian's postgresql if needed."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for argv in (["apt-get", "update", "-q"],
                     ["apt-get", "install", "-y", "-q", "postgresql"]):
            try:
                done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise PostgresUnavailable(f"{' '.join(argv)} failed: {exc}") from None
            if done.returncode != 0:
                raise PostgresUnavailable(f"{' '.join(argv)} failed: {done.stderr[-300:]}")
        bin_dir = _bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("apt-get installed postgresql but no initdb was found")
    return bin_dir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str]) -> None:
    try:
        done = subprocess.run(_as_owner(argv), capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresUnavailable(f"{Path(argv[0]).name} failed: {exc}") from None
    if done.returncode != 0:
        raise PostgresUnavailable(f"{Path(argv[0]).name} failed: "
                                  f"{(done.stderr or done.stdout).strip()[-300:]}")


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """A running cluster's URL (user coach, database postgres, trust auth on 127.0.0.1)."""
    bin_dir = ensure_installed()
    root = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    data, port = root / "data", _free_port()
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", "coach", "--auth=trust",
              "-E", "UTF8", "--no-sync"])
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=on"
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
              str(root / "log"), "-w", "start"])
        try:
            yield f"postgresql+psycopg://coach@127.0.0.1:{port}/postgres"
        finally:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
