// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IHasher} from "./IHasher.sol";
import {IVerifier} from "./IVerifier.sol";
import {MerkleTreeWithHistory} from "./MerkleTreeWithHistory.sol";
import {RecipientDirectory} from "./RecipientDirectory.sol";

/// A fixed-denomination privacy pool. Withdrawals arrive as concatenated 296-byte records:
/// rootIndex uint32 | nullifierHash 32 | recipientId uint32 | proof 256 (DESIGN.md §5).
/// No owner, no upgrade path; subclasses only move the asset.
abstract contract Pool is MerkleTreeWithHistory, RecipientDirectory {
    uint256 internal constant RECORD_SIZE = 296;
    uint256 internal constant PROOF_SIZE = 256;

    error CommitmentNotInField();
    error DuplicateCommitment();
    error WrongValue();
    error WrongRecordsLength();
    error FeeExceedsDenomination();
    error RootIndexOutOfRange();
    error EmptyRootSlot();
    error NullifierNotInField();
    error NullifierSpent();
    error InvalidProof();
    error TransferFailed();
    error Reentrancy();

    event Deposit(bytes32 indexed commitment, uint32 leafIndex, uint256 timestamp);
    event Withdrawal(address to, bytes32 nullifierHash, address indexed relayer, uint256 fee);

    IVerifier public immutable verifier;
    uint256 public immutable denomination;

    mapping(bytes32 => bool) public commitments;
    mapping(bytes32 => bool) public isSpent;
    // transient (EIP-1153): the guard costs 200 gas instead of a cold SSTORE round trip
    bool private transient locked;

    modifier nonReentrant() {
        if (locked) revert Reentrancy();
        locked = true;
        _;
        locked = false;
    }

    constructor(IVerifier _verifier, IHasher _hasher, uint256 _denomination, uint32 _levels)
        MerkleTreeWithHistory(_levels, _hasher)
    {
        verifier = _verifier;
        denomination = _denomination;
    }

    function deposit(bytes32 commitment) external payable nonReentrant {
        if (uint256(commitment) >= FIELD_SIZE) revert CommitmentNotInField();
        if (commitments[commitment]) revert DuplicateCommitment();
        commitments[commitment] = true;
        uint32 leafIndex = _insert(uint256(commitment));
        _processDeposit();
        emit Deposit(commitment, leafIndex, block.timestamp);
    }

    /// Checks every record and marks its nullifier spent, verifies all proofs in one batch,
    /// and only then pays; any failure reverts all of it. A record's recipientId is a
    /// directory id, or NEW_RECIPIENT | i for `newRecipients[i]`, which is paid but not
    /// registered: a private recipient is fresh and never paid again, so registering it
    /// would spend two new storage slots (~44k gas) to save 32 calldata bytes next time.
    function withdraw(
        bytes calldata records,
        address[] calldata newRecipients,
        address payable relayer,
        uint256 fee,
        uint256 refund
    ) external payable nonReentrant {
        if (records.length == 0 || records.length % RECORD_SIZE != 0) revert WrongRecordsLength();
        if (fee > denomination) revert FeeExceedsDenomination();
        uint256 count = records.length / RECORD_SIZE;
        _checkWithdrawValue(refund, count);
        bytes memory proofs = new bytes(count * PROOF_SIZE);
        uint256[] memory inputs = new uint256[](3 * count);
        address payable[] memory to = new address payable[](count);
        for (uint256 i = 0; i < count; i++) {
            uint256 offset = i * RECORD_SIZE;
            (to[i], inputs[3 * i], inputs[3 * i + 1]) = _spend(records[offset:offset + RECORD_SIZE], newRecipients);
            inputs[3 * i + 2] = uint256(keccak256(abi.encode(to[i], relayer, fee, refund))) % FIELD_SIZE;
            assembly ("memory-safe") {
                calldatacopy(add(add(proofs, 32), mul(i, PROOF_SIZE)), add(records.offset, add(offset, 40)), PROOF_SIZE)
            }
        }
        if (!verifier.verifyProofs(proofs, inputs)) revert InvalidProof();
        for (uint256 i = 0; i < count; i++) {
            _processWithdraw(to[i], denomination - fee, refund);
            emit Withdrawal(to[i], bytes32(inputs[3 * i + 1]), relayer, fee);
        }
        if (fee > 0) _payRelayer(relayer, fee * count);
    }

    /// Checks one record's root slot, nullifier and recipient, and marks the nullifier spent
    /// (so a repeat later in the same batch is caught); returns (recipient, root, nullifierHash).
    function _spend(bytes calldata record, address[] calldata newRecipients)
        private
        returns (address payable to, uint256, uint256)
    {
        uint32 rootIndex = uint32(bytes4(record[0:4]));
        bytes32 nullifierHash = bytes32(record[4:36]);
        uint32 id = uint32(bytes4(record[36:40]));
        if (rootIndex >= ROOT_HISTORY_SIZE) revert RootIndexOutOfRange();
        bytes32 root = roots[rootIndex];
        if (root == 0) revert EmptyRootSlot();
        if (uint256(nullifierHash) >= FIELD_SIZE) revert NullifierNotInField();
        if (isSpent[nullifierHash]) revert NullifierSpent();
        to = _recipient(id, newRecipients);
        isSpent[nullifierHash] = true;
        return (to, uint256(root), uint256(nullifierHash));
    }

    function _sendEth(address payable to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// Takes the deposit: msg.value for ETH, transferFrom for a token.
    function _processDeposit() internal virtual;

    /// Checks msg.value for a withdrawal of `count` records with `refund` each.
    function _checkWithdrawValue(uint256 refund, uint256 count) internal virtual;

    /// Pays one recipient `amount` of the pool's asset plus `refund` wei.
    function _processWithdraw(address payable recipient, uint256 amount, uint256 refund) internal virtual;

    /// Pays the relayer the fees of every record in the transaction at once.
    function _payRelayer(address payable relayer, uint256 amount) internal virtual;
}
