// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Groth16 verifier for the withdrawal circuit: public inputs (root, nullifierHash, extDataHash).
interface IVerifier {
    /// `proof` is 256 bytes: A.x A.y B.x.c1 B.x.c0 B.y.c1 B.y.c0 C.x C.y (EIP-197 order).
    function verifyProof(bytes calldata proof, uint256[3] calldata input) external view returns (bool);

    /// `proofs` is n >= 1 such proofs back to back, `inputs` their 3n public inputs in the same
    /// order. True only if every proof is valid (one pairing check for the whole batch).
    function verifyProofs(bytes calldata proofs, uint256[] calldata inputs) external view returns (bool);
}
