"""The embedded engine: a Whoosh index in one folder."""

from cstosearch.engines.whoosh.engine import WhooshSearchEngine

__all__ = ["WhooshSearchEngine"]
