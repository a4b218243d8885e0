"""The ERC20 calls a token pool needs: its name and decimals for notes, balances, approval.

One ABI holds every function used (`symbol`, `decimals`, `balanceOf`, `allowance`,
`approve`); the token contracts themselves are anyone's, so the metadata calls tolerate
tokens that lack them or answer nonsense.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from web3.contract import Contract

from mixer.chain.client import READ_ERRORS, Chain, Sender, Transaction


def _function(name: str, mutability: str, inputs: tuple[tuple[str, str], ...], output: str) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "stateMutability": mutability,
        "inputs": [{"name": n, "type": t} for n, t in inputs],
        "outputs": [{"name": "", "type": output}],
    }


ERC20_ABI: Final = [
    _function("symbol", "view", (), "string"),
    _function("decimals", "view", (), "uint8"),
    _function("balanceOf", "view", (("owner", "address"),), "uint256"),
    _function("allowance", "view", (("owner", "address"), ("spender", "address")), "uint256"),
    _function("approve", "nonpayable", (("spender", "address"), ("amount", "uint256")), "bool"),
]


@dataclass(frozen=True)
class TokenMetadata:
    currency: str
    """The name notes use: the lowercase symbol, or "token" when it has none fit for a note."""
    decimals: int


class ERC20:
    """One token contract, seen from `chain` (a `Sender` to approve)."""

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.address = address
        self.contract: Contract = chain.w3.eth.contract(address=address, abi=ERC20_ABI)  # type: ignore[call-overload]

    def metadata(self) -> TokenMetadata:
        """Currency name and decimals (defaults "token" and 18 where the token does not say)."""
        try:
            symbol = str(self.contract.functions.symbol().call()).lower()
        except READ_ERRORS:
            symbol = "token"
        try:
            decimals = int(self.contract.functions.decimals().call())
        except READ_ERRORS:
            decimals = 18
        if not (symbol.isascii() and symbol.isalnum() and symbol[:1].isalpha() and len(symbol) <= 16):
            symbol = "token"
        return TokenMetadata(symbol, decimals)

    def balance_of(self, owner: str) -> int:
        return int(self.contract.functions.balanceOf(owner).call())

    def allowance(self, owner: str, spender: str) -> int:
        return int(self.contract.functions.allowance(owner, spender).call())

    def approve(self, sender: Sender, spender: str, amount: int) -> Transaction:
        return Transaction("approve", sender.send(self.contract.functions.approve(spender, amount)))
