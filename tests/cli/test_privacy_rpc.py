"""What the JSON-RPC node learns: `mixer` commands run through a logging proxy in front of
anvil, and no request may carry one of the user's notes (its commitment, nullifier hash,
deposit block or deposit transaction), nor the recipient's address before the withdrawal
is sent (docs/threat-model.md, "What each party learns from each command").

The user's notes are deposited between other people's deposits, so that their deposit
blocks are neither the latest block nor a sync range boundary (a request naming such a
block would then be one every wallet makes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3

from mixer.field import random_element
from mixer.note import Note
from tests.support.chain_nodes import anvil
from tests.support.cli_helpers import DEPTH, new_home, run, run_json
from tests.support.rpc_proxy import LoggingProxy, logging_proxy


@dataclass(frozen=True)
class Secret:
    """What of one note the node must never be asked about."""

    commitment: int
    nullifier_hash: int
    deposit_block: int
    deposit_block_hash: str
    deposit_tx: str


@dataclass
class World:
    url: str
    """anvil itself (what other people, and the relayer, use)"""
    proxy: LoggingProxy
    home: Path
    pool: str
    notes: list[str]
    secrets: list[Secret]
    w3: Web3


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("privacy")
    home = new_home(tmp / "home")
    others = new_home(tmp / "others")  # a wallet deposits only into pools whose key it holds
    with anvil() as w3:
        url = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
        pool = str(run_json(home, "--rpc-url", url, "deploy", "--depth", str(DEPTH))["pool"])

        def others_deposit(account: int) -> None:
            run_json(others, "--rpc-url", url, "--account", str(account), "deposit", "--pool", pool)

        notes, secrets = [], []
        others_deposit(5)
        for account in (1, 2, 3):
            made = run_json(home, "--rpc-url", url, "--account", str(account), "deposit")
            others_deposit(account + 5)
            note = Note.parse(str(made["note"]))
            (tx,) = [t for t in made["transactions"] if t["step"] == "deposit"]
            block = w3.eth.get_block(tx["block"])
            notes.append(str(made["note"]))
            secrets.append(
                Secret(
                    note.commitment,
                    note.nullifier_hash,
                    tx["block"],
                    "0x" + bytes(block["hash"]).hex(),
                    tx["hash"],
                )
            )
        assert w3.eth.block_number > max(s.deposit_block for s in secrets)
        with logging_proxy(url) as proxy:
            yield World(url, proxy, home, pool, notes, secrets, w3)


def _hex_forms(value: int) -> list[str]:
    """How a 32-byte value can appear in a request body: padded hex, bare hex, decimal."""
    return [value.to_bytes(32, "big").hex(), format(value, "x"), str(value)]


def _address_forms(address: str) -> list[str]:
    """Lowercase 40 hex digits: found in the checksum form, with or without 0x, and inside a
    32-byte padded topic or ABI word, once the body is lowercased."""
    return [address.lower().removeprefix("0x")]


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    else:
        yield key, value


def leaks(proxy: LoggingProxy, secrets: list[Secret], recipient: str | None = None) -> list[str]:
    """Each request that carries a note's secret or the recipient, with what it carries."""
    found = []
    for request in proxy.requests:
        body = json.dumps(request).lower()
        what = []
        for s in secrets:
            for name, forms in (
                ("commitment", _hex_forms(s.commitment)),
                ("nullifierHash", _hex_forms(s.nullifier_hash)),
                ("deposit tx", [s.deposit_tx.removeprefix("0x")]),
                ("deposit block hash", [s.deposit_block_hash.removeprefix("0x")]),
            ):
                if any(form in body for form in forms):
                    what.append(name)
            for key, leaf in _strings(request.get("params", [])):
                as_block = hex(s.deposit_block)
                if (isinstance(leaf, str) and leaf.lower() == as_block) or (
                    isinstance(leaf, int) and "block" in key.lower() and leaf == s.deposit_block
                ):
                    what.append("deposit block")
        if recipient is not None and any(form in body for form in _address_forms(recipient)):
            what.append("recipient")
        if what:
            found.append(f"{request.get('method')} carries {', '.join(sorted(set(what)))}: {body[:300]}")
    return found


def via_proxy(world: World, *args: str, ok: bool = True) -> Any:
    return run(world.home, "--rpc-url", world.proxy.url, *args, ok=ok)


