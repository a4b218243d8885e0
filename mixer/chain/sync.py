"""Pool sync: fetch a pool's Deposit and Withdrawal events incrementally, cache them,
rebuild its tree.

Both events are fetched together, one `eth_getLogs` per bounded block range (halving the
range when a node refuses one), over the same ranges for every wallet of the pool: the node
learns which pool you use and nothing about which of its deposits or withdrawals are yours.
Note state (deposited, spent, by which transaction) is derived locally from these events
(`SyncedPool.deposit_of`, `SyncedPool.withdrawal_of`); no question keyed by a note (its
commitment, nullifier hash, deposit block or transaction) is ever asked.

Ranges are cut at multiples of the range size (2000 blocks), so every wallet asks for the
same ranges; only whole ranges are cached (atomically, after each), and the last, partial
range up to the latest block is fetched again by the next sync. So the first block a sync
asks for is a multiple of 2000 (or the pool's deployment block), never the block where this
wallet's previous sync stopped: that is typically the block of its own next deposit. An
interrupted sync resumes at the last whole range.

Nothing a node returns is trusted: every log must be of the pool, of one of the
two events, inside the asked range; leaf indices must run 0, 1, 2, ... without gap or
repeat; commitments and nullifier hashes must be field elements; a nullifier hash is spent
at most once; a fee is at most the denomination; the rebuilt tree's root and size must equal
the pool's own `roots[currentRootIndex]` and `nextIndex` at the synced block; and the pool
must hold at least a denomination per deposit not withdrawn (a node that withholds
Withdrawal events makes the pool look richer than it is). On a mismatch the cache is
discarded and `SyncError` says why, so a lying or broken node cannot leave a wrong state
behind. A cached block whose hash changed (a reorganisation) restarts the sync.

What a lying node can still do is in `docs/threat-model.md` ("What a lying node can still
do to note state").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from eth_utils.address import is_address, to_checksum_address
from web3 import Web3
from web3.contract.contract import ContractEvent
from web3.exceptions import Web3Exception
from web3.types import EventData

from mixer import jsonsafe
from mixer.atomic import write_file
from mixer.chain.artifacts import load
from mixer.chain.client import READ_ERRORS, ChainError
from mixer.chain.erc20 import ERC20_ABI
from mixer.field import is_element
from mixer.merkle import MerkleTree
from mixer.params import ZERO_ADDRESS

CACHE_VERSION = 2
"""2: Withdrawal events are cached with the deposits (a version-1 cache is fetched again)."""
DEFAULT_RANGE = 2000
Progress = Callable[[int, int], None]
"""progress(synced_block, target_block), called after each fetched range."""
_TX_HASH = re.compile(r"0x[0-9a-f]{64}")


class SyncError(ChainError):
    """The chain's events are inconsistent with the pool's state, or cannot be fetched."""


@dataclass(frozen=True)
class DepositEvent:
    commitment: int
    leaf_index: int
    block_number: int
    tx_hash: str
    timestamp: int


@dataclass(frozen=True)
class WithdrawalEvent:
    """A Withdrawal event: the nullifier hash it spent and whom it paid."""

    nullifier_hash: int
    to: str
    relayer: str
    fee: int
    block_number: int
    tx_hash: str


@dataclass
class SyncedPool:
    """A pool's deposits and withdrawals through `block`, its tree, and the ring slot of that
    tree's root."""

    deposits: list[DepositEvent]
    tree: MerkleTree
    block: int
    root_index: int
    withdrawals: list[WithdrawalEvent] = field(default_factory=list)

    @property
    def root(self) -> int:
        return self.tree.root

    @cached_property
    def _by_commitment(self) -> dict[int, DepositEvent]:
        return {d.commitment: d for d in self.deposits}

    @cached_property
    def _by_nullifier(self) -> dict[int, WithdrawalEvent]:
        return {w.nullifier_hash: w for w in self.withdrawals}

    def deposit_of(self, commitment: int) -> DepositEvent | None:
        """The deposit of `commitment`, looked up locally."""
        return self._by_commitment.get(commitment)

    def leaf_index(self, commitment: int) -> int | None:
        event = self.deposit_of(commitment)
        return None if event is None else event.leaf_index

    def withdrawal_of(self, nullifier_hash: int) -> WithdrawalEvent | None:
        """The withdrawal that spent `nullifier_hash` (None: unspent at `block`), looked up
        locally: this is how a note's spent state is known without asking the node."""
        return self._by_nullifier.get(nullifier_hash)


