"""Test fixtures of the compose capability."""
