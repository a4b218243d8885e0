// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IHasher} from "./IHasher.sol";
import {IVerifier} from "./IVerifier.sol";
import {Pool} from "./Pool.sol";

/// A pool of fixed ETH deposits. Refunds make no sense here and must be zero.
contract ETHPool is Pool {
    constructor(IVerifier _verifier, IHasher _hasher, uint256 _denomination, uint32 _levels)
        Pool(_verifier, _hasher, _denomination, _levels)
    {}

    function _processDeposit() internal override {
        if (msg.value != denomination) revert WrongValue();
    }

    function _checkWithdrawValue(uint256 refund, uint256) internal view override {
        if (msg.value != 0 || refund != 0) revert WrongValue();
    }

    function _processWithdraw(address payable recipient, uint256 amount, uint256) internal override {
        _sendEth(recipient, amount);
    }

    function _payRelayer(address payable relayer, uint256 amount) internal override {
        _sendEth(relayer, amount);
    }
}
