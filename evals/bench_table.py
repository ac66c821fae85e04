"""The benchmark's rows: a figure with its ratio and gate, and the table they print as."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure, with its ratio to the floor or to the bare script."""

    name: str
    value: float
    unit: str
    ratio: float | None = None
    base: str = ""  # what the ratio divides by
    target: str = ""
    passed: bool | None = None  # None: reported, not gated
    detail: str = ""


def p95(samples: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ratio_figure(name: str, value: float, base: float | None, base_name: str, unit: str,
                 limit: float | None = None, detail: str = "", scale: float = 1.0) -> Figure:
    """A figure shown in `unit` (value * scale) with value/base, gated at `limit` if given."""
    ratio = None if base is None else value / base  # None: the base was skipped
    return Figure(name, value * scale, unit, ratio, base_name if ratio else "",
                  f"<= {limit:.1f}x" if limit else "",
                  None if limit is None or ratio is None else ratio <= limit, detail)


def table(figures: list[Figure]) -> str:
    rows = [("figure", "value", "unit", "ratio", "target", "ok", "detail")]
    for f in figures:
        ratio = "" if f.ratio is None else f"{f.ratio:.2f}x {f.base}"
        ok = "-" if f.passed is None else ("PASS" if f.passed else "FAIL")
        rows.append((f.name, f"{f.value:.1f}" if f.value >= 100 else f"{f.value:.2f}", f.unit,
                     ratio, f.target, ok, f.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = ["  ".join([row[i].ljust(widths[i]) for i in range(6)] + [row[6]]).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
