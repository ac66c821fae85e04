"""A scratch environment for an eval run: its own data dir and settings, restored afterwards.

The tests get this from tests/conftest.py; the evals run in a plain process and must not
write into the person's real data dir or inherit their LLM settings by accident.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLEARED = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COACH_CHROMA_URL", "COACH_DATABASE_URL")


def clear_caches() -> None:
    """Forget the process's settings, retriever and deps, so new variables take effect."""
    from coach.retrieval import get_retriever
    from coach.session import default_deps
    from coach.settings import get_settings

    for cache in (get_settings, get_retriever, default_deps):
        cache.cache_clear()


@contextmanager
def scratch_env(**variables: str) -> Iterator[Path]:
    """A fresh COACH_DATA_DIR (yielded) and no LLM or remote store unless given here."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="coach-eval-") as tmp:
        for name in CLEARED:
            os.environ.pop(name, None)
        os.environ["COACH_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.update(variables)
        clear_caches()
        try:
            yield Path(tmp) / "data"
        finally:
            os.environ.clear()
            os.environ.update(saved)
            clear_caches()


def model_dir() -> Path | None:
    """A local all-MiniLM-L6-v2 (COACH_EMBEDDING_MODEL_DIR, else the shared copy), or None."""
    from coach.settings import REPO_DIR

    configured = os.environ.get("COACH_EMBEDDING_MODEL_DIR")
    found = Path(configured) if configured else REPO_DIR.parent / "shared/models/all-MiniLM-L6-v2"
    return found if found.is_dir() else None
