"""Test fixtures of the scheduling capability."""
