"""Generators of on-chain code from the off-chain constants (the hasher contracts)."""
