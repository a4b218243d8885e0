"""The DSL: one description gives the same wires in every mode, and checks what it is told."""

import pytest

from mixer.field import R
from mixer.snark.circuit import LC, Circuit, CircuitError


def cube_circuit(c: Circuit) -> None:
    """x == y^3 + y + 5, with an internal hint for the inverse of y (constrained)."""
    x = c.public_input("x")
    y = c.private_input("y")
    y2 = c.mul(y, y)
    y3 = c.mul(y2, y)
    c.assert_equal(y3 + y + 5, x)
    y_inv = c.hint(lambda v: pow(v, -1, R), y)
    c.constrain(y, y_inv, c.one())


def test_modes_agree_on_wires_and_values() -> None:
    full = Circuit({"x": 35, "y": 3})
    cube_circuit(full)
    r1cs, witness = full.compile(), full.witness()
    fast = Circuit({"x": 35, "y": 3}, build_constraints=False)
    cube_circuit(fast)
    shape = Circuit()
    cube_circuit(shape)
    assert fast.witness() == witness
    assert shape.compile().digest() == r1cs.digest()
    assert r1cs.is_satisfied(witness)
    assert (r1cs.n_wires, r1cs.n_public, r1cs.n_private_inputs, r1cs.n_constraints) == (6, 1, 1, 4)
    assert witness[:3] == [1, 35, 3]  # circom order: one, public, private, internal
    assert full.public_values == [35]


def test_every_single_wire_change_breaks_the_toy_circuit() -> None:
    c = Circuit({"x": 35, "y": 3})
    cube_circuit(c)
    r1cs, witness = c.compile(), c.witness()
    for wire in range(1, r1cs.n_wires):
        mutated = list(witness)
        mutated[wire] = (mutated[wire] + 1) % R
        assert not r1cs.is_satisfied(mutated), wire


def test_violated_constraint_is_reported_while_computing_witness() -> None:
    with pytest.raises(CircuitError, match="not satisfied"):
        cube_circuit(Circuit({"x": 36, "y": 3}))


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({"x": 35}, "missing input signal 'y'"),
        ({"x": 35, "y": 3, "z": 1}, "unknown input"),
        ({"x": 35, "y": R}, r"\[0, r\)"),
        ({"x": 35, "y": "abc"}, "not a decimal"),
        ({"x": 35, "y": [3]}, "single value"),
    ],
)
def test_bad_inputs_get_clear_errors(inputs: dict[str, object], message: str) -> None:
    with pytest.raises(CircuitError, match=message):
        c = Circuit(inputs)  # type: ignore[arg-type]
        cube_circuit(c)
        c.witness()


def test_linear_operations_cost_no_constraints() -> None:
    c = Circuit({"a": 2, "b": 5})
    a, b = c.private_input("a"), c.private_input("b")
    combo = 3 * a - b + 7 - LC.constant(1) + c.mul(a, LC.constant(4))
    assert combo.value == (6 - 5 + 7 - 1 + 8) % R
    assert c.compile().n_constraints == 0
    with pytest.raises(TypeError):
        _ = a * b  # type: ignore[operator]
