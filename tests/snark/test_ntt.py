"""The NTT against naive polynomial evaluation, and its roots against ffjavascript's."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixer.field import R
from mixer.snark.ntt import coset_evaluations, coset_shift, ntt, root_of_unity
from tests.support.tools import run_node

FIELD = st.integers(min_value=0, max_value=R - 1)


def evaluate(coefficients: list[int], x: int) -> int:
    return sum(c * pow(x, i, R) for i, c in enumerate(coefficients)) % R


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=0, max_value=5).flatmap(lambda k: st.lists(FIELD, min_size=1 << k, max_size=1 << k))
)
def test_ntt_equals_naive_evaluation_at_powers_of_the_root(coefficients: list[int]) -> None:
    n = len(coefficients)
    w = root_of_unity(n.bit_length() - 1)
    assert ntt(coefficients) == [evaluate(coefficients, pow(w, i, R)) for i in range(n)]


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=6).flatmap(lambda k: st.lists(FIELD, min_size=1 << k, max_size=1 << k))
)
def test_inverse_ntt_inverts_ntt(values: list[int]) -> None:
    assert ntt(ntt(values), inverse=True) == values
    assert ntt(ntt(values, inverse=True)) == values


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=5).flatmap(lambda k: st.lists(FIELD, min_size=1 << k, max_size=1 << k))
)
def test_coset_evaluations_are_values_at_the_odd_powers_of_the_double_domain(coefficients: list[int]) -> None:
    n = len(coefficients)
    log_n = n.bit_length() - 1
    on_domain = ntt(coefficients)
    w2 = coset_shift(log_n)
    assert coset_evaluations(on_domain) == [evaluate(coefficients, pow(w2, 2 * i + 1, R)) for i in range(n)]


def test_roots_have_exact_order() -> None:
    for log_n in (1, 5, 13, 28):
        w = root_of_unity(log_n)
        assert pow(w, 1 << log_n, R) == 1
        assert pow(w, 1 << (log_n - 1), R) == R - 1


def test_rejects_sizes_that_are_not_powers_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        ntt([1, 2, 3])
    with pytest.raises(ValueError, match="no domain"):
        root_of_unity(29)


FFJS_ROOTS = """
const {buildBn128} = require('ffjavascript');
(async () => {
  const curve = await buildBn128(true);
  const Fr = curve.Fr;
  const out = {};
  for (const k of [1, 2, 10, 13, 20, 28]) out[k] = Fr.toString(Fr.w[k]);
  out.shift = Fr.toString(Fr.shift);
  console.log(JSON.stringify(out));
  await curve.terminate();
})();
"""


def test_roots_of_unity_match_ffjavascript() -> None:
    theirs = json.loads(run_node(FFJS_ROOTS))
    for k in (1, 2, 10, 13, 20, 28):
        assert int(theirs[str(k)]) == root_of_unity(k), k
    assert int(theirs["shift"]) == coset_shift(28)
