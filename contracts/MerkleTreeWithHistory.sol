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
    /// nextIndex is a uint32 (fixed ABI): at depth 32 the last leaf, 2^32 - 1, has no successor.
    error LeafIndexOverflow();
    error ZerosLevelOutOfRange();
    error ZerosStoreFailed();

    IHasher public immutable hasher;
    uint32 public immutable levels;
    /// zeros[0..levels) live as the code of a data contract: one EXTCODECOPY per insert
    /// instead of one cold SLOAD per level.
    address private immutable zerosStore;

    // nextIndex and currentRootIndex share a slot: one SSTORE per deposit.
    uint32 public nextIndex;
    uint32 public currentRootIndex;
    bytes32[ROOT_HISTORY_SIZE] public roots;
    uint256[32] public filledSubtrees;

    constructor(uint32 _levels, IHasher _hasher) {
        if (_levels == 0 || _levels > 32) revert InvalidTreeDepth();
        levels = _levels;
        hasher = _hasher;
        uint256[] memory z = new uint256[](_levels);
        uint256 node = ZERO_VALUE;
        for (uint32 i = 0; i < _levels; i++) {
            z[i] = node;
            filledSubtrees[i] = node;
            node = _hasher.hash(node, node);
        }
        roots[0] = bytes32(node);
        zerosStore = _storeCode(abi.encodePacked(z));
    }

    /// The empty subtree's root at height `i` (the zero leaf for i = 0).
    function zeros(uint256 i) public view returns (uint256) {
        if (i >= levels) revert ZerosLevelOutOfRange();
        return _loadZeros()[i];
    }

    function getLastRoot() external view returns (bytes32) {
        return roots[currentRootIndex];
    }

    function _insert(uint256 leaf) internal returns (uint32 index) {
        index = nextIndex;
        uint32 depth = levels;
        if (uint256(index) >= uint256(1) << depth) revert TreeFull();
        if (index == type(uint32).max) revert LeafIndexOverflow();
        uint256[] memory z = _loadZeros();
        address h = address(hasher);
        uint256 node = leaf;
        uint32 position = index;
        for (uint32 i = 0; i < depth; i++) {
            if (position & 1 == 0) {
                filledSubtrees[i] = node;
                node = _hash(h, node, z[i]);
            } else {
                node = _hash(h, filledSubtrees[i], node);
            }
            position >>= 1;
        }
        uint32 rootIndex = (currentRootIndex + 1) % ROOT_HISTORY_SIZE;
        roots[rootIndex] = bytes32(node);
        currentRootIndex = rootIndex;
        nextIndex = index + 1;
    }

    /// IHasher.hash through a bare staticcall: this runs `levels` times per deposit.
    function _hash(address h, uint256 left, uint256 right) private view returns (uint256 out) {
        bytes4 selector = IHasher.hash.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 4), left)
            mstore(add(m, 36), right)
            if iszero(staticcall(gas(), h, m, 68, 0, 32)) { revert(0, 0) }
            out := mload(0)
        }
    }

    function _loadZeros() private view returns (uint256[] memory z) {
        uint256 n = levels;
        address store = zerosStore;
        z = new uint256[](n);
        assembly ("memory-safe") {
            extcodecopy(store, add(z, 32), 1, mul(n, 32))
        }
    }

    /// Deploys `data` as contract code behind a STOP byte, so it can never run.
    function _storeCode(bytes memory data) private returns (address store) {
        // init code: PUSH2 len+1, DUP1, PUSH1 10, PUSH0, CODECOPY, PUSH0, RETURN; then 0x00 ++ data
        bytes memory init = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600a5f395ff3", hex"00", data);
        assembly ("memory-safe") {
            store := create(0, add(init, 32), mload(init))
        }
        if (store == address(0)) revert ZerosStoreFailed();
    }
}
