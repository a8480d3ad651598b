"""Newsletter authoring and email distribution."""

__version__ = "0.1.0"
