"""Reusable circuit gadgets: each a function of a `Circuit` and `LC`s returning `LC`s."""
