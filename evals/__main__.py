"""`python -m evals [--json] [--quick] [SUITE ...]`: run the suites and print one table."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from dataclasses import asdict

from evals import suites
from evals.result import Result


def _suite_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(suites.__path__))


def _table(results: list[Result]) -> str:
    rows = [("suite", "metric", "value", "target", "ok", "detail")]
    for r in results:
        ok = "-" if r.passed is None else ("PASS" if r.passed else "FAIL")
        rows.append((r.suite, r.metric, f"{r.value:.3f}", r.target, ok, r.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(5)] + [row[5]]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("suites", nargs="*", help=f"any of: {', '.join(_suite_names())}")
    parser.add_argument("--json", action="store_true", help="print JSON rows instead")
    parser.add_argument("--quick", action="store_true", help="small sizes, as in make test")
    args = parser.parse_args(argv)
    names = args.suites or _suite_names()
    unknown = set(names) - set(_suite_names())
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(sorted(unknown))}")
    results: list[Result] = []
    for name in names:
        module = importlib.import_module(f"evals.suites.{name}")
        results.extend(module.run(full=not args.quick))
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(_table(results))
    return 1 if any(r.passed is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
