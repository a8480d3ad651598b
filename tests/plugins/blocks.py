"""Test fixtures of the blocks capability."""
