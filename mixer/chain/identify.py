"""What a pool is, read from its bytecode, and whether this wallet could withdraw from it.

Nothing a pool says about itself is taken on trust. Its code must be byte-for-byte our
ETHPool or ERC20Pool outside the immutable slots, and the immutables (hasher, verifier,
depth, denomination, token) are read from that code rather than asked of it. A pool built
from our code around a different verifier, or around our verifier holding a key nobody can
prove for, takes deposits that only its deployer can withdraw: `pool_problems` names each
such difference, and the wallet refuses to deposit while there is one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eth_utils.address import to_checksum_address

from mixer.chain.artifacts import WORD, load
from mixer.chain.client import Chain, ChainError
from mixer.chain.erc20 import ERC20
from mixer.chain.pool import HASHER_CONTRACTS, VK_WORD_NAMES
from mixer.chain.sync import SyncedPool
from mixer.hashes import get_hasher
from mixer.merkle import ROOT_HISTORY_SIZE, MerkleTree, empty_subtree_roots
from mixer.note import amount_text
from mixer.params import circuit_name
from mixer.wallet import PoolInfo

POOL_CONTRACTS = ("ETHPool", "ERC20Pool")
_ADDRESS_BOUND = 1 << 160


class NotAPoolError(ChainError):
    """The address holds no pool this program can use."""


@dataclass(frozen=True)
class PoolCode:
    """A pool as its deployed code fixes it (immutables), for a pool whose code is ours."""

    address: str
    contract: str
    """"ETHPool" or "ERC20Pool"."""
    hash: str
    hasher: str
    verifier: str
    levels: int
    denomination: int
    token: str | None
    zeros_store: str

    @property
    def circuit(self) -> str:
        return circuit_name(self.hash, self.levels)


def _address(value: int, what: str, pool: str) -> str:
    if value >= _ADDRESS_BOUND:
        raise NotAPoolError(f"pool {pool} holds a {what} that is not an address")
    return to_checksum_address(value.to_bytes(20, "big"))


def read_pool(chain: Chain, address: str) -> PoolCode:
    """The pool at `address` as its code fixes it; NotAPoolError if there is no contract,
    the code is not one of our pools, or its hasher is not one of our hashers."""
    address = to_checksum_address(address)
    chain_id = chain.chain_id()
    code = chain.code(address)
    if not code:
        raise NotAPoolError(f"there is no contract at {address} on chain {chain_id}")
    for contract in POOL_CONTRACTS:
        values = load(contract).immutable_values(code)
        if values is not None:
            break
    else:
        raise NotAPoolError(f"{address} on chain {chain_id} is not a mixer pool (its code is not ours)")
    hasher = _address(values["hasher"], "hasher", address)
    hasher_code = chain.code(hasher)
    hash_name = next(
        (h for h, name in HASHER_CONTRACTS.items() if load(name).immutable_values(hasher_code) is not None),
        None,
    )
    if hash_name is None:
        raise NotAPoolError(f"pool {address} uses a hasher contract this program does not know")
    levels = values["levels"]
    if not 1 <= levels <= 32:
        raise NotAPoolError(f"pool {address} has an impossible depth {levels}")
    token = values.get("token")
    return PoolCode(
        address=address,
        contract=contract,
        hash=hash_name,
        hasher=hasher,
        verifier=_address(values["verifier"], "verifier", address),
        levels=levels,
        denomination=values["denomination"],
        token=None if token is None else _address(token, "token", address),
        zeros_store=_address(values["zerosStore"], "zeros store", address),
    )


def describe(chain: Chain, address: str, *, deploy_block: int = 0) -> PoolInfo:
    """The pool at `address` (NotAPoolError if there is none, or one this program cannot read).

    `deploy_block` is where its events start, when the caller knows it (0: the whole chain).
    """
    pool = read_pool(chain, address)
    if pool.token is None:
        currency, decimals = "eth", 18
    else:
        metadata = ERC20(chain, pool.token).metadata()
        currency, decimals = metadata.currency, metadata.decimals
    return PoolInfo(
        hash=pool.hash,
        currency=currency,
        amount=amount_text(pool.denomination, decimals),
        chain_id=chain.chain_id(),
        address=pool.address,
        depth=pool.levels,
        verifier=pool.verifier,
        hasher=pool.hasher,
        token=pool.token,
        decimals=decimals,
        deploy_block=deploy_block,
    )


def verifier_key(chain: Chain, verifier: str) -> list[int] | None:
    """The 22 verifying-key words (`vk_words` order) held by our verifier code at
    `verifier`, or None if the code there is not our verifier."""
    values = load("Groth16Verifier").immutable_values(chain.code(verifier))
    return None if values is None else [values[name] for name in VK_WORD_NAMES]


def pool_problems(chain: Chain, pool: PoolCode, installed_key: Sequence[int] | None) -> list[str]:
    """Why this wallet could not count on withdrawing from `pool` (empty: it could).

    `installed_key` is the `vk_words` of the key installed in this wallet for the pool's
    circuit (None: no key installed), the only key whose proofs this wallet can make."""
    problems = []
    expected_zeros = empty_subtree_roots(pool.levels, get_hasher(pool.hash))[: pool.levels]
    if chain.code(pool.zeros_store) != b"\x00" + b"".join(z.to_bytes(WORD, "big") for z in expected_zeros):
        problems.append(f"its empty-subtree table at {pool.zeros_store} is not the {pool.hash} one")
    held = verifier_key(chain, pool.verifier)
    if held is None:
        problems.append(f"its verifier {pool.verifier} is not mixer's Groth16Verifier code")
    elif installed_key is None:
        problems.append(
            f"no key for its circuit {pool.circuit} is installed in this wallet, so its verifier's "
            "key cannot be checked (install the pool's ceremony key with `mixer setup --zkey FILE`)"
        )
    elif held != list(installed_key):
        problems.append(
            f"its verifier {pool.verifier} holds a verifying key other than the {pool.circuit} key "
            "installed in this wallet: no proof this wallet makes would be accepted"
        )
    return problems


def history_problems(chain: Chain, pool: PoolCode, sync: Callable[[], SyncedPool]) -> list[str]:
    """Why the pool's root ring is not the one its deposit events produce (empty: it is).

    Code that is ours can still have been installed by a constructor that is not, with a
    root the deployer can prove membership in already in the ring: a withdrawal naming that
    slot would be accepted until deposits overwrite it. Slot k % ROOT_HISTORY_SIZE holds the root
    after k deposits, so once the ring index agrees with the deposit count and a full lap
    has passed, every slot was written by a deposit. Only a younger pool needs its events
    (`sync`, called only then) to check each slot.
    """
    contract = chain.w3.eth.contract(address=to_checksum_address(pool.address), abi=load("ETHPool").abi)
    block = chain.block_number()
    n = int(contract.functions.nextIndex().call(block_identifier=block))
    index = int(contract.functions.currentRootIndex().call(block_identifier=block))
    if index != n % ROOT_HISTORY_SIZE:
        genuine = n % ROOT_HISTORY_SIZE
        return [f"its root ring index is {index} after {n} deposits (a genuine pool's would be {genuine})"]
    if n >= ROOT_HISTORY_SIZE:
        return []
    synced = sync()  # checks that its events rebuild the root at synced.root_index
    if synced.root_index != synced.size % ROOT_HISTORY_SIZE:
        return [f"its root ring index is {synced.root_index} after {synced.size} deposits"]
    tree = MerkleTree(pool.levels, pool.hash)
    expected = [tree.root]
    for deposit in synced.deposits(0, ROOT_HISTORY_SIZE - 1):
        tree.insert(deposit.commitment)
        expected.append(tree.root)
    expected += [0] * (ROOT_HISTORY_SIZE - len(expected))
    held = [
        int.from_bytes(contract.functions.roots(i).call(block_identifier=synced.block), "big")
        for i in range(ROOT_HISTORY_SIZE)
    ]
    if synced.size < ROOT_HISTORY_SIZE and held != expected:
        wrong = [str(i) for i in range(ROOT_HISTORY_SIZE) if held[i] != expected[i]]
        return [f"its root history holds roots that no deposit made (ring slots {', '.join(wrong[:5])})"]
    return []
