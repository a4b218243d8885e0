"""Finding the pool a command works on: from the home's pool book, or read from the chain."""

from __future__ import annotations

from typing import Any

from eth_tester.exceptions import TransactionFailed
from eth_utils.address import is_address, to_checksum_address
from web3 import Web3
from web3.exceptions import Web3Exception

from mixer.chain.artifacts import load
from mixer.note import Pool
from mixer.params import ZERO_ADDRESS
from mixer.wallet import PoolInfo
from wallet_cli.session import Session, UserError
from wallet_cli.view import units

CALL_ERRORS = (Web3Exception, TransactionFailed, ValueError, OverflowError)
"""What a failed read-only contract call raises, depending on the backend."""

HASHER_CONTRACTS = {"poseidon": "PoseidonHasher", "mimcsponge": "MiMCHasher"}
"""Our hash names (as in notes) -> the shipped hasher contract."""

ERC20_METADATA_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": name,
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": kind}],
    }
    for name, kind in (("symbol", "string"), ("decimals", "uint8"))
]


def checked_address(value: str, what: str) -> str:
    if not is_address(value):
        raise UserError(f"{what} is not an Ethereum address: {value!r}")
    return str(to_checksum_address(value))


def token_metadata(w3: Web3, token: str) -> tuple[str, int]:
    """The token's currency name for notes (its lowercase symbol, else "token") and decimals."""
    contract = w3.eth.contract(address=token, abi=ERC20_METADATA_ABI)  # type: ignore[call-overload]
    try:
        symbol = str(contract.functions.symbol().call()).lower()
    except CALL_ERRORS:
        symbol = "token"
    try:
        decimals = int(contract.functions.decimals().call())
    except CALL_ERRORS:
        decimals = 18
    if not (symbol.isascii() and symbol.isalnum() and symbol[:1].isalpha() and len(symbol) <= 16):
        symbol = "token"
    return symbol, decimals


def describe(s: Session, address: str) -> PoolInfo:
    """What the chain says about the pool at `address` (UserError if it is not one of ours)."""
    w3 = s.w3
    address = checked_address(address, "pool address")
    chain_id = s.chain_id()
    if not w3.eth.get_code(address):  # type: ignore[arg-type]
        raise UserError(f"there is no contract at {address} on chain {chain_id}")
    contract = w3.eth.contract(address=address, abi=load("ERC20Pool").abi)  # type: ignore[call-overload]
    try:
        hasher = str(contract.functions.hasher().call())
        verifier = str(contract.functions.verifier().call())
        denomination = int(contract.functions.denomination().call())
        depth = int(contract.functions.levels().call())
    except CALL_ERRORS:
        raise UserError(f"{address} on chain {chain_id} is not a mixer pool") from None
    try:
        token = str(contract.functions.token().call())
    except CALL_ERRORS:
        token = ZERO_ADDRESS  # an ETH pool has no token()
    hasher_code = bytes(w3.eth.get_code(hasher))  # type: ignore[arg-type]
    hash_name = next(
        (
            h
            for h, name in HASHER_CONTRACTS.items()
            if hasher_code == bytes.fromhex(load(name).deployed_bytecode.removeprefix("0x"))
        ),
        None,
    )
    if hash_name is None:
        raise UserError(f"pool {address} uses a hasher contract this program does not know")
    currency, decimals = ("eth", 18) if token == ZERO_ADDRESS else token_metadata(w3, token)
    return PoolInfo(
        hash=hash_name,
        currency=currency,
        amount=units(denomination, decimals),
        chain_id=chain_id,
        address=address,
        depth=depth,
        verifier=verifier,
        hasher=hasher,
        token=None if token == ZERO_ADDRESS else token,
        decimals=decimals,
    )


def resolve(s: Session, address: str | None) -> PoolInfo:
    """The pool to use: `address` if given (remembered from now on), else the newest on this chain."""
    chain_id = s.chain_id()
    if address is None:
        # a pool remembered from an embedded chain that was since deleted is not there any more
        known = [p for p in s.pools.on_chain(chain_id) if s.w3.eth.get_code(p.address)]  # type: ignore[arg-type]
        if not known:
            raise UserError(
                f"no pool known on chain {chain_id} ({s.network}): run `mixer deploy` first, "
                "or pass --pool ADDRESS"
            )
        return known[-1]
    info = s.pools.get(chain_id, checked_address(address, "--pool"))
    if info is None or not s.w3.eth.get_code(info.address):  # type: ignore[arg-type]
        info = describe(s, address)
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
    info = s.pools.get(chain_id, pool.address) or describe(s, pool.address)
    if info.identity() != pool:
        theirs = f"{info.hash} {info.amount} {info.currency}"
        ours = f"{pool.hash} {pool.amount} {pool.currency}"
        raise UserError(
            f"this note belongs to another pool: it is for a {ours} pool, but {pool.address} "
            f"is a {theirs} pool"
        )
    return info
