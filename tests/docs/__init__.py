"""Documents checked against the code: docs/architecture.md, docs/threat-model.md, the tests' layout."""
