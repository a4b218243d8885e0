"""What a pool is, read from the chain: its hash family (from the hasher's bytecode), its
currency and denomination, depth, verifier and token, as the wallet's `PoolInfo`.

Nothing a pool says about itself is taken on trust: its hasher must be byte-for-byte one
of the shipped hasher contracts, or the pool is refused.
"""

from __future__ import annotations

from eth_utils.address import to_checksum_address

from mixer.chain.artifacts import load
from mixer.chain.client import READ_ERRORS, Chain, ChainError
from mixer.chain.erc20 import ERC20
from mixer.chain.pool import HASHER_CONTRACTS
from mixer.note import amount_text
from mixer.params import ZERO_ADDRESS
from mixer.wallet import PoolInfo


class NotAPoolError(ChainError):
    """The address holds no pool this program can use."""


def describe(chain: Chain, address: str, *, deploy_block: int = 0) -> PoolInfo:
    """The pool at `address` (NotAPoolError if there is none, or one with an unknown hasher).

    `deploy_block` is where its events start, when the caller knows it (0: the whole chain).
    """
    address = to_checksum_address(address)
    chain_id = chain.chain_id()
    if not chain.has_code(address):
        raise NotAPoolError(f"there is no contract at {address} on chain {chain_id}")
    contract = chain.w3.eth.contract(address=address, abi=load("ERC20Pool").abi)
    try:
        hasher = str(contract.functions.hasher().call())
        verifier = str(contract.functions.verifier().call())
        denomination = int(contract.functions.denomination().call())
        depth = int(contract.functions.levels().call())
    except READ_ERRORS:
        raise NotAPoolError(f"{address} on chain {chain_id} is not a mixer pool") from None
    try:
        token = str(contract.functions.token().call())
    except READ_ERRORS:
        token = ZERO_ADDRESS  # an ETH pool has no token()
    hasher_code = bytes(chain.w3.eth.get_code(hasher))  # type: ignore[arg-type]
    hash_name = next(
        (
            h
            for h, name in HASHER_CONTRACTS.items()
            if hasher_code == bytes.fromhex(load(name).deployed_bytecode.removeprefix("0x"))
        ),
        None,
    )
    if hash_name is None:
        raise NotAPoolError(f"pool {address} uses a hasher contract this program does not know")
    if token == ZERO_ADDRESS:
        currency, decimals = "eth", 18
    else:
        metadata = ERC20(chain, token).metadata()
        currency, decimals = metadata.currency, metadata.decimals
    return PoolInfo(
        hash=hash_name,
        currency=currency,
        amount=amount_text(denomination, decimals),
        chain_id=chain_id,
        address=address,
        depth=depth,
        verifier=verifier,
        hasher=hasher,
        token=None if token == ZERO_ADDRESS else token,
        decimals=decimals,
        deploy_block=deploy_block,
    )