@dataclass
class _Cache:
    chain_id: int
    pool: str
    start_block: int
    next_block: int
    """The first block not yet fetched."""
    last_hash: str
    """Hash of block next_block - 1 when it was fetched ("" before the first range)."""
    deposits: list[DepositEvent]
    withdrawals: list[WithdrawalEvent]

    def to_json(self) -> bytes:
        data = asdict(self)
        data["version"] = CACHE_VERSION
        data["deposits"] = [
            [hex(d.commitment), d.leaf_index, d.block_number, d.tx_hash, d.timestamp] for d in self.deposits
        ]
        data["withdrawals"] = [
            [hex(w.nullifier_hash), w.to, w.relayer, w.fee, w.block_number, w.tx_hash]
            for w in self.withdrawals
        ]
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> _Cache:
        data = jsonsafe.loads(raw, what="pool cache")
        if data.pop("version", None) != CACHE_VERSION:
            raise ValueError("unsupported cache version")
        deposits = [
            DepositEvent(int(c, 16), int(i), int(b), str(t), int(ts))
            for c, i, b, t, ts in data.pop("deposits")
        ]
        withdrawals = [
            WithdrawalEvent(int(n, 16), str(to), str(r), int(f), int(b), str(t))
            for n, to, r, f, b, t in data.pop("withdrawals")
        ]
        return cls(deposits=deposits, withdrawals=withdrawals, **data)


def cache_path(cache_dir: Path, chain_id: int, pool: str) -> Path:
    return Path(cache_dir) / f"deposits-{chain_id}-{pool.lower()}.json"


def _fresh(chain_id: int, pool: str, start_block: int) -> _Cache:
    return _Cache(chain_id, pool, start_block, start_block, "", [], [])


def _load_cache(path: Path, chain_id: int, pool: str, start_block: int) -> _Cache:
    fresh = _fresh(chain_id, pool, start_block)
    try:
        cache = _Cache.from_json(path.read_bytes())
    except FileNotFoundError:
        return fresh
    except (ValueError, TypeError, KeyError, AttributeError, jsonsafe.UntrustedJSONError):
        # A damaged or older cache holds nothing that cannot be fetched again.
        return fresh
    if (cache.chain_id, cache.pool, cache.start_block) != (chain_id, pool, start_block):
        return fresh
    return cache


def _block_hash(w3: Web3, number: int) -> str:
    return "0x" + bytes(w3.eth.get_block(number)["hash"]).hex()


