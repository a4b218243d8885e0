"""Helpers shared by the tests and bench/: chains to run on, deployed pools, the `mixer` and
snarkjs command lines, small circuits and witnesses, the npm tools and an artifact cache."""
