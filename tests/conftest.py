"""Shared test fixtures and settings (helpers the tests import live in `tests.support`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check results, not speed: on a loaded 2-core CI box a slow example is not a bug.
settings.register_profile("mixer", deadline=None)
settings.load_profile("mixer")


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
