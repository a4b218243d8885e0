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
from typing import Any, Final

from mixer.errors import MixerError

MAX_BYTES: Final = 64 * 1024 * 1024
"""Larger than any file or answer this program reads (a 20,000-note backup is ~6 MB)."""
MAX_DEPTH: Final = 64
"""Deeper than any document this program writes or reads (they nest at most 4 levels)."""


class UntrustedJSONError(MixerError):
    """The text is not JSON, or is JSON beyond the bounds this program accepts."""


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text`, counted without parsing it.

    Strings are cut out first and only brackets visited, so a multi-megabyte wallet costs
    regex time, not a Python step per character."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket[0] in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


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
    if nesting_depth(text) > max_depth:
        raise UntrustedJSONError(f"{what} is nested more than {max_depth} levels deep")
    try:
        return json.loads(text, object_pairs_hook=object_pairs_hook)
    except (ValueError, RecursionError):  # JSONDecodeError, and int() past 4300 digits
        raise UntrustedJSONError(f"{what} is not valid JSON (or holds a number too large to read)") from None
