"""Test fixtures of the audience capability."""
