"""The pure core: field, hashes, Merkle tree, notes, external data."""
