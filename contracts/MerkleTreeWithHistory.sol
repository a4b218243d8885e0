// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IHasher} from "./IHasher.sol";

/// Append-only incremental Merkle tree that remembers its last ROOT_HISTORY_SIZE roots.
abstract contract MerkleTreeWithHistory {
    uint256 public constant FIELD_SIZE =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// keccak256("tornado") mod FIELD_SIZE
    uint256 public constant ZERO_VALUE =
        21663839004416932945382355908790599225266501822907911457504978515578255421292;
    uint32 public constant ROOT_HISTORY_SIZE = 100;

    error InvalidTreeDepth();
    error TreeFull();

    IHasher public immutable hasher;
    uint32 public immutable levels;

    // nextIndex and currentRootIndex share a slot: one SSTORE per deposit.
    uint32 public nextIndex;
    uint32 public currentRootIndex;
    bytes32[ROOT_HISTORY_SIZE] public roots;
    uint256[32] public filledSubtrees;
    uint256[32] public zeros;

    constructor(uint32 _levels, IHasher _hasher) {
        if (_levels == 0 || _levels > 32) revert InvalidTreeDepth();
        levels = _levels;
        hasher = _hasher;
        uint256 z = ZERO_VALUE;
        for (uint32 i = 0; i < _levels; i++) {
            zeros[i] = z;
            filledSubtrees[i] = z;
            z = _hasher.hash(z, z);
        }
        roots[0] = bytes32(z);
    }

    function _insert(uint256 leaf) internal returns (uint32 index) {
        index = nextIndex;
        uint32 depth = levels;
        if (uint256(index) >= uint256(1) << depth) revert TreeFull();
        uint256 node = leaf;
        uint32 position = index;
        for (uint32 i = 0; i < depth; i++) {
            if (position & 1 == 0) {
                filledSubtrees[i] = node;
                node = hasher.hash(node, zeros[i]);
            } else {
                node = hasher.hash(filledSubtrees[i], node);
            }
            position >>= 1;
        }
        uint32 rootIndex = (currentRootIndex + 1) % ROOT_HISTORY_SIZE;
        roots[rootIndex] = bytes32(node);
        currentRootIndex = rootIndex;
        nextIndex = index + 1;
    }

    function getLastRoot() external view returns (bytes32) {
        return roots[currentRootIndex];
    }
}
