"""The test suite, one folder per area (see docs/architecture.md, "Tests"); shared helpers in
`tests.support`."""
