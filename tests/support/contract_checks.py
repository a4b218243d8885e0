"""Checks shared by the contract tests: a call must revert with a named error, and a rejected
call must leave every balance and spent flag as it was."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import pytest

from mixer.chain.client import ContractReverted
from mixer.chain.pool import PoolClient
from mixer.chain.record import NEW_RECIPIENT, WithdrawalRecord
from tests.support.contract_env import Env

GAS = 600_000  # fixed gas on happy paths skips a second (slow on py-evm) pairing run


def expect_revert(error: str, fn: object, *args: object, **kwargs: object) -> None:
    with pytest.raises(ContractReverted) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert info.value.error == error


class Untouched:
    """Snapshot of balances and spent flags that must not move across a rejected call."""

    def __init__(self, env: Env, pool: PoolClient, addresses: list[str], nullifiers: list[int]) -> None:
        self.env, self.pool, self.addresses, self.nullifiers = env, pool, addresses, nullifiers
        self.before = self._state()

    def _state(self) -> tuple[list[int], list[int], list[bool]]:
        watched = [*self.addresses, self.pool.address, self.env.relayer]
        return (
            [self.env.balance(a) for a in watched],
            [self.env.token_balance(a) for a in watched],
            [self.pool.is_spent(n) for n in self.nullifiers],
        )

    def check(self) -> None:
        after = self._state()
        assert after == self.before
        assert not any(after[2])


def paid_address(pool: PoolClient, record: WithdrawalRecord, new_recipients: Sequence[str]) -> str | None:
    """Who `record` would pay: a directory entry or an entry of the transaction's newRecipients."""
    if record.recipient_id & NEW_RECIPIENT:
        index = record.recipient_id & ~NEW_RECIPIENT
        return new_recipients[index] if index < len(new_recipients) else None
    count = pool.recipient_count()
    return pool.recipient_at(record.recipient_id) if record.recipient_id < count else None


def guarded(
    env: Env, pool: PoolClient, records: list[WithdrawalRecord], error: str, **kwargs: object
) -> None:
    new = cast(Sequence[str], kwargs.get("new_recipients", ()))
    recipients = [a for a in (paid_address(pool, r, new) for r in records) if a is not None]
    snap = Untouched(env, pool, recipients, [r.nullifier_hash for r in records])
    expect_revert(error, pool.withdraw, records, **kwargs)
    snap.check()
