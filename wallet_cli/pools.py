"""Finding the pool a command works on: from the home's pool book, or read from the chain."""

from __future__ import annotations

from mixer.chain.identify import NotAPoolError, describe, history_problems, pool_problems, read_pool
from mixer.note import Pool
from mixer.wallet import PoolInfo
from wallet_cli.args import checked_address
from wallet_cli.keys import installed_key_words
from wallet_cli.options import UserError
from wallet_cli.session import Session


def resolve(s: Session, address: str | None) -> PoolInfo:
    """The pool to use: `address` if given (remembered from now on), else the newest on this chain."""
    chain = s.chain
    chain_id = chain.chain_id()
    if address is None:
        # a pool remembered from an embedded chain that was since deleted is not there any more
        known = [p for p in s.pools.on_chain(chain_id) if chain.has_code(p.address)]
        if not known:
            raise UserError(
                f"no pool known on chain {chain_id} ({s.network}): run `mixer deploy` first, "
                "or pass --pool ADDRESS"
            )
        return known[-1]
    address = checked_address(address, "--pool")
    info = s.pools.get(chain_id, address)
    if info is None or not chain.has_code(info.address):
        info = describe(chain, address)
        s.pools.add(info)
    return info


def check_note_pool(s: Session, pool: Pool) -> PoolInfo:
    """The chain's view of the pool a note names; UserError if the note is for another one."""
    chain_id = s.chain_id()
    if pool.chain_id != chain_id:
        raise UserError(
            f"this note is for chain {pool.chain_id}, but {s.network} is chain {chain_id} "
            "(use --rpc-url to reach the note's chain)"
        )
    info = s.pools.get(chain_id, pool.address) or describe(s.chain, pool.address)
    if info.identity() != pool:
        theirs = f"{info.hash} {info.amount} {info.currency}"
        ours = f"{pool.hash} {pool.amount} {pool.currency}"
        raise UserError(
            f"this note belongs to another pool: it is for a {ours} pool, but {pool.address} "
            f"is a {theirs} pool"
        )
    return info


def trust_problems(s: Session, info: PoolInfo) -> list[str]:
    """Why this wallet could not count on withdrawing what it deposits into `info` (empty:
    it could): its code, hasher, verifier and key are checked (`mixer.chain.identify`), and
    its root history against its deposit events."""
    try:
        code = read_pool(s.chain, info.address)
    except NotAPoolError as exc:
        return [str(exc)]
    book = (info.hash, info.depth, info.denomination, info.token)
    if (code.hash, code.levels, code.denomination, code.token) != book:
        return [f"its code is not the {info.hash} {info.amount} {info.currency} pool this home recorded"]
    problems = pool_problems(s.chain, code, installed_key_words(s.home, code.circuit))
    return problems or history_problems(s.chain, code, lambda: s.synced(info))


def check_trusted(s: Session, info: PoolInfo) -> None:
    """UserError naming every reason this wallet could not withdraw from `info`, if any."""
    problems = trust_problems(s, info)
    if problems:
        raise UserError(
            f"refusing to deposit into {info.address}, a pool this wallet could not withdraw from: "
            + "; ".join(problems)
        )
