// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BN254} from "./BN254.sol";
import {IVerifier} from "./IVerifier.sol";

/// Groth16 over BN254 with the EIP-196/197 precompiles (0x06 add, 0x07 mul, 0x08 pairing).
/// The verifying key is fixed in the constructor, so one compiled artifact serves any key
/// for a circuit with three public inputs.
contract Groth16Verifier is IVerifier {
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
            if (vk[i] >= BN254.Q) revert NonCanonicalKey();
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
        return _verifyOne(proof, input[0], input[1], input[2]);
    }

    /// Batch verification with a random linear combination: for r_i drawn from a hash of every
    /// proof and input (so no prover can choose them), checks
    ///   prod e(-r_i A_i, B_i) * e(sum r_i alpha, beta) * e(sum r_i vk_x_i, gamma) * e(sum r_i C_i, delta) == 1,
    /// which holds for invalid proofs only with probability about n / r. n + 3 pairings instead
    /// of 4n, and vk_x folded into four scalar multiplications for the whole batch.
    function verifyProofs(bytes calldata proofs, uint256[] calldata inputs) external view returns (bool) {
        uint256 n = proofs.length / 256;
        if (n == 0 || proofs.length != n * 256 || inputs.length != 3 * n) return false;
        if (n == 1) return _verifyOne(proofs, inputs[0], inputs[1], inputs[2]);
        for (uint256 i = 0; i < 3 * n; i++) {
            if (inputs[i] >= BN254.R) return false;
        }
        bytes32 seed = keccak256(abi.encodePacked(proofs, inputs));
        uint256[] memory pairing = new uint256[](6 * (n + 3));
        // sums[0] = sum r_i, sums[1..3] = sum r_i * input_i[j], (sums[4], sums[5]) = sum r_i C_i
        uint256[6] memory sums;
        for (uint256 i = 0; i < n; i++) {
            uint256 r = uint256(keccak256(abi.encode(seed, i))) % BN254.R;
            if (r == 0) r = 1;
            if (!_addScaled(proofs[i * 256:(i + 1) * 256], r, pairing, 6 * i, sums)) return false;
            sums[0] = addmod(sums[0], r, BN254.R);
            for (uint256 j = 0; j < 3; j++) {
                sums[j + 1] = addmod(sums[j + 1], mulmod(r, inputs[3 * i + j], BN254.R), BN254.R);
            }
        }
        return _finishBatch(pairing, 6 * n, sums);
    }

    function _verifyOne(bytes calldata proof, uint256 in0, uint256 in1, uint256 in2) private view returns (bool) {
        (bool ok, uint256[8] memory p) = BN254.proofWords(proof);
        if (!ok || in0 >= BN254.R || in1 >= BN254.R || in2 >= BN254.R) return false;
        uint256 x;
        uint256 y;
        (ok, x, y) = BN254.mulAdd(ic0X, ic0Y, ic1X, ic1Y, in0);
        if (!ok) return false;
        (ok, x, y) = BN254.mulAdd(x, y, ic2X, ic2Y, in1);
        if (!ok) return false;
        (ok, x, y) = BN254.mulAdd(x, y, ic3X, ic3Y, in2);
        if (!ok) return false;
        // e(-A, B) * e(alpha, beta) * e(vk_x, gamma) * e(C, delta) == 1
        uint256[24] memory pairing = [
            p[0], BN254.negateY(p[1]), p[2], p[3], p[4], p[5],
            alphaX, alphaY, betaX1, betaX0, betaY1, betaY0,
            x, y, gammaX1, gammaX0, gammaY1, gammaY0,
            p[6], p[7], deltaX1, deltaX0, deltaY1, deltaY0
        ];
        return BN254.pairing(pairing);
    }

    /// Writes (-r*A, B) at pairing[at..at+6) and adds r*C into (sums[4], sums[5]).
    function _addScaled(bytes calldata proof, uint256 r, uint256[] memory pairing, uint256 at, uint256[6] memory sums)
        private
        view
        returns (bool)
    {
        (bool ok, uint256[8] memory p) = BN254.proofWords(proof);
        if (!ok) return false;
        uint256 ax;
        uint256 ay;
        (ok, ax, ay) = BN254.mulAdd(0, 0, p[0], p[1], r);
        if (!ok) return false;
        (pairing[at], pairing[at + 1]) = (ax, BN254.negateY(ay));
        (pairing[at + 2], pairing[at + 3], pairing[at + 4], pairing[at + 5]) = (p[2], p[3], p[4], p[5]);
        (ok, sums[4], sums[5]) = BN254.mulAdd(sums[4], sums[5], p[6], p[7], r);
        return ok;
    }

    /// Appends (sum r alpha, beta), (sum r vk_x, gamma), (sum r C, delta) and runs the pairing.
    function _finishBatch(uint256[] memory pairing, uint256 at, uint256[6] memory sums) private view returns (bool) {
        (bool ok, uint256 x, uint256 y) = BN254.mulAdd(0, 0, alphaX, alphaY, sums[0]);
        (pairing[at], pairing[at + 1]) = (x, y);
        (pairing[at + 2], pairing[at + 3], pairing[at + 4], pairing[at + 5]) = (betaX1, betaX0, betaY1, betaY0);
        bool step;
        (step, x, y) = BN254.mulAdd(0, 0, ic0X, ic0Y, sums[0]);
        ok = ok && step;
        (step, x, y) = BN254.mulAdd(x, y, ic1X, ic1Y, sums[1]);
        ok = ok && step;
        (step, x, y) = BN254.mulAdd(x, y, ic2X, ic2Y, sums[2]);
        ok = ok && step;
        (step, x, y) = BN254.mulAdd(x, y, ic3X, ic3Y, sums[3]);
        ok = ok && step;
        (pairing[at + 6], pairing[at + 7]) = (x, y);
        (pairing[at + 8], pairing[at + 9], pairing[at + 10], pairing[at + 11]) = (gammaX1, gammaX0, gammaY1, gammaY0);
        (pairing[at + 12], pairing[at + 13]) = (sums[4], sums[5]);
        (pairing[at + 14], pairing[at + 15], pairing[at + 16], pairing[at + 17]) = (deltaX1, deltaX0, deltaY1, deltaY0);
        return ok && BN254.pairing(pairing);
    }
}
