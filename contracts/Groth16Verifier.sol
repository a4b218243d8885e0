// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IVerifier} from "./IVerifier.sol";

/// Groth16 over BN254 with the EIP-196/197 precompiles (0x06 add, 0x07 mul, 0x08 pairing).
/// The verifying key is fixed in the constructor, so one compiled artifact serves any key
/// for a circuit with three public inputs.
contract Groth16Verifier is IVerifier {
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    error NonCanonicalKey();

    // vk words, G2 in EIP-197 order (x.c1, x.c0, y.c1, y.c0)
    uint256 private immutable alphaX;
    uint256 private immutable alphaY;
    uint256 private immutable betaX1;
    uint256 private immutable betaX0;
    uint256 private immutable betaY1;
    uint256 private immutable betaY0;
    uint256 private immutable gammaX1;
    uint256 private immutable gammaX0;
    uint256 private immutable gammaY1;
    uint256 private immutable gammaY0;
    uint256 private immutable deltaX1;
    uint256 private immutable deltaX0;
    uint256 private immutable deltaY1;
    uint256 private immutable deltaY0;
    uint256 private immutable ic0X;
    uint256 private immutable ic0Y;
    uint256 private immutable ic1X;
    uint256 private immutable ic1Y;
    uint256 private immutable ic2X;
    uint256 private immutable ic2Y;
    uint256 private immutable ic3X;
    uint256 private immutable ic3Y;

    /// `vk`: alpha(2) beta(4) gamma(4) delta(4) IC0..IC3(8), each G2 point in EIP-197 order.
    constructor(uint256[22] memory vk) {
        for (uint256 i = 0; i < 22; i++) {
            if (vk[i] >= Q) revert NonCanonicalKey();
        }
        (alphaX, alphaY) = (vk[0], vk[1]);
        (betaX1, betaX0, betaY1, betaY0) = (vk[2], vk[3], vk[4], vk[5]);
        (gammaX1, gammaX0, gammaY1, gammaY0) = (vk[6], vk[7], vk[8], vk[9]);
        (deltaX1, deltaX0, deltaY1, deltaY0) = (vk[10], vk[11], vk[12], vk[13]);
        (ic0X, ic0Y, ic1X, ic1Y) = (vk[14], vk[15], vk[16], vk[17]);
        (ic2X, ic2Y, ic3X, ic3Y) = (vk[18], vk[19], vk[20], vk[21]);
    }

    /// False (never a revert) for a bad proof, a non-canonical coordinate or an input >= r.
    function verifyProof(bytes calldata proof, uint256[3] calldata input) external view returns (bool) {
        if (proof.length != 256) return false;
        uint256[8] memory p = abi.decode(proof, (uint256[8]));
        for (uint256 i = 0; i < 8; i++) {
            if (p[i] >= Q) return false;
        }
        for (uint256 i = 0; i < 3; i++) {
            if (input[i] >= R) return false;
        }
        (bool ok, uint256 x, uint256 y) = _mulAdd(ic0X, ic0Y, ic1X, ic1Y, input[0]);
        if (!ok) return false;
        (ok, x, y) = _mulAdd(x, y, ic2X, ic2Y, input[1]);
        if (!ok) return false;
        (ok, x, y) = _mulAdd(x, y, ic3X, ic3Y, input[2]);
        if (!ok) return false;
        // e(-A, B) * e(alpha, beta) * e(vk_x, gamma) * e(C, delta) == 1
        uint256[24] memory pairing = [
            p[0], p[1] == 0 ? 0 : Q - p[1], p[2], p[3], p[4], p[5],
            alphaX, alphaY, betaX1, betaX0, betaY1, betaY0,
            x, y, gammaX1, gammaX0, gammaY1, gammaY0,
            p[6], p[7], deltaX1, deltaX0, deltaY1, deltaY0
        ];
        uint256[1] memory out;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, pairing, 768, out, 32)
        }
        return ok && out[0] == 1;
    }

    /// (ax, ay) + s * (bx, by)
    function _mulAdd(uint256 ax, uint256 ay, uint256 bx, uint256 by, uint256 s)
        private
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
}
