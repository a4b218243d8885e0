// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// A hostile withdrawal recipient for tests. Mode 0 accepts ETH; mode 1 rejects it;
/// mode 2 re-enters the pool with the stored call data when paid.
contract AttackRecipient {
    address public immutable pool;
    uint8 public mode;
    bytes public reentry;

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
            if (!ok) {
                // bubble the pool's revert so the outer transfer fails
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
    }
}
