"""Test fixtures of the delivery capability."""
