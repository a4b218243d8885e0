"""mixer: a Tornado-style privacy pool whose cryptography, prover and wallet are Python.

The data path reads straight through the subpackages:
note -> commitment (`hashes`) -> tree (`merkle`) -> witness (`circuits`) -> proof (`snark`)
-> record -> transaction (`chain`).
"""

import sys

__version__ = "0.1.0"

START_RECURSION_LIMIT = sys.getrecursionlimit()
"""The recursion limit when mixer was first imported. py-evm and py_ecc raise it for the whole
process at import (py-evm to run 1024-deep EVM calls), which turns a deeply nested hostile JSON
document into a segmentation fault instead of a RecursionError; `mixer.chain.backend` puts this
value back and raises the limit only around the embedded EVM's own calls."""
