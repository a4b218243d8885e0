// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// The pool's recipient directory: append-only, permissionless, idempotent. A record names
/// its recipient by a 4-byte id instead of a 20-byte address (DESIGN.md §5). Addresses enter
/// it only through `registerRecipient`; a withdrawal to `newRecipients` registers nothing.
abstract contract RecipientDirectory {
    /// A recipientId with this bit set means `newRecipients[id & ~NEW_RECIPIENT]` of the same
    /// withdrawal. Such an id does not depend on the directory's state, so nobody can shift a
    /// first-time recipient's id by registering addresses between proving and mining.
    uint32 internal constant NEW_RECIPIENT = 0x80000000;

    error UnknownRecipient();
    error ZeroRecipient();
    error NewRecipientIndexOutOfRange();
    error DirectoryFull();

    event RecipientRegistered(address indexed recipient, uint32 id);

    address[] private recipients;
    // id + 1, so that 0 means "not registered"
    mapping(address => uint32) private recipientSlot;

    /// Idempotent and permissionless: returns the existing id for a known address.
    function registerRecipient(address recipient) external returns (uint32) {
        return _register(recipient);
    }

    /// Reverts with UnknownRecipient for an address that was never registered.
    function recipientId(address recipient) external view returns (uint32) {
        uint32 slot = recipientSlot[recipient];
        if (slot == 0) revert UnknownRecipient();
        return slot - 1;
    }

    function recipientAt(uint32 id) external view returns (address) {
        if (id >= recipients.length) revert UnknownRecipient();
        return recipients[id];
    }

    function recipientCount() external view returns (uint32) {
        return uint32(recipients.length);
    }

    /// The address a record's recipientId points to: a directory entry, or (top bit set) an
    /// entry of this transaction's `newRecipients`.
    function _recipient(uint32 id, address[] calldata newRecipients) internal view returns (address payable) {
        if (id & NEW_RECIPIENT != 0) {
            uint256 index = id & ~NEW_RECIPIENT;
            if (index >= newRecipients.length) revert NewRecipientIndexOutOfRange();
            address recipient = newRecipients[index];
            if (recipient == address(0)) revert ZeroRecipient();
            return payable(recipient);
        }
        if (id >= recipients.length) revert UnknownRecipient();
        return payable(recipients[id]);
    }

    function _register(address recipient) internal returns (uint32) {
        if (recipient == address(0)) revert ZeroRecipient();
        uint32 slot = recipientSlot[recipient];
        if (slot != 0) return slot - 1;
        uint256 count = recipients.length;
        // ids at or above NEW_RECIPIENT would read as newRecipients indices
        if (count >= NEW_RECIPIENT) revert DirectoryFull();
        uint32 id = uint32(count);
        recipients.push(recipient);
        recipientSlot[recipient] = id + 1;
        emit RecipientRegistered(recipient, id);
        return id;
    }
}
