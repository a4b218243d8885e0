"""Pool sync: fetch a pool's Deposit and Withdrawal events incrementally into its store
(`mixer.chain.store`: events and Merkle tree in one SQLite file per pool), and check them.

Both events are fetched together, one raw `eth_getLogs` per bounded block range, over the
same ranges for every wallet of the pool: the node learns which pool you use and nothing
about which of its deposits or withdrawals are yours. Logs are decoded by our own code
(`mixer.chain.events`), not by web3's event machinery. Note state (deposited, spent, by
which transaction) is derived locally from these events (`SyncedPool.deposit_of`,
`SyncedPool.withdrawal_of`); no question keyed by a note (its commitment, nullifier hash,
deposit block or transaction) is ever asked.

Ranges are cells of one grid, multiples of the range size (2000 blocks), so every wallet asks
for the same ranges; a cell the node refuses is halved (down to a single block), and the
step grows back while answers stay small. Each whole cell is committed to the store in one
transaction (its events, the tree nodes it changes, its last block and that block's hash),
so a sync killed at any instant resumes at the last whole cell. The last, partial cell up to
the latest block is kept in memory only (`SyncedPool` lays it over the store) and fetched
again by the next sync. So the first block a sync asks for is a multiple of 2000 (or the
pool's deployment block), never the block where this wallet's previous sync stopped: that
is typically the block of its own next deposit.

Nothing a node returns is trusted: every log must be of the pool, of one of the two
events, inside the asked range, and have its event's exact shape; leaf indices must run 0,
1, 2, ... without gap or repeat; commitments and nullifier hashes must be field elements; a
nullifier hash is spent at most once; a fee is at most the denomination; the tree's root and
size must equal the pool's own `roots[currentRootIndex]` and `nextIndex` at the synced
block; and the pool must hold at least a denomination per deposit not withdrawn (a node
that withholds Withdrawal events makes the pool look richer than it is). On a mismatch the
store is deleted and `SyncError` says why, so a lying or broken node cannot leave a wrong
state behind. A stored block whose hash changed (a reorganisation) restarts the sync. Nor is
the store file trusted: one that SQLite cannot read, or whose contents contradict
themselves (a path that does not lead to the root), is deleted and fetched again.

What a lying node can still do is in `docs/threat-model.md` ("What a lying node can still
do to note state").
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.providers.eth_tester import EthereumTesterProvider
from web3.types import RPCEndpoint

from mixer.chain.artifacts import load
from mixer.chain.client import READ_ERRORS, ChainError
from mixer.chain.erc20 import ERC20_ABI
from mixer.chain.events import (
    DEPOSIT_TOPIC,
    WITHDRAWAL_TOPIC,
    DepositEvent,
    LogShapeError,
    WithdrawalEvent,
    decode,
    double_spend,
    out_of_order,
)
from mixer.chain.store import PoolStore, StoreError
from mixer.jsonsafe import UntrustedJSONError
from mixer.merkle import grow, verify_path
from mixer.params import ZERO_ADDRESS

__all__ = [
    "DEFAULT_RANGE",
    "DepositEvent",
    "SyncError",
    "SyncedPool",
    "WithdrawalEvent",
    "find_withdrawal",
    "pool_events",
    "store_path",
    "sync_deposits",
]

DEFAULT_RANGE: Final = 2000
Progress = Callable[[int, int], None]
"""progress(synced_block, target_block), called after each fetched range."""
_GROW_BELOW: Final = 2000
"""A range that answered fewer logs than this lets the next one double (up to a cell)."""
_TX_HASH = re.compile(r"0x[0-9a-f]{64}\Z")
_REFUSALS: Final = (Web3Exception, ValueError, OSError, UntrustedJSONError)
"""What a refused range raises (an answer too large to parse is refused: halved too)."""


class SyncError(ChainError):
    """The chain's events are inconsistent with the pool's state, or cannot be fetched."""


class _Refused(Exception):
    """The node answered eth_getLogs with an error (e.g. too many results)."""


def store_path(cache_dir: Path, chain_id: int, pool: str) -> Path:
    """The store file of `pool` on chain `chain_id` in `cache_dir`."""
    return Path(cache_dir) / f"pool-{chain_id}-{pool.lower()}.sqlite"


def _legacy_cache_path(cache_dir: Path, chain_id: int, pool: str) -> Path:
    """Where versions 1 and 2 kept a whole-file JSON cache (deleted, never read)."""
    return Path(cache_dir) / f"deposits-{chain_id}-{pool.lower()}.json"


# -- fetching --------------------------------------------------------------------------------


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex()


def _as_raw(log: Any) -> dict[str, Any]:
    """A log web3 formatted (the embedded chain's) back in its JSON-RPC shape."""
    return {
        "address": str(log["address"]),
        "topics": [_hex(t) for t in log["topics"]],
        "data": _hex(log["data"]),
        "blockNumber": hex(int(log["blockNumber"])),
        "transactionHash": _hex(log["transactionHash"]),
    }


def _raw_logs(w3: Web3, address: str, topics: list[str], first: int, last: int) -> list[Any]:
    """The raw logs of `address` with one of `topics` in blocks first..last."""
    if isinstance(w3.provider, EthereumTesterProvider):  # its raw requests take other params
        logs = w3.eth.get_logs({"address": address, "fromBlock": first, "toBlock": last, "topics": [topics]})  # type: ignore[typeddict-item]
        try:
            return [_as_raw(log) for log in logs]
        except (KeyError, TypeError, ValueError):
            raise SyncError("the node returned a malformed log") from None
    params = {"address": address, "fromBlock": hex(first), "toBlock": hex(last), "topics": [topics]}
    response = w3.provider.make_request(RPCEndpoint("eth_getLogs"), [params])
    if "error" in response:
        raise _Refused(str(response["error"]))
    result = response.get("result")
    if not isinstance(result, list):
        raise SyncError("the node's answer to eth_getLogs is not a list of logs")
    return result


def _checked(raw: Any, address: str, first: int, last: int) -> DepositEvent | WithdrawalEvent:
    """The event in `raw`, a log the node returned for blocks first..last of `address`."""
    try:
        foreign = str(raw["address"]).lower() != address.lower()  # checksumming cost seconds
        block = int(raw["blockNumber"], 16)
        event = None if foreign else decode(raw)
    except LogShapeError as exc:
        raise SyncError(str(exc)) from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        raise SyncError("the node returned a malformed log") from None
    if event is None:
        raise SyncError(f"the node returned an event of another contract ({raw['address']})")
    if not first <= block <= last:
        raise SyncError(
            f"the node returned a {type(event).__name__.removesuffix('Event')} event of block {block} "
            f"when asked for blocks {first}..{last}"
        )
    if not _TX_HASH.match(event.tx_hash):
        raise SyncError(f"the node returned an event with a malformed transaction hash {event.tx_hash[:80]}")
    return event


def pool_events(
    w3: Web3,
    pool: str,
    start: int,
    end: int,
    *,
    topics: Sequence[str] = (DEPOSIT_TOPIC, WITHDRAWAL_TOPIC),
    max_range: int = DEFAULT_RANGE,
) -> Iterator[tuple[int, list[DepositEvent | WithdrawalEvent]]]:
    """The events of `pool` with one of `topics` in blocks `start..end`, one `eth_getLogs`
    per range: yields (last block of the range, its events in the node's order).

    Ranges are cells of the grid of multiples of `max_range` (whatever `start` is), or
    pieces of one: a range the node refuses is halved, down to a single block, and the step
    doubles again (never past a size once refused, nor a cell) while answers stay small. A
    log of another contract or event, outside the asked range, or of a wrong shape is a
    `SyncError`."""
    if max_range < 1:
        raise ValueError("max_range must be at least 1")
    address = to_checksum_address(pool)
    wanted = list(topics)
    kinds = {DEPOSIT_TOPIC: DepositEvent, WITHDRAWAL_TOPIC: WithdrawalEvent}
    allowed = tuple(kinds[t] for t in wanted)
    step, ceiling, block = max_range, max_range, start
    while block <= end:
        stop = min(end, block + step - 1, (block // max_range + 1) * max_range - 1)
        try:
            raws = _raw_logs(w3, address, wanted, block, stop)
        except (*_REFUSALS, _Refused) as exc:
            if stop == block:
                raise SyncError(f"cannot fetch the pool's events of block {block}: {exc}") from None
            ceiling = stop - block
            step = max(1, (stop - block + 1) // 2)
            continue
        events = [_checked(raw, address, block, stop) for raw in raws]
        if any(not isinstance(e, allowed) for e in events):
            raise SyncError("the node returned an event of a kind that was not asked for")
        yield stop, events
        if len(raws) < _GROW_BELOW:
            step = min(ceiling, step * 2)
        block = stop + 1


def _block_hash(w3: Web3, number: int) -> str:
    return _hex(w3.eth.get_block(number)["hash"])


# -- the synced pool -------------------------------------------------------------------------


class SyncedPool:
    """A pool's deposits, withdrawals and tree through `block`, and the ring slot of that
    tree's root: the store's whole ranges, with the last partial range laid over them in
    memory. Reads go to the store (nothing proportional to the pool is loaded)."""

    def __init__(
        self,
        store: PoolStore,
        block: int,
        root_index: int,
        tail_deposits: Sequence[DepositEvent] = (),
        tail_withdrawals: Sequence[WithdrawalEvent] = (),
    ) -> None:
        self.store = store
        self.block = block
        self.root_index = root_index
        self._stored = store.size
        self._tail = list(tail_deposits)
        self._tail_by_commitment = {d.commitment: d for d in self._tail}
        self._tail_withdrawals = {w.nullifier_hash: w for w in tail_withdrawals}
        self._nodes: dict[tuple[int, int], int] = {}
        if self._tail:
            changed = self._guarded(
                grow,
                self._stored,
                [d.commitment for d in self._tail],
                store.zeros,
                store.hasher,
                self._old_node,
            )
            for level, start, values in changed:
                self._nodes.update(((level, start + i), v) for i, v in enumerate(values))

    def _old_node(self, level: int, index: int) -> int:
        value = self.store.node(level, index)
        if value is None:
            raise StoreError(f"the stored tree lacks node {index} of level {level}")
        return value

    def _guarded(self, read: Callable[..., Any], *args: Any) -> Any:
        """`read(*args)` on the store; a store found damaged is deleted (SyncError)."""
        try:
            return read(*args)
        except (StoreError, sqlite3.DatabaseError) as exc:
            self.store.delete()
            raise SyncError(
                f"the local pool store is damaged ({exc}); it was discarded, sync again"
            ) from None

    @property
    def depth(self) -> int:
        return self.store.depth

    @property
    def hash_name(self) -> str:
        return str(self.store.hasher.name)

    @property
    def size(self) -> int:
        """How many deposits (leaves) the pool had at `block`."""
        return self._stored + len(self._tail)

    @property
    def withdrawal_count(self) -> int:
        return int(self._guarded(lambda: self.store.withdrawal_count)) + len(self._tail_withdrawals)

    @property
    def root(self) -> int:
        top = self._nodes.get((self.depth, 0))
        return top if top is not None else int(self._guarded(lambda: self.store.root))

    def deposit_of(self, commitment: int) -> DepositEvent | None:
        """The deposit of `commitment`, looked up locally."""
        found = self._guarded(self.store.deposit_of, commitment)
        return found if found is not None else self._tail_by_commitment.get(commitment)

    def leaf_index(self, commitment: int) -> int | None:
        """The leaf of `commitment`'s deposit, whose tree leaf must hold it (a store found
        altered is deleted: SyncError)."""
        event = self.deposit_of(commitment)
        if event is None:
            return None
        index = event.leaf_index
        leaf = self._nodes.get((0, index))
        if leaf is None:
            leaf = self._guarded(self.store.node, 0, index)
        if leaf != commitment:
            self.store.delete()
            raise SyncError(
                f"the local pool store's deposit of leaf {index} is not its tree's leaf (the root "
                "check cannot vouch for it); it was discarded, sync again"
            )
        return index

    def deposits(self, start: int = 0, stop: int | None = None) -> list[DepositEvent]:
        """Deposits of leaves start..stop-1 (to the end when stop is None), in leaf order."""
        stop = self.size if stop is None else min(stop, self.size)
        stored: list[DepositEvent] = (
            self._guarded(self.store.deposits, start, min(stop, self._stored)) if start < self._stored else []
        )
        return stored + self._tail[max(0, start - self._stored) : max(0, stop - self._stored)]

    def withdrawal_of(self, nullifier_hash: int) -> WithdrawalEvent | None:
        """The withdrawal that spent `nullifier_hash` (None: unspent at `block`), looked up
        locally: this is how a note's spent state is known without asking the node."""
        found = self._guarded(self.store.withdrawal_of, nullifier_hash)
        return found if found is not None else self._tail_withdrawals.get(nullifier_hash)

    def path(self, index: int) -> tuple[list[int], list[int]]:
        """(path_elements, path_indices) of leaf `index`, checked against `root` (a store
        found altered is deleted: SyncError)."""
        if not 0 <= index < self.size:
            raise IndexError(f"no leaf at index {index} (the tree has {self.size} leaves)")
        if not self._tail:
            return self._guarded(self.store.path, index)  # type: ignore[no-any-return]

        def node(level: int, i: int) -> int:
            value = self._nodes.get((level, i))
            if value is None:
                value = self._guarded(self.store.node, level, i)
            return self.store.zeros[level] if value is None else value

        elements = [node(level, (index >> level) ^ 1) for level in range(self.depth)]
        indices = [(index >> level) & 1 for level in range(self.depth)]
        if not verify_path(self.root, node(0, index), elements, indices, self.hash_name):
            self.store.delete()
            raise SyncError(
                f"the local pool store's path of leaf {index} does not lead to the root; it was "
                "discarded, sync again"
            )
        return elements, indices


# -- syncing ---------------------------------------------------------------------------------


def _pool_holdings(w3: Web3, pool: str, block: int) -> int | None:
    """What the pool holds at `block` in its own currency (its token's balance, or ETH);
    None when a token does not answer (its balance then checks nothing)."""
    contract = w3.eth.contract(address=to_checksum_address(pool), abi=load("ERC20Pool").abi)
    try:
        token = str(contract.functions.token().call(block_identifier=block))
    except READ_ERRORS:
        token = ZERO_ADDRESS  # an ETH pool has no token()
    if token == ZERO_ADDRESS:
        return int(w3.eth.get_balance(contract.address, block_identifier=block))
    erc20 = w3.eth.contract(address=to_checksum_address(token), abi=ERC20_ABI)
    try:
        return int(erc20.functions.balanceOf(contract.address).call(block_identifier=block))
    except READ_ERRORS:
        return None


def sync_deposits(
    w3: Web3,
    pool: str,
    *,
    hasher: str,
    cache_dir: Path,
    start_block: int = 0,
    to_block: int | None = None,
    max_range: int = DEFAULT_RANGE,
    progress: Progress | None = None,
) -> SyncedPool:
    """Bring the stored deposits and withdrawals of `pool` up to `to_block` (default:
    latest) and verify them.

    `hasher` is the pool's hash family (poseidon | mimcsponge); `start_block` is where to
    begin looking (the pool's deployment block saves scanning older blocks).
    """
    if max_range < 1:
        raise ValueError("max_range must be at least 1")
    pool = to_checksum_address(pool)
    contract = w3.eth.contract(address=pool, abi=load("ETHPool").abi)
    chain_id = int(w3.eth.chain_id)
    target = int(w3.eth.block_number) if to_block is None else to_block
    levels = int(contract.functions.levels().call(block_identifier=target))
    denomination = int(contract.functions.denomination().call(block_identifier=target))
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    _legacy_cache_path(cache_dir, chain_id, pool).unlink(missing_ok=True)
    path = store_path(cache_dir, chain_id, pool)
    identity: dict[str, str | int] = {"chain": chain_id, "pool": pool, "start": start_block}
    for attempt in range(2):
        store = PoolStore(path, identity=identity, depth=levels, hash_name=hasher)
        held = store.next_block is not None
        try:
            tail = _fetch(w3, store, pool, start_block, target, max_range, denomination, progress)
            root_index = int(contract.functions.currentRootIndex().call(block_identifier=target))
            synced = SyncedPool(store, target, root_index, *tail)
            _check(w3, contract, synced, denomination)
            return synced
        except (SyncError, StoreError, sqlite3.DatabaseError) as exc:
            store.delete()
            if attempt == 0 and held:
                continue  # perhaps a damaged store: fetched again from the start, then judged
            if isinstance(exc, SyncError):
                raise
            raise SyncError(f"{exc}; the local pool store was discarded") from None
    raise AssertionError("unreachable")


def _check(w3: Web3, contract: Any, synced: SyncedPool, denomination: int) -> None:
    """SyncError unless the synced tree is the pool's and the pool is solvent at its block."""
    target = synced.block
    on_chain_root = int.from_bytes(
        contract.functions.roots(synced.root_index).call(block_identifier=target), "big"
    )
    on_chain_size = int(contract.functions.nextIndex().call(block_identifier=target))
    root = synced.root
    if on_chain_size != synced.size or on_chain_root != root:
        raise SyncError(
            f"the deposit events do not rebuild the pool's tree at block {target}: {synced.size} "
            f"events vs {on_chain_size} deposits on chain, root "
            f"{'matches' if on_chain_root == root else 'differs'} (wrong hash family, or the node "
            "withheld or invented events); the local store was discarded"
        )
    # every withdrawal takes exactly one denomination out (fee included); anyone may add more
    withdrawals = synced.withdrawal_count
    unspent = synced.size - withdrawals
    holdings = _pool_holdings(w3, contract.address, target)
    if unspent < 0 or (holdings is not None and holdings < unspent * denomination):
        raise SyncError(
            f"the pool's balance at block {target} does not cover the {synced.size} deposits less "
            f"{withdrawals} withdrawals the node returned (it withheld Withdrawal events, or "
            "invented more than there are deposits); the local store was discarded"
        )


def _fetch(
    w3: Web3,
    store: PoolStore,
    pool: str,
    start_block: int,
    target: int,
    max_range: int,
    denomination: int,
    progress: Progress | None,
) -> tuple[list[DepositEvent], list[WithdrawalEvent]]:
    """Fetch blocks from the store's next block to `target`, committing each whole cell of
    the grid; returns the events of the last, partial cell (not stored)."""
    next_block = store.next_block
    if next_block is not None:
        store.check()
    if next_block is not None and (
        next_block - 1 > target or _block_hash(w3, next_block - 1) != store.last_hash
    ):
        store.reset()  # reorganised (or synced past `target`): start over
        next_block = None
    first = start_block if next_block is None else next_block
    deposits: list[DepositEvent] = []
    withdrawals: list[WithdrawalEvent] = []
    spent: set[int] = set()
    size = store.size
    for end, events in pool_events(w3, pool, first, target, max_range=max_range):
        for event in events:
            if isinstance(event, DepositEvent):
                problem = out_of_order(event, size + len(deposits))
                if problem is not None:
                    raise SyncError(problem)
                deposits.append(event)
            else:
                if event.nullifier_hash in spent:
                    raise SyncError(double_spend(event))
                if event.fee > denomination:
                    raise SyncError(
                        f"the Withdrawal event in block {event.block_number} pays a fee above the "
                        "denomination, which the pool refuses"
                    )
                spent.add(event.nullifier_hash)
                withdrawals.append(event)
        if (end + 1) % max_range == 0:
            # only whole cells of the grid are stored: the next sync starts at a multiple of
            # max_range, as every wallet's does, never at the block where it last stopped (just
            # before one of its own deposits, typically), which would point at that deposit
            store.append(end, _block_hash(w3, end), deposits, withdrawals)
            size += len(deposits)
            deposits, withdrawals, spent = [], [], set()
        if progress is not None:
            progress(end, target)
    for w in withdrawals:  # the partial cell's, which the store has not checked
        if store.withdrawal_of(w.nullifier_hash) is not None:
            raise SyncError(double_spend(w))
    return deposits, withdrawals


def find_withdrawal(w3: Web3, pool: str, nullifier_hash: int, *, from_block: int) -> WithdrawalEvent | None:
    """The Withdrawal event of `pool` that spent `nullifier_hash`, at or after `from_block`.

    A question keyed by one withdrawal: the wallet never asks it about its own notes (their
    state comes from `sync_deposits`). The relayer asks it about a record it was handed and
    sent itself, which the node saw in the relayer's own transaction already."""
    latest = int(w3.eth.block_number)
    for _, events in pool_events(w3, pool, from_block, latest, topics=[WITHDRAWAL_TOPIC]):
        for event in events:
            if isinstance(event, WithdrawalEvent) and event.nullifier_hash == nullifier_hash:
                return event
    return None
