"""The relayer (DESIGN.md §10): an HTTP service that sends other people's withdrawals.

- `store`: the jobs and the transactions that carried them, in SQLite (WAL, fsynced), so a
  crash at any instant leaves every accepted record queued, sent (with the signed
  transaction's hash, stored before it was broadcast) or settled;
- `policy`: the pure rules: which queued jobs form a batch and when, the per-client token
  bucket, the gas-price bump of a replacement, the gas limit of a batch;
- `admission`: the checks a posted record passes before any gas is spent (shape, pool, root,
  nullifier, fee, refund, and the proof against the pool's on-chain verifying key);
- `service`: the `Relayer`: the served pools, admission against the chain, and the one
  sending loop per account that owns the nonce, simulates, bisects, replaces and settles;
- `http`: the aiohttp application of the HTTP API (body cap, rate limit, JSON errors);
- `client`: the wallet's side of the HTTP API (requests; an optional SOCKS/HTTP proxy).

`mixer relayer serve` (`wallet_cli/commands/relayer.py`) only parses options and runs it.
"""
