"""The search seam as the rest of the package imports it: the engine protocol, its plain-data
answers, and the embedded Whoosh engine that ``make serve`` uses."""

from __future__ import annotations

from cstosearch.engines.whoosh import WhooshSearchEngine
from cstosearch.errors import BadQuery
from cstosearch.results import FacetValue, Hit, SearchEngine, SearchPage, SearchTimeout

__all__ = ["SearchEngine", "WhooshSearchEngine", "SearchPage", "Hit", "FacetValue", "BadQuery", "SearchTimeout"]
