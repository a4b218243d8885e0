"""Deposit-event sync: fetch a pool's Deposit events incrementally, cache them, rebuild its tree.

Events are fetched in bounded block ranges (halving the range when a node refuses one),
and the cache is rewritten atomically after every range, so an interrupted sync resumes
where it stopped. Nothing a node returns is trusted: leaf indices must run 0, 1, 2, ...
without gap or repeat, and the rebuilt tree's root and size must equal the pool's own
`roots[currentRootIndex]` and `nextIndex` at the synced block. On a mismatch the cache is
discarded and `SyncError` says why, so a lying or broken node cannot leave a wrong tree
behind. A cached block whose hash changed (a reorganisation) restarts the sync.

`find_withdrawal` looks up the Withdrawal event that spent a nullifier, in the same bounded
ranges (`event_logs`), for `mixer status` and `mixer compliance`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.contract.contract import ContractEvent
from web3.exceptions import Web3Exception
from web3.types import EventData

from mixer import jsonsafe
from mixer.atomic import write_file
from mixer.chain.artifacts import load
from mixer.chain.client import ChainError
from mixer.field import is_element
from mixer.merkle import MerkleTree

CACHE_VERSION = 1
DEFAULT_RANGE = 2000
Progress = Callable[[int, int], None]
"""progress(synced_block, target_block), called after each fetched range."""


class SyncError(ChainError):
    """The chain's deposit events are inconsistent with the pool's state, or cannot be fetched."""


@dataclass(frozen=True)
class DepositEvent:
    commitment: int
    leaf_index: int
    block_number: int
    tx_hash: str
    timestamp: int


@dataclass
class SyncedPool:
    """A pool's deposits through `block`, its tree, and the ring slot of that tree's root."""

    deposits: list[DepositEvent]
    tree: MerkleTree
    block: int
    root_index: int

    @property
    def root(self) -> int:
        return self.tree.root

    def leaf_index(self, commitment: int) -> int | None:
        for event in self.deposits:
            if event.commitment == commitment:
                return event.leaf_index
        return None


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

    def to_json(self) -> bytes:
        data = asdict(self)
        data["version"] = CACHE_VERSION
        data["deposits"] = [
            [hex(d.commitment), d.leaf_index, d.block_number, d.tx_hash, d.timestamp] for d in self.deposits
        ]
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> _Cache:
        data = jsonsafe.loads(raw, what="deposit cache")
        if data.pop("version", None) != CACHE_VERSION:
            raise ValueError("unsupported cache version")
        deposits = [
            DepositEvent(int(c, 16), int(i), int(b), str(t), int(ts))
            for c, i, b, t, ts in data.pop("deposits")
        ]
        return cls(deposits=deposits, **data)


def cache_path(cache_dir: Path, chain_id: int, pool: str) -> Path:
    return Path(cache_dir) / f"deposits-{chain_id}-{pool.lower()}.json"


def _load_cache(path: Path, chain_id: int, pool: str, start_block: int) -> _Cache:
    fresh = _Cache(chain_id, pool, start_block, start_block, "", [])
    try:
        cache = _Cache.from_json(path.read_bytes())
    except FileNotFoundError:
        return fresh
    except (ValueError, TypeError, KeyError, AttributeError, jsonsafe.UntrustedJSONError):
        # A damaged cache holds nothing that cannot be fetched again.
        return fresh
    if (cache.chain_id, cache.pool, cache.start_block) != (chain_id, pool, start_block):
        return fresh
    return cache


def _block_hash(w3: Web3, number: int) -> str:
    return "0x" + bytes(w3.eth.get_block(number)["hash"]).hex()


def event_logs(
    w3: Web3, event: ContractEvent, start: int, end: int, *, max_range: int = DEFAULT_RANGE
) -> Iterator[tuple[int, list[EventData]]]:
    """The logs of `event` (bound to one contract) in blocks `start..end`, fetched in
    consecutive ranges of at most `max_range` blocks: yields (last block of the range, its
    decoded logs). A range the node refuses (e.g. "query returned more than 10000 results")
    is halved, down to a single block; a log of another contract is a `SyncError`."""
    if max_range < 1:
        raise ValueError("max_range must be at least 1")
    address = to_checksum_address(event.address)
    step, block = max_range, start
    while block <= end:
        stop = min(end, block + step - 1)
        try:
            raws = w3.eth.get_logs(
                {"address": address, "fromBlock": block, "toBlock": stop, "topics": [event.topic]}
            )
        except (Web3Exception, ValueError, OSError) as exc:
            if step == 1:
                raise SyncError(f"cannot fetch {event.event_name} events of block {block}: {exc}") from None
            step = max(1, step // 2)
            continue
        for raw in raws:
            if to_checksum_address(raw["address"]) != address:
                raise SyncError(
                    f"the node returned a {event.event_name} event of another contract ({raw['address']})"
                )
        yield stop, [event.process_log(raw) for raw in raws]
        block = stop + 1


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
    return DepositEvent(
        commitment,
        index,
        int(raw["blockNumber"]),
        "0x" + bytes(raw["transactionHash"]).hex(),
        int(args["timestamp"]),
    )


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
    """Bring the cached deposits of `pool` up to `to_block` (default: latest) and verify them.

    `hasher` is the pool's hash family (poseidon | mimcsponge); `start_block` is where to
    begin looking (the pool's deployment block saves scanning older blocks).
    """
    pool = to_checksum_address(pool)
    contract = w3.eth.contract(address=pool, abi=load("ETHPool").abi)
    chain_id = int(w3.eth.chain_id)
    target = int(w3.eth.block_number) if to_block is None else to_block
    levels = int(contract.functions.levels().call(block_identifier=target))
    path = cache_path(cache_dir, chain_id, pool)
    cache = _load_cache(path, chain_id, pool, start_block)
    if cache.last_hash and (
        cache.next_block - 1 > target or _block_hash(w3, cache.next_block - 1) != cache.last_hash
    ):
        cache = _Cache(chain_id, pool, start_block, start_block, "", [])  # reorganised: start over

    for end, raws in event_logs(w3, contract.events.Deposit(), cache.next_block, target, max_range=max_range):
        for raw in raws:
            cache.deposits.append(_to_event(raw, len(cache.deposits)))
        cache.next_block, cache.last_hash = end + 1, _block_hash(w3, end)
        write_file(path, cache.to_json(), overwrite=True)
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
    return SyncedPool(cache.deposits, tree, target, root_index)


@dataclass(frozen=True)
class WithdrawalEvent:
    tx_hash: str
    block: int
    to: str
    relayer: str
    fee: int


def find_withdrawal(w3: Web3, pool: str, nullifier_hash: int, *, from_block: int) -> WithdrawalEvent | None:
    """The Withdrawal event of `pool` that spent `nullifier_hash`, at or after `from_block`
    (the note's deposit block, or the pool's deployment). The nullifier hash is not an
    indexed topic, so the pool's withdrawals are scanned, in bounded ranges as the deposits are."""
    contract = w3.eth.contract(address=to_checksum_address(pool), abi=load("ETHPool").abi)
    wanted = nullifier_hash.to_bytes(32, "big")
    for _, logs in event_logs(w3, contract.events.Withdrawal(), from_block, int(w3.eth.block_number)):
        for log in logs:
            args = log["args"]
            if bytes(args["nullifierHash"]) == wanted:
                return WithdrawalEvent(
                    tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                    block=int(log["blockNumber"]),
                    to=str(args["to"]),
                    relayer=str(args["relayer"]),
                    fee=int(args["fee"]),
                )
    return None
