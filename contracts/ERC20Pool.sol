// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IHasher} from "./IHasher.sol";
import {IVerifier} from "./IVerifier.sol";
import {Pool} from "./Pool.sol";

interface IERC20Minimal {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// A pool of fixed token deposits. A withdrawal may carry `refund` wei per record, paid by the
/// relayer in msg.value and forwarded to the recipient so a fresh address has gas money.
contract ERC20Pool is Pool {
    IERC20Minimal public immutable token;

    error RefundOverflow();

    constructor(IVerifier _verifier, IHasher _hasher, uint256 _denomination, uint32 _levels, IERC20Minimal _token)
        Pool(_verifier, _hasher, _denomination, _levels)
    {
        token = _token;
    }

    function _processDeposit() internal override {
        if (msg.value != 0) revert WrongValue();
        _tokenCall(abi.encodeCall(IERC20Minimal.transferFrom, (msg.sender, address(this), denomination)));
    }

    function _checkWithdrawValue(uint256 refund, uint256 count) internal view override {
        if (refund > type(uint256).max / count) revert RefundOverflow();
        if (msg.value != refund * count) revert WrongValue();
    }

    function _processWithdraw(address payable recipient, uint256 amount, uint256 refund) internal override {
        _tokenCall(abi.encodeCall(IERC20Minimal.transfer, (recipient, amount)));
        if (refund > 0) _sendEth(recipient, refund);
    }

    function _payRelayer(address payable relayer, uint256 amount) internal override {
        _tokenCall(abi.encodeCall(IERC20Minimal.transfer, (relayer, amount)));
    }

    /// Accepts tokens that return true and tokens that return nothing; anything else (false,
    /// a short or non-boolean return, no code at the address) is TransferFailed, never a
    /// decoding revert.
    function _tokenCall(bytes memory data) private {
        (bool ok, bytes memory ret) = address(token).call(data);
        bool returnedTrue = ret.length >= 32 && uint256(bytes32(ret)) == 1;
        if (!ok || address(token).code.length == 0 || (ret.length != 0 && !returnedTrue)) {
            revert TransferFailed();
        }
    }
}
