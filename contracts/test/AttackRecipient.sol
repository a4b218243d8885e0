// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// A hostile withdrawal recipient for tests. Mode 0 accepts ETH; mode 1 rejects it;
/// mode 2, when paid, re-enters the pool with the stored call data and keeps the payment
/// whatever happens, recording the outcome, so a test sees exactly why the re-entry failed.
contract AttackRecipient {
    address public immutable pool;
    uint8 public mode;
    bytes public reentry;
    uint256 public reentered;
    bytes public reentryError;

    constructor(address _pool) {
        pool = _pool;
    }

    function arm(uint8 _mode, bytes calldata _reentry) external {
        mode = _mode;
        reentry = _reentry;
    }

    receive() external payable {
        if (mode == 1) revert("no ETH, thanks");
        if (mode == 2) {
            (bool ok, bytes memory ret) = pool.call(reentry);
            if (ok) reentered += 1;
            else reentryError = ret;
        }
    }
}
