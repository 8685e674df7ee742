"""cstosearch: full-text search over cleaned news articles."""

__version__ = "0.1.0"
