"""BN254 (alt_bn128) curve engine: G1/G2 arithmetic, multi-scalar multiplication and pairings.

Points are affine tuples of ints (`None` = infinity); the generators are the EIP-197 ones.
"""

from mixer.bn254.fields import Fq2, P
from mixer.bn254.g1 import G1, G1_GEN, g1_add, g1_is_on_curve, g1_mul, g1_neg
from mixer.bn254.g2 import G2, G2_GEN, g2_add, g2_in_subgroup, g2_is_on_curve, g2_mul, g2_neg
from mixer.bn254.msm import g1_mul_many, g2_mul_many, msm_g1, msm_g2
from mixer.bn254.pairing import pairing_check

__all__ = [
    "G1",
    "G1_GEN",
    "G2",
    "G2_GEN",
    "Fq2",
    "P",
    "g1_add",
    "g1_is_on_curve",
    "g1_mul",
    "g1_mul_many",
    "g1_neg",
    "g2_add",
    "g2_in_subgroup",
    "g2_is_on_curve",
    "g2_mul",
    "g2_mul_many",
    "g2_neg",
    "msm_g1",
    "msm_g2",
    "pairing_check",
]
