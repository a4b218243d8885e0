"""The pool contracts' custom errors, each as the sentence a user reads.

Standard library only: `ContractReverted` takes its message from here, and the command line
prints that message as it is.
"""

from __future__ import annotations

from typing import Final

REVERTS: Final[dict[str, str]] = {
    "NullifierSpent": "this note was already spent (its nullifier is marked spent on chain)",
    "EmptyRootSlot": "unknown root: the pool has no root in that history slot",
    "RootIndexOutOfRange": "unknown root: the root index is outside the pool's root history",
    "InvalidProof": "the pool rejected the proof (built with another key, for another root or recipient?)",
    "DuplicateCommitment": "this note's commitment is already in the pool (the deposit was made before)",
    "CommitmentNotInField": "the commitment is not a field element",
    "WrongValue": "the amount sent does not match the pool's denomination",
    "FeeExceedsDenomination": "the relayer fee is larger than the pool's denomination",
    "UnknownRecipient": "the record names a recipient id the pool does not know",
    "ZeroRecipient": "the recipient must not be the zero address",
    "TreeFull": "the pool is full: its Merkle tree has no free leaf",
    "WrongRecordsLength": "a withdrawal record must be exactly 296 bytes",
    "NullifierNotInField": "the nullifier hash is not a field element",
    "TransferFailed": "the pool could not pay the recipient (does it reject payments?)",
    "NewRecipientIndexOutOfRange": "a record points at a new recipient the transaction does not register",
    "DirectoryFull": "the pool's recipient directory is full",
    "LeafIndexOverflow": "the pool is full: its Merkle tree has no free leaf",
    "ZerosLevelOutOfRange": "the pool's tree was asked for a level beyond its depth (a contract bug)",
    "ZerosStoreFailed": "deploying the pool's table of empty-subtree hashes failed",
    "RefundOverflow": "the refund is too large (refund x number of records overflows)",
}
"""Custom error name -> the sentence for users (every error of the pool's ABI except the
ones only a broken deployment raises, `InvalidTreeDepth` and `Reentrancy`)."""


def revert_message(error: str, detail: str = "") -> str:
    """The sentence for custom error `error`; for an error not in `REVERTS`, its name (and
    `detail`, e.g. the node's own text for a revert without a custom error)."""
    known = REVERTS.get(error)
    if known is not None:
        return known
    return f"contract reverted: {error}{(' ' + detail) if detail else ''}"
