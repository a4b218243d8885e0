"""mixer: a Tornado-style privacy pool whose cryptography, prover and wallet are Python.

The data path reads straight through the subpackages:
note -> commitment (`hashes`) -> tree (`merkle`) -> witness (`circuits`) -> proof (`snark`)
-> record -> transaction (`chain`).
"""

__version__ = "0.1.0"
