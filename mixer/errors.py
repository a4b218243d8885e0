"""The one base class of every error a user can act on.

Standard library only: the light `mixer snark ...` commands recognise these errors
without loading web3 or py-evm. The command line prints the first line of a
`MixerError`'s message and exits with status 1; any other exception is a bug.
"""

from __future__ import annotations


class MixerError(Exception):
    """A failure caused by input or environment (a note, a file, a key, the chain), not a bug;
    its message is one sentence meant for the user."""
