"""The one row type every eval suite reports, and where the suites' data lives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


@dataclass(frozen=True)
class Result:
    """One measured figure: passed is None when the figure is reported, not gated."""

    suite: str
    metric: str
    value: float
    target: str = ""
    passed: bool | None = None
    detail: str = ""
