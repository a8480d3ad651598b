"""audience."""
