"""JSON from outside (backups, record and proof files, caches, RPC answers), parsed with bounds.

Python's `json` recurses once per nesting level, so a document nested a million deep is a
RecursionError (or, with a raised recursion limit, a segmentation fault); and an integer of
more than 4300 digits is a ValueError. Every parser of untrusted JSON goes through `loads`,
which checks size and depth first, without recursion, and turns every failure into one
`UntrustedJSONError` sentence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any, Final

from mixer.errors import MixerError

MAX_BYTES: Final = 64 * 1024 * 1024
"""Larger than any file or answer this program reads (a 20,000-note backup is ~6 MB)."""
MAX_DEPTH: Final = 64
"""Deeper than any document this program writes or reads (they nest at most 4 levels)."""


class UntrustedJSONError(MixerError):
    """The text is not JSON, or is JSON beyond the bounds this program accepts."""


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ALL_BUT_BRACKETS_AND_QUOTES: Final = bytes(b for b in range(256) if b not in b'[]{}"')
_STEP: Final = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def nesting_depth(text: str | bytes) -> int:
    """The deepest nesting of arrays and objects in `text`, counted without parsing it.

    Strings are cut out first, then everything but brackets, and the running depth is
    summed in C (`accumulate`), so a 60 MB node answer costs a few passes in C, not a Python
    step per bracket. Without a backslash no string holds an escaped quote, so the brackets
    outside strings are every other piece between quotes: one `bytes.translate` keeps
    brackets and quotes (a node's answer of hex strings: 0.1 s for 50 MB, against 0.6 s for
    the string regex, which text with backslashes still takes)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if b"\\" in raw:
        kept = _NOT_BRACKET.sub("", _STRING.sub("", raw.decode("utf-8", "surrogatepass"))).encode()
    else:
        kept = b"".join(raw.translate(None, _ALL_BUT_BRACKETS_AND_QUOTES).split(b'"')[::2])
    return max(0, max(accumulate(map(_STEP.__getitem__, kept)), default=0))


def loads(
    raw: str | bytes,
    *,
    what: str,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """The JSON value in `raw`; UntrustedJSONError naming `what` if it is not JSON, larger than
    `max_bytes`, nested deeper than `max_depth`, or holds a number Python will not convert."""
    if len(raw) > max_bytes:
        raise UntrustedJSONError(f"{what} is larger than {max_bytes} bytes")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise UntrustedJSONError(f"{what} is not UTF-8 text") from None
    if nesting_depth(raw) > max_depth:
        raise UntrustedJSONError(f"{what} is nested more than {max_depth} levels deep")
    try:
        return json.loads(text, object_pairs_hook=object_pairs_hook)
    except (ValueError, RecursionError):  # JSONDecodeError, and int() past 4300 digits
        raise UntrustedJSONError(f"{what} is not valid JSON (or holds a number too large to read)") from None
