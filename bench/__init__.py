"""Benchmarks: speed and gas next to the peers. Run each from the repository root as a module,
`python -m bench.<name>` (e.g. `.venv/bin/python -m bench.gas`), so that the tests' helpers
(`tests.support`) import as a package, the same way pytest and mypy see them."""
