"""Test fixtures of the web capability."""
