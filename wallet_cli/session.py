"""What every command shares: the global options, the console, the chain connection, the
sender, the wallet (with its password), the pool book, the transactions sent and the result.

Objects are created lazily, so `mixer notes list` never touches a chain and `mixer status`
without a wallet never asks for a password.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

import typer
from eth_account import Account
from web3 import Web3

from mixer.chain import backend
from mixer.chain.client import Chain, Sender
from mixer.chain.sync import SyncedPool, sync_deposits
from mixer.home import make_private
from mixer.params import ZERO_ADDRESS
from mixer.wallet import PoolBook, PoolInfo, Wallet
from wallet_cli import output, view
from wallet_cli.options import PASSWORD_ENV, Options, UserError

DEPTH_ENV = "MIXER_TREE_DEPTH"
"""Tree depth of `setup`, `deploy` and `demo` (hidden; default 20): tests use small trees."""


class Session:
    """One invocation of the `mixer` command."""

    def __init__(self, options: Options) -> None:
        self.options = options
        # With --json, stdout carries exactly one JSON object; everything for people goes to stderr.
        self.console = view.console(stderr=options.json)
        self.txs = output.TxLog()
        self._w3: Web3 | None = None
        self._wallet: Wallet | None = None
        self._password: str | None = None
        if make_private(options.home):
            self.console.print(
                f"[yellow]note[/yellow]: {options.home} was readable by others; it is now private (0700)"
            )

    @classmethod
    def of(cls, ctx: typer.Context) -> Session:
        options = ctx.obj
        assert isinstance(options, Options)
        session = cls(options)
        ctx.call_on_close(session.close)
        return session

    @property
    def home(self) -> Path:
        return self.options.home

    @property
    def pools(self) -> PoolBook:
        return PoolBook(self.home)

    # -- chain ------------------------------------------------------------------------------

    @property
    def w3(self) -> Web3:
        if self._w3 is None:
            self._w3 = backend.connect(self.options.rpc_url, self.home)
        return self._w3

    @property
    def chain(self) -> Chain:
        """Read-only questions to the chain."""
        return Chain(self.w3)

    def close(self) -> None:
        """Release the embedded chain (its folder is locked while a command uses it)."""
        if self._w3 is not None:
            backend.close(self._w3)
            self._w3 = None

    @property
    def network(self) -> str:
        return self.options.rpc_url or f"embedded chain in {self.home / 'chain'}"

    def chain_id(self) -> int:
        return self.chain.chain_id()

    def reader(self) -> Sender:
        """A sender for read-only calls (nothing is ever signed with it)."""
        return Sender(self.w3, ZERO_ADDRESS)

    def sender(self) -> Sender:
        """Who signs: --private-key, else --account (address or dev-account number), else account 0."""
        w3 = self.w3
        if self.options.private_key:
            try:
                acct = Account.from_key(self.options.private_key)
            except (ValueError, TypeError):
                raise UserError(
                    "--private-key is not a valid private key (expected 0x and 64 hex digits)"
                ) from None
            return Sender(w3, str(acct.address), bytes(acct.key))
        accounts = self.chain.accounts()
        choice = self.options.account
        if choice is None:
            if not accounts:
                raise UserError(
                    "this node has no unlocked accounts: pass --private-key (or MIXER_PRIVATE_KEY)"
                )
            return Sender(w3, accounts[0])
        if choice.isascii() and choice.isdigit():  # "²".isdigit() is True, int("²") fails
            index = int(choice)
            if index >= len(accounts):
                raise UserError(f"--account {index}: this node has only {len(accounts)} unlocked accounts")
            return Sender(w3, accounts[index])
        match = next((a for a in accounts if a.lower() == choice.lower()), None)
        if match is None:
            raise UserError(f"--account {choice} is not an unlocked account of this node; pass --private-key")
        return Sender(w3, match)

    def synced(self, info: PoolInfo) -> SyncedPool:
        """The pool's deposits, withdrawals and tree, synced from the cache in the home
        (root-checked): the same requests for every wallet of the pool, none keyed by a note."""
        cache_dir = self.home / "cache"
        cache_dir.mkdir(parents=True, exist_ok=True)
        with view.sync_bar(self.console, f"Syncing events of {info.address}") as progress:
            return sync_deposits(
                self.w3,
                info.address,
                hasher=info.hash,
                cache_dir=cache_dir,
                start_block=info.deploy_block,
                progress=progress,
            )

    # -- wallet -----------------------------------------------------------------------------

    def password(self, *, new: bool = False) -> str:
        if self._password is None:
            env = os.environ.get(PASSWORD_ENV)
            if env:
                self._password = env
            elif not sys.stdin.isatty():
                raise UserError(f"a wallet password is needed: set {PASSWORD_ENV} or run in a terminal")
            else:
                self._password = self._prompt(new)
        return self._password

    @staticmethod
    def _prompt(new: bool) -> str:
        if not new:
            return getpass.getpass("Wallet password: ")
        first = getpass.getpass("New wallet password: ")
        if not first:
            raise UserError("the wallet password must not be empty")
        if getpass.getpass("Repeat the password: ") != first:
            raise UserError("the two passwords differ; nothing was changed")
        return first

    def has_wallet(self) -> bool:
        return Wallet.exists(self.home)

    def wallet(self, *, create: bool = False) -> Wallet:
        """The home's wallet, opened with the password; created first when `create` is set."""
        if self._wallet is None:
            if Wallet.exists(self.home) or not create:
                self._wallet = Wallet.open(self.home, self.password())
            else:
                self._wallet = Wallet.create(self.home, self.password(new=True))
                self.console.print(f"Created a new wallet in {self.home}")
        return self._wallet

    def wallet_if_available(self) -> Wallet | None:
        """The home's wallet when there is one and its password can be had (MIXER_PASSWORD or
        a terminal to ask in); None otherwise. For commands that only read what the wallet
        knows about a note (its depositor) and work without it."""
        if not self.has_wallet():
            return None
        try:
            return self.wallet()
        except UserError:  # no password without a terminal: go on without the wallet
            return None

    # -- output -----------------------------------------------------------------------------

    def result(self, data: dict[str, Any]) -> None:
        """The command's JSON result (with --json), with the transactions it sent."""
        output.result(data, json_output=self.options.json, transactions=self.txs.entries)
