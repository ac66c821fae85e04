"""Reliability helpers shared by the tests and the evals: fuzzing, crash loops, secret scans."""
