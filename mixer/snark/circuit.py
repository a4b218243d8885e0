"""The circuit DSL: one Python description both emits R1CS constraints and computes the witness.

A gadget is a plain function taking a `Circuit` and `LC`s and returning `LC`s. Linear
operations (`+`, `-`, `* constant`) only build linear combinations and cost nothing;
every `Circuit.mul` or `Circuit.constrain` is one R1CS constraint.

A `Circuit` runs in one of three modes, always allocating the same wires in the same order:
- `Circuit()`: constraints only (to compile the R1CS once, e.g. for setup);
- `Circuit(inputs)`: constraints and witness (tests, exports);
- `Circuit(inputs, build_constraints=False)`: witness only, the fast path for proving
  with an R1CS that was compiled before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from mixer.errors import MixerError
from mixer.field import R, is_element
from mixer.snark.r1cs import R1CS, Constraint

InputValue = int | str | Sequence[int | str]


class CircuitError(MixerError, ValueError):
    """The inputs given to a circuit are missing, malformed or violate a constraint."""


class LC:
    """A linear combination of wires with its value when the witness is being computed.

    `terms` is None in witness-only mode; `const` says whether the combination involves
    only the constant wire. `const` is tracked structurally, identically in every mode,
    so that all modes allocate the same wires.
    """

    __slots__ = ("const", "terms", "value")

    def __init__(self, terms: dict[int, int] | None, value: int | None, const: bool) -> None:
        self.terms = terms
        self.value = value
        self.const = const

    @staticmethod
    def constant(k: int) -> LC:
        k %= R
        return LC({0: k} if k else {}, k, True)

    def _combine(self, other: LC | int, sign: int) -> LC:
        if isinstance(other, int):
            other = LC.constant(other)
        terms: dict[int, int] | None = None
        if self.terms is not None and other.terms is not None:
            terms = dict(self.terms)
            for w, c in other.terms.items():
                v = (terms.get(w, 0) + sign * c) % R
                if v:
                    terms[w] = v
                else:
                    terms.pop(w, None)
        value = None
        if self.value is not None and other.value is not None:
            value = (self.value + sign * other.value) % R
        return LC(terms, value, self.const and other.const)

    def __add__(self, other: LC | int) -> LC:
        return self._combine(other, 1)

    def __radd__(self, other: int) -> LC:
        return self._combine(other, 1)

    def __sub__(self, other: LC | int) -> LC:
        return self._combine(other, -1)

    def __rsub__(self, other: int) -> LC:
        return LC.constant(other)._combine(self, -1)

    def __neg__(self) -> LC:
        return self * -1

    def __mul__(self, k: int) -> LC:
        if not isinstance(k, int):
            raise TypeError("LC * LC is not linear: use Circuit.mul(a, b)")
        k %= R
        terms = None
        if self.terms is not None:
            terms = {w: c * k % R for w, c in self.terms.items()} if k else {}
        value = None if self.value is None else self.value * k % R
        return LC(terms, value, self.const or k == 0)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"LC(terms={self.terms}, value={self.value})"


_ONE, _PUBLIC, _PRIVATE, _INTERNAL = range(4)


class Circuit:
    """Builder for a constraint system and, optionally, its witness."""

    def __init__(
        self,
        inputs: Mapping[str, InputValue] | None = None,
        *,
        build_constraints: bool = True,
    ) -> None:
        if inputs is None and not build_constraints:
            raise ValueError("a circuit needs inputs, constraints, or both")
        self._inputs = inputs
        self._used_inputs: set[str] = set()
        self._build = build_constraints
        self._kinds: list[int] = [_ONE]
        self._values: list[int | None] = [1]
        self._labels: dict[int, str] = {}
        self._constraints: list[Constraint] = []
        self._n_constraints = 0

    # -- wires --------------------------------------------------------------------------

    @property
    def computes_witness(self) -> bool:
        return self._inputs is not None

    def one(self) -> LC:
        return LC({0: 1} if self._build else None, 1, True)

    def _new_wire(self, kind: int, value: int | None, label: str | None) -> LC:
        index = len(self._kinds)
        self._kinds.append(kind)
        self._values.append(value)
        if label is not None:
            self._labels[index] = label
        return LC({index: 1} if self._build else None, value, False)

    def _input_value(self, name: str, index: int | None) -> int | None:
        if self._inputs is None:
            return None
        if name not in self._inputs:
            raise CircuitError(f"missing input signal '{name}'")
        self._used_inputs.add(name)
        raw = self._inputs[name]
        if index is not None:
            if isinstance(raw, (str, int)) or len(raw) <= index:
                raise CircuitError(f"input '{name}' must be an array of more than {index} values")
            raw = raw[index]
        elif not isinstance(raw, (str, int)):
            raise CircuitError(f"input '{name}' must be a single value, not an array")
        return _parse_field(raw, name if index is None else f"{name}[{index}]")

    def public_input(self, name: str) -> LC:
        return self._new_wire(_PUBLIC, self._input_value(name, None), name)

    def private_input(self, name: str) -> LC:
        return self._new_wire(_PRIVATE, self._input_value(name, None), name)

    def private_inputs(self, name: str, n: int) -> list[LC]:
        """An array input, read from `inputs[name]` as a list; wires labelled `name[i]`."""
        return [self._new_wire(_PRIVATE, self._input_value(name, i), f"{name}[{i}]") for i in range(n)]

    def hint(self, compute: Callable[..., int], *args: LC, label: str | None = None) -> LC:
        """A new internal wire whose value is `compute(*values of args)`, with NO constraint.

        The caller must constrain it; an unconstrained hint is exactly the bug that makes a
        circuit unsound.
        """
        value = None
        if self.computes_witness:
            values = [a.value for a in args]
            if any(v is None for v in values):
                raise CircuitError("hint argument has no value")
            value = compute(*values) % R
        return self._new_wire(_INTERNAL, value, label)

    # -- constraints --------------------------------------------------------------------

    def constrain(self, a: LC, b: LC, c: LC, label: str | None = None) -> None:
        """Add the constraint a * b = c."""
        known = a.value is not None and b.value is not None and c.value is not None
        if known and a.value * b.value % R != c.value:  # type: ignore[operator]
            where = label or f"#{self._n_constraints}"
            raise CircuitError(f"constraint {where} is not satisfied by the inputs")
        if self._build:
            assert a.terms is not None and b.terms is not None and c.terms is not None
            self._constraints.append((a.terms, b.terms, c.terms))
        self._n_constraints += 1

    def mul(self, a: LC, b: LC, label: str | None = None) -> LC:
        """a * b as a new wire (one constraint), or as a scaled LC if either is constant."""
        if a.const and b.const:
            return LC.constant((a.value or 0) * (b.value or 0))
        if a.const or b.const:
            k, x = (a, b) if a.const else (b, a)
            assert k.value is not None
            return x * k.value
        value = None if a.value is None or b.value is None else a.value * b.value % R
        out = self._new_wire(_INTERNAL, value, label)
        self.constrain(a, b, out, label)
        return out

    def assert_equal(self, a: LC, b: LC, label: str | None = None) -> None:
        """Constrain a == b (as (a - b) * 1 = 0)."""
        self.constrain(a - b, self.one(), LC.constant(0), label)

    # -- results ------------------------------------------------------------------------

    def _order(self) -> list[int]:
        """Old wire indices in circom order: one, public, private inputs, internal."""
        return sorted(range(len(self._kinds)), key=lambda i: (self._kinds[i], i))

    def compile(self) -> R1CS:
        if not self._build:
            raise ValueError("this circuit was built without constraints")
        order = self._order()
        new_index = {old: new for new, old in enumerate(order)}
        constraints = tuple(
            tuple({new_index[w]: c for w, c in terms.items()} for terms in constraint)
            for constraint in self._constraints
        )
        return R1CS(
            n_wires=len(order),
            n_public=self._kinds.count(_PUBLIC),
            n_private_inputs=self._kinds.count(_PRIVATE),
            constraints=constraints,  # type: ignore[arg-type]
            labels={new_index[w]: name for w, name in self._labels.items() if self._kinds[w] != _INTERNAL},
        )

    def witness(self) -> list[int]:
        """Wire values in R1CS order; raises CircuitError on unused or missing inputs."""
        if self._inputs is None:
            raise ValueError("this circuit was built without inputs")
        unused = set(self._inputs) - self._used_inputs
        if unused:
            raise CircuitError(f"unknown input signal(s): {', '.join(sorted(unused))}")
        values = [self._values[i] for i in self._order()]
        if any(v is None for v in values):
            raise CircuitError("some wires have no value")
        return values  # type: ignore[return-value]

    @property
    def public_values(self) -> list[int]:
        """Public input values in declaration order (the proof's public signals)."""
        return [v for k, v in zip(self._kinds, self._values, strict=True) if k == _PUBLIC]  # type: ignore[misc]


def _parse_field(raw: int | str, name: str) -> int:
    try:
        value = int(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise CircuitError(f"input '{name}' is not a decimal integer: {raw!r}") from None
    if isinstance(value, bool) or not isinstance(value, int) or not is_element(value):
        raise CircuitError(f"input '{name}' must be an integer in [0, r)")
    return value
