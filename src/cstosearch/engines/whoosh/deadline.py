"""One time budget for every stage of a search, so no request holds a worker for long."""

from __future__ import annotations

import time

from cstosearch.results import SearchTimeout


class Deadline:
    """One time budget for every stage of a search."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise SearchTimeout(f"the search took longer than {self.seconds:g} s and was stopped; narrow it")
