"""Settings shared by every test (helpers the tests import live in `tests.support`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

# Property tests check results, not speed: on a loaded 2-core CI box a slow example is not a bug.
settings.register_profile("mixer", deadline=None)
settings.load_profile("mixer")


@pytest.fixture(scope="session", autouse=True)
def private_default_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """MIXER_HOME in a temporary folder for the whole session: a command run without --home
    (`mixer snark prove` keeps its prover cache in the home) never writes the real ~/.mixer."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIXER_HOME", str(tmp_path_factory.mktemp("default-home")))
        yield
