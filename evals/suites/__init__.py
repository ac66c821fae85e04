"""Eval suites; each module exposes run(full: bool) -> list[Result]."""
