// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// BN254 group operations through the EIP-196/197 precompiles (0x06 add, 0x07 mul, 0x08
/// pairing). Internal functions only: they are inlined into the verifier, nothing to deploy.
library BN254 {
    /// Base field: curve coordinates live here.
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// Scalar field: public inputs and weights live here.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// The eight words of a 256-byte proof; ok is false when one is not canonical (>= q), which
    /// the precompiles would otherwise reject as a failed call or reduce.
    function proofWords(bytes calldata proof) internal pure returns (bool ok, uint256[8] memory p) {
        p = abi.decode(proof, (uint256[8]));
        for (uint256 i = 0; i < 8; i++) {
            if (p[i] >= Q) return (false, p);
        }
        return (true, p);
    }

    /// The y coordinate of -P.
    function negateY(uint256 y) internal pure returns (uint256) {
        return y == 0 ? 0 : Q - y;
    }

    /// (ax, ay) + s * (bx, by); ok is false if a precompile fails (a point off the curve).
    function mulAdd(uint256 ax, uint256 ay, uint256 bx, uint256 by, uint256 s)
        internal
        view
        returns (bool ok, uint256 x, uint256 y)
    {
        uint256[4] memory buf = [bx, by, s, 0];
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x07, buf, 96, buf, 64)
        }
        if (!ok) return (false, 0, 0);
        uint256[4] memory sum = [ax, ay, buf[0], buf[1]];
        assembly ("memory-safe") {
            ok := and(ok, staticcall(gas(), 0x06, sum, 128, sum, 64))
        }
        return (ok, sum[0], sum[1]);
    }

    /// True iff the product of the pairings of the four (G1, G2) pairs in `pairs` is 1.
    function pairing(uint256[24] memory pairs) internal view returns (bool) {
        uint256 at;
        assembly ("memory-safe") {
            at := pairs
        }
        return _pairing(at, 768);
    }

    /// True iff the product of the pairings of the (G1, G2) pairs in `pairs` (6 words each) is 1.
    function pairing(uint256[] memory pairs) internal view returns (bool) {
        uint256 at;
        assembly ("memory-safe") {
            at := add(pairs, 32)
        }
        return _pairing(at, pairs.length * 32);
    }

    function _pairing(uint256 at, uint256 size) private view returns (bool ok) {
        uint256[1] memory out;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, at, size, out, 32)
        }
        return ok && out[0] == 1;
    }
}
