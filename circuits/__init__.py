"""Circuits written with the project's DSL (`mixer.snark.circuit`): gadgets, withdrawal."""
