"""Where the tests find the local all-MiniLM-L6-v2, and a mark for tests that need it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coach.settings import REPO_DIR

MODEL_DIR = Path(
    os.environ.get("COACH_EMBEDDING_MODEL_DIR")
    or REPO_DIR.parent / "shared/models/all-MiniLM-L6-v2"
)
needs_model = pytest.mark.skipif(
    not (MODEL_DIR / "onnx" / "model.onnx").is_file(),
    reason=f"no all-MiniLM-L6-v2 at {MODEL_DIR} (set COACH_EMBEDDING_MODEL_DIR)",
)
