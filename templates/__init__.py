"""Email and web templates, shipped with the package."""