def event_logs(
    w3: Web3, events: Sequence[ContractEvent], start: int, end: int, *, max_range: int = DEFAULT_RANGE
) -> Iterator[tuple[int, list[EventData]]]:
    """The logs of `events` (of one contract) in blocks `start..end`, all events in one
    `eth_getLogs` per range of at most `max_range` consecutive blocks: yields (last block of
    the range, its decoded logs in the node's order). Ranges are cut at multiples of
    `max_range`, whatever `start` is. A range the node refuses (e.g. "query
    returned more than 10000 results") is halved, down to a single block. A log of another
    contract or event, outside the asked range, or that does not decode is a `SyncError`."""
    if max_range < 1:
        raise ValueError("max_range must be at least 1")
    if not events:
        raise ValueError("no events to fetch")
    address = to_checksum_address(events[0].address)
    by_topic = {bytes(Web3.to_bytes(hexstr=e.topic)): e for e in events}
    names = "/".join(e.event_name for e in events)
    step, block = max_range, start
    while block <= end:
        # ranges never cross a multiple of max_range: the same grid for every wallet
        stop = min(end, block + step - 1, (block // max_range + 1) * max_range - 1)
        try:
            raws = w3.eth.get_logs(
                {
                    "address": address,
                    "fromBlock": block,
                    "toBlock": stop,
                    "topics": [[e.topic for e in events]],
                }
            )
        except (Web3Exception, ValueError, OSError) as exc:
            if step == 1:
                raise SyncError(f"cannot fetch {names} events of block {block}: {exc}") from None
            step = max(1, step // 2)
            continue
        decoded = []
        for raw in raws:
            if to_checksum_address(raw["address"]) != address:
                raise SyncError(f"the node returned a {names} event of another contract ({raw['address']})")
            topics = raw.get("topics") or []
            event = by_topic.get(bytes(topics[0])) if topics else None
            if event is None:
                raise SyncError(f"the node returned a log that is not a {names} event of the pool")
            if not block <= int(raw["blockNumber"]) <= stop:
                raise SyncError(
                    f"the node returned a {event.event_name} event of block {raw['blockNumber']} "
                    f"when asked for blocks {block}..{stop}"
                )
            try:
                decoded.append(event.process_log(raw))
            except (Web3Exception, ValueError, TypeError, KeyError, IndexError, OverflowError):
                raise SyncError(f"the node returned a malformed {event.event_name} event") from None
        yield stop, decoded
        block = stop + 1


def _tx_hash(raw: EventData) -> str:
    value = "0x" + bytes(raw["transactionHash"]).hex()
    if not _TX_HASH.fullmatch(value):
        raise SyncError(f"the node returned an event with a malformed transaction hash {value[:80]}")
    return value


def _to_event(raw: EventData, expected_index: int) -> DepositEvent:
    args = raw["args"]
    index = int(args["leafIndex"])
    if index != expected_index:
        what = "a gap in leaf indices" if index > expected_index else "a repeated leaf index"
        raise SyncError(
            f"expected the deposit of leaf {expected_index}, got leaf {index} in block {raw['blockNumber']} "
            f"({what}): the node returned inconsistent events"
        )
    commitment = int.from_bytes(args["commitment"], "big")
    if not is_element(commitment):
        raise SyncError(f"deposit event for leaf {index} carries a commitment >= r")
    return DepositEvent(commitment, index, int(raw["blockNumber"]), _tx_hash(raw), int(args["timestamp"]))


def _to_withdrawal(raw: EventData, spent: set[int], denomination: int) -> WithdrawalEvent:
    args = raw["args"]
    nullifier_hash = int.from_bytes(args["nullifierHash"], "big")
    where = f"the Withdrawal event in block {raw['blockNumber']}"
    if not is_element(nullifier_hash):
        raise SyncError(f"{where} carries a nullifier hash >= r, which the pool refuses")
    if nullifier_hash in spent:
        raise SyncError(
            f"{where} spends a nullifier hash already spent (the pool refuses a double spend): "
            "the node returned inconsistent events"
        )
    fee = int(args["fee"])
    if fee > denomination:
        raise SyncError(f"{where} pays a fee above the denomination, which the pool refuses")
    to, relayer = str(args["to"]), str(args["relayer"])
    if not (is_address(to) and is_address(relayer)):
        raise SyncError(f"{where} carries a malformed address")
    spent.add(nullifier_hash)
    return WithdrawalEvent(
        nullifier_hash,
        to_checksum_address(to),
        to_checksum_address(relayer),
        fee,
        int(raw["blockNumber"]),
        _tx_hash(raw),
    )


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
    """Bring the cached deposits and withdrawals of `pool` up to `to_block` (default: latest)
    and verify them.

    `hasher` is the pool's hash family (poseidon | mimcsponge); `start_block` is where to
    begin looking (the pool's deployment block saves scanning older blocks).
    """
    pool = to_checksum_address(pool)
    contract = w3.eth.contract(address=pool, abi=load("ETHPool").abi)
    chain_id = int(w3.eth.chain_id)
    target = int(w3.eth.block_number) if to_block is None else to_block
    levels = int(contract.functions.levels().call(block_identifier=target))
    denomination = int(contract.functions.denomination().call(block_identifier=target))
    path = cache_path(cache_dir, chain_id, pool)
    cache = _load_cache(path, chain_id, pool, start_block)
    if cache.last_hash and (
        cache.next_block - 1 > target or _block_hash(w3, cache.next_block - 1) != cache.last_hash
    ):
        cache = _fresh(chain_id, pool, start_block)  # reorganised: start over

    kept = (cache.next_block, cache.last_hash, len(cache.deposits), len(cache.withdrawals))
    spent = {w.nullifier_hash for w in cache.withdrawals}
    events = [contract.events.Deposit(), contract.events.Withdrawal()]
    for end, raws in event_logs(w3, events, cache.next_block, target, max_range=max_range):
        for raw in raws:
            if raw["event"] == "Deposit":
                cache.deposits.append(_to_event(raw, len(cache.deposits)))
            else:
                cache.withdrawals.append(_to_withdrawal(raw, spent, denomination))
        if (end + 1) % max_range == 0:
            # only whole ranges of the grid are cached: the next sync starts at a multiple of
            # max_range, as every wallet's does, never at the block where it last stopped (just
            # before one of its own deposits, typically), which would point at that deposit
            cache.next_block, cache.last_hash = end + 1, _block_hash(w3, end)
            write_file(path, cache.to_json(), overwrite=True)
            kept = (cache.next_block, cache.last_hash, len(cache.deposits), len(cache.withdrawals))
        if progress is not None:
            progress(end, target)

    tree = MerkleTree(levels, hasher)
    tree.insert_many(d.commitment for d in cache.deposits)
    root_index = int(contract.functions.currentRootIndex().call(block_identifier=target))
    on_chain_root = int.from_bytes(contract.functions.roots(root_index).call(block_identifier=target), "big")
    on_chain_size = int(contract.functions.nextIndex().call(block_identifier=target))
    if on_chain_size != len(cache.deposits) or on_chain_root != tree.root:
        path.unlink(missing_ok=True)
        raise SyncError(
            f"the deposit events do not rebuild the pool's tree at block {target}: {len(cache.deposits)} "
            f"events vs {on_chain_size} deposits on chain, root "
            f"{'matches' if on_chain_root == tree.root else 'differs'} (wrong hash family, or the node "
            "withheld or invented events); the local cache was discarded"
        )
    # every withdrawal takes exactly one denomination out (fee included); anyone may add more
    unspent = len(cache.deposits) - len(cache.withdrawals)
    holdings = _pool_holdings(w3, pool, target)
    if unspent < 0 or (holdings is not None and holdings < unspent * denomination):
        path.unlink(missing_ok=True)
        raise SyncError(
            f"the pool's balance at block {target} does not cover the {len(cache.deposits)} deposits less "
            f"{len(cache.withdrawals)} withdrawals the node returned (it withheld Withdrawal events, or "
            "invented more than there are deposits); the local cache was discarded"
        )
    next_block, last_hash, n_deposits, n_withdrawals = kept
    whole = _Cache(
        chain_id,
        pool,
        start_block,
        next_block,
        last_hash,
        cache.deposits[:n_deposits],
        cache.withdrawals[:n_withdrawals],
    )
    write_file(path, whole.to_json(), overwrite=True)  # the whole ranges, in this version's format
    return SyncedPool(cache.deposits, tree, target, root_index, cache.withdrawals)


def find_withdrawal(w3: Web3, pool: str, nullifier_hash: int, *, from_block: int) -> WithdrawalEvent | None:
    """The Withdrawal event of `pool` that spent `nullifier_hash`, at or after `from_block`.

    A question keyed by one withdrawal: the wallet never asks it about its own notes (their
    state comes from `sync_deposits`). The relayer asks it about a record it was handed and
    sent itself, which the node saw in the relayer's own transaction already."""
    contract = w3.eth.contract(address=to_checksum_address(pool), abi=load("ETHPool").abi)
    for _, logs in event_logs(w3, [contract.events.Withdrawal()], from_block, int(w3.eth.block_number)):
        for raw in logs:
            if int.from_bytes(raw["args"]["nullifierHash"], "big") == nullifier_hash:
                return _to_withdrawal(raw, set(), 1 << 256)
    return None