def test_withdraw_print_record_does_not_ask_the_node_about_the_note_or_the_recipient(world: World) -> None:
    """Stops: the node learning which deposit is withdrawn (its transaction, `isSpent` of its
    nullifier hash) and where to (the recipient's nonce or directory id) from --print-record."""
    recipient = Account.create().address
    world.proxy.clear()
    out = json.loads(
        via_proxy(world, "--json", "withdraw", world.notes[1], "--to", recipient, "--print-record").stdout
    )
    assert out["ok"] and out["newRecipients"] == [recipient]
    assert world.proxy.requests, "the command did not go through the proxy"
    assert leaks(world.proxy, world.secrets, recipient) == []


def test_status_does_not_ask_the_node_which_notes_are_yours(world: World) -> None:
    """Stops: `status` asking `isSpent` per note, `commitments()` per note, or fetching
    Withdrawal logs from each note's deposit block."""
    world.proxy.clear()
    notes = json.loads(via_proxy(world, "--json", "status").stdout)["notes"]
    assert [n["state"] for n in notes] == ["deposited, unspent"] * 3
    assert leaks(world.proxy, world.secrets) == []


def test_status_asks_the_node_its_chain_id_once(world: World) -> None:
    """web3's validation asks before every call; a node's chain id cannot change under it,
    and half of a warm `status`'s requests were that question."""
    world.proxy.clear()
    via_proxy(world, "--json", "status")
    methods = [r.get("method") for r in world.proxy.requests]
    assert methods.count("eth_call") >= 3, methods
    assert methods.count("eth_chainId") == 1, methods


def test_status_finds_a_note_spent_through_a_relayer_without_asking_the_node_about_it(
    world: World, tmp_path: Path
) -> None:
    """The note is withdrawn by a relayer (another home, straight to anvil); the owner's
    `status`, through the proxy, then shows it spent with the relayer's transaction, and
    still asks nothing keyed by the note or the recipient."""
    recipient = Account.create().address
    relayer = world.w3.eth.accounts[9]
    printed = run(
        world.home,
        "--rpc-url",
        world.url,
        "--json",
        "withdraw",
        world.notes[2],
        "--to",
        recipient,
        "--relayer",
        relayer,
        "--fee",
        "0.01",
        "--print-record",
    ).stdout
    record = tmp_path / "record.json"
    record.write_text(printed)
    relayed = run_json(tmp_path / "relayer", "--rpc-url", world.url, "--account", "9", "relay", str(record))
    (tx,) = relayed["transactions"]
    world.proxy.clear()
    notes = json.loads(via_proxy(world, "--json", "status").stdout)["notes"]
    assert (notes[2]["state"], notes[2]["withdrawalTx"]) == ("spent", tx["hash"])
    assert [n["state"] for n in notes[:2]] == ["deposited, unspent"] * 2
    assert leaks(world.proxy, world.secrets, recipient) == []
    # a later withdraw of the spent note is refused from the same synced events
    again = via_proxy(world, "withdraw", world.notes[2], "--to", recipient, "--print-record", ok=False)
    assert "already spent" in again.stderr


def test_compliance_does_not_ask_the_node_about_the_note(world: World) -> None:
    """Stops: the report asking who sent the note's deposit transaction (eth_getTransactionByHash)
    and `isSpent` of its nullifier hash; the depositor comes from the wallet's own record."""
    world.proxy.clear()
    report = json.loads(via_proxy(world, "--json", "compliance", world.notes[0]).stdout)
    assert report["deposit"]["from"] == world.w3.eth.accounts[1]
    assert report["deposit"]["tx"] == world.secrets[0].deposit_tx
    assert report["withdrawal"] is None
    assert leaks(world.proxy, world.secrets) == []


def test_withdraw_does_not_ask_the_node_for_the_deposit_transaction_or_the_recipient_before_sending(
    world: World,
) -> None:
    """A withdrawal sent by the user's own account: before the withdraw call itself (its dry
    run and the transaction, which carry the record), nothing names the note or the recipient;
    the deposit's transaction and block are never named at all."""
    recipient = Account.create().address
    world.proxy.clear()
    out = json.loads(
        via_proxy(world, "--json", "--account", "4", "withdraw", world.notes[0], "--to", recipient).stdout
    )
    assert out["received"] == 10**17
    requests = world.proxy.requests
    selector = Web3.keccak(text="withdraw(bytes,address[],address,uint256,uint256)")[:4].hex()
    first_withdraw = next(
        i for i, r in enumerate(requests) if selector in json.dumps(r.get("params", [])).lower()
    )
    before = LoggingProxy("", [json.dumps(r).encode() for r in requests[:first_withdraw]])
    assert leaks(before, world.secrets, recipient) == []
    note = world.secrets[0]
    unused = random_element()  # stands for the commitment and nullifier hash, which the record does carry
    deposit_only = Secret(unused, unused, note.deposit_block, note.deposit_block_hash, note.deposit_tx)
    assert leaks(world.proxy, [deposit_only]) == []
