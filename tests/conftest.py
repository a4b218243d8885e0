"""Settings shared by every test (helpers the tests import live in `tests.support`)."""

from __future__ import annotations

from hypothesis import settings

# Property tests check results, not speed: on a loaded 2-core CI box a slow example is not a bug.
settings.register_profile("mixer", deadline=None)
settings.load_profile("mixer")
