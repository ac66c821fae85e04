"""Quality evals: named cases as data under evals/data, one suite per module in evals/suites."""
