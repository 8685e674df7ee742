"""Corrections a person makes to learning: spellings to merge, and spellings never to merge.

The file lives beside the data, not in the index folder, so rebuilding the index keeps it:
``names-overrides.toml`` next to the index folder unless ``--overrides`` or
``CSTOSEARCH_NAMES_OVERRIDES`` says otherwise::

    # Each list is one name: its spellings are searched together.
    merge = [["Gaddafi", "Qadhafi", "Kadhafi"]]
    # Each pair is two names: they are never put in one group.
    never = [["Obama", "Osama"], ["Shanxi", "Shaanxi"]]
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cstosearch.errors import CstoSearchError
from cstosearch.names.grouping import NameGroup

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

OVERRIDES_FILE = "names-overrides.toml"
OVERRIDES_ENV = "CSTOSEARCH_NAMES_OVERRIDES"


class BadOverrides(CstoSearchError):
    """The overrides file cannot be read or is not shaped as documented."""


@dataclass
class Overrides:
    merge: list[list[str]] = field(default_factory=list)
    never: list[tuple[str, str]] = field(default_factory=list)

    def forbids(self, first: str, second: str) -> bool:
        pair = {first.lower(), second.lower()}
        return any({a.lower(), b.lower()} == pair for a, b in self.never)


def default_overrides_path(index_dir: Path) -> Path:
    """``$CSTOSEARCH_NAMES_OVERRIDES``, else ``names-overrides.toml`` beside the index folder."""
    configured = os.environ.get(OVERRIDES_ENV)
    if configured:
        return Path(configured)
    return Path(index_dir).resolve().parent / OVERRIDES_FILE


def read_overrides(path: Path | None) -> Overrides:
    """The overrides in ``path``; none when the file does not exist."""
    if path is None or not Path(path).is_file():
        return Overrides()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadOverrides(f"cannot read the name overrides in {path}: {exc}") from exc
    merge = data.get("merge", [])
    never = data.get("never", [])
    if not _lists_of_words(merge, 2, None) or not _lists_of_words(never, 2, 2):
        raise BadOverrides(f"{path}: `merge` must be a list of lists of two or more spellings and "
                           "`never` a list of pairs of spellings")
    return Overrides(merge=[list(group) for group in merge], never=[(a, b) for a, b in never])


def _lists_of_words(value, least: int, most: int | None) -> bool:
    return isinstance(value, list) and all(
        isinstance(group, list) and len(group) >= least and (most is None or len(group) <= most)
        and all(isinstance(word, str) and word.strip() for word in group)
        for group in value)


def apply_merges(groups: list[NameGroup], overrides: Overrides, frequency) -> list[NameGroup]:
    """The learned groups with each ``merge`` list joined to the groups that share a spelling with it;
    a spelling that ``never`` keeps apart from one already in the group stays out."""
    result = list(groups)
    for wanted in overrides.merge:
        lowered = {w.lower() for w in wanted}
        touching = [g for g in result if lowered & {s.lower() for s in g.spellings}]
        spellings: list[str] = []
        for spelling in [s for g in touching for s in g.spellings] + list(wanted):
            if spelling.lower() in {s.lower() for s in spellings}:
                continue
            if any(overrides.forbids(spelling, kept) for kept in spellings):
                continue
            spellings.append(spelling)
        if len(spellings) < 2:
            continue
        spellings.sort(key=lambda s: -frequency.get(s, 0))
        merged = NameGroup(spellings, {s: frequency.get(s, 0) for s in spellings}, key="",
                           origin="overrides")
        for group in touching:
            merged.similarity.update(group.similarity)
            merged.shared_context.update(group.shared_context)
            merged.key = merged.key or group.key
        result = [g for g in result if g not in touching] + [merged]
    return result
