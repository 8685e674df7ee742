"""The learned groups as a JSON file in the index folder, and the lookup searches read from it."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from cstosearch.analysis import fold, index_term
from cstosearch.names.grouping import NameGroup, Rejection
from cstosearch.names.stats import write_atomically

GROUPS_FILE = "names.json"
FORMAT_VERSION = 1
# The file keeps the rejected pairs that came closest, for ``cstosearch names --rejected``.
KEPT_REJECTIONS = 200


def write_groups(index_dir: Path, groups: list[NameGroup], rejections: list[Rejection], about: dict) -> Path:
    """Replace the groups file atomically (searchers read either the old file or the new one)."""
    closest = sorted(rejections, key=lambda r: -r.similarity)[:KEPT_REJECTIONS]
    data = {"version": FORMAT_VERSION, **about, "groups": [asdict(g) for g in groups],
            "rejected": [asdict(r) for r in closest]}
    path = Path(index_dir) / GROUPS_FILE
    write_atomically(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    return path


def read_groups_file(index_dir: Path) -> dict | None:
    """The whole groups file as written, or None when there is none."""
    try:
        data = json.loads((Path(index_dir) / GROUPS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == FORMAT_VERSION else None


class NameVariants:
    """Each spelling (as the index folds it) to the other spellings of its name."""

    def __init__(self, groups: list[list[str]] | None = None) -> None:
        self._others: dict[str, tuple[str, ...]] = {}
        for spellings in groups or []:
            distinct = list(dict.fromkeys(spellings, None))
            for spelling in distinct:
                own = index_term(spelling)
                # Spellings the index reads as the same term (case, plural) add nothing.
                others = tuple(dict.fromkeys(s for s in distinct if index_term(s) != own))
                if others:
                    self._others[fold(spelling)] = others

    def __bool__(self) -> bool:
        return bool(self._others)

    def others(self, word: str) -> tuple[str, ...]:
        """The other spellings of ``word``'s name (none when it is in no group)."""
        return self._others.get(fold(word), ())

    @classmethod
    def from_file_data(cls, data: dict | None) -> NameVariants:
        if not data:
            return cls()
        return cls([group["spellings"] for group in data.get("groups", []) if group.get("spellings")])


class VariantsFile:
    """The groups file of one index folder, read again whenever it is replaced."""

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir) / GROUPS_FILE
        self._signature: tuple | None = None
        self._variants = NameVariants()

    def signature(self) -> tuple | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def current(self) -> NameVariants:
        signature = self.signature()
        if signature != self._signature:
            data = read_groups_file(self.path.parent) if signature else None
            self._variants = NameVariants.from_file_data(data)
            self._signature = signature
        return self._variants
