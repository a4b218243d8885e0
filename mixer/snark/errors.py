"""The error every snark file format raises, here so that key types, proofs and formats share it
without importing each other."""

from __future__ import annotations

from mixer.errors import MixerError


class SnarkFormatError(MixerError, ValueError):
    """A proof, key or public-signal file that does not have the expected shape."""
