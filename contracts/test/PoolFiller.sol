// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// For bench/scale.py only: installed (anvil_setCode) in place of a pool's code for a moment,
/// it emits the pool's Deposit events for commitments whose tree was computed off chain and
/// writes the matching tree state, so a pool of a million deposits takes minutes to fill
/// instead of the hours the on-chain Poseidon would take. The pool's code is put back after.
contract PoolFiller {
    event Deposit(bytes32 indexed commitment, uint32 leafIndex, uint256 timestamp);

    function emitDeposits(bytes32[] calldata commitments, uint32 firstIndex) external {
        for (uint256 i = 0; i < commitments.length; i++) {
            emit Deposit(commitments[i], firstIndex + uint32(i), block.timestamp);
        }
    }

    function store(uint256[] calldata slots, uint256[] calldata values) external {
        for (uint256 i = 0; i < slots.length; i++) {
            uint256 slot = slots[i];
            uint256 value = values[i];
            assembly {
                sstore(slot, value)
            }
        }
    }
}
