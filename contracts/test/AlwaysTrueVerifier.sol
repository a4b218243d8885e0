// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IVerifier} from "../IVerifier.sol";

/// A backdoor for tests: accepts every proof. A pool built from our code around it takes
/// deposits that anyone holding no note can withdraw, so the wallet must refuse to deposit.
contract AlwaysTrueVerifier is IVerifier {
    function verifyProof(bytes calldata, uint256[3] calldata) external pure returns (bool) {
        return true;
    }

    function verifyProofs(bytes calldata, uint256[] calldata) external pure returns (bool) {
        return true;
    }
}
