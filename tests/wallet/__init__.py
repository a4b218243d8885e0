"""The wallet store: atomic writes, sealed files, backups, the wallet, file modes of its home."""
