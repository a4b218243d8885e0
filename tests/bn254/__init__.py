"""BN254 arithmetic (mixer.bn254): G1/G2 against py_ecc, the pairing, multi-scalar multiplication."""
