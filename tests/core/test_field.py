import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixer.field import R, batch_inverse, from_bytes32, inverse, is_element, to_bytes32

elements = st.integers(min_value=0, max_value=R - 1)
nonzero = st.integers(min_value=1, max_value=R - 1)


@given(st.lists(nonzero, max_size=20))
def test_batch_inverse_matches_single_inverses(xs: list[int]) -> None:
    assert batch_inverse(xs) == [inverse(x) for x in xs]
    assert all(x * y % R == 1 for x, y in zip(xs, batch_inverse(xs), strict=True))


@given(elements)
def test_bytes32_round_trip(x: int) -> None:
    assert from_bytes32(to_bytes32(x)) == x


def test_values_at_or_above_r_are_rejected_not_reduced() -> None:
    assert is_element(R - 1) and not is_element(R) and not is_element(-1)
    with pytest.raises(ValueError):
        from_bytes32(R.to_bytes(32, "big"))
    with pytest.raises(ValueError):
        to_bytes32(R)
    with pytest.raises(ZeroDivisionError):
        inverse(R)
