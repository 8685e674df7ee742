"""Walking source folders: regular files only, symbolic links reported and never followed."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from cstosearch.errors import UnreadableSource, printable

SKIPPED_NAMES = re.compile(r"^(\.|~)|\.(lock|tmp|part|json)$")


def source_key(path: Path) -> str:
    """The name a source file is known by in the index and the seen-files table: absolute, printable."""
    return printable(os.path.abspath(path))


def walk_sources(paths: Iterable[Path]) -> Iterator[Path | UnreadableSource]:
    """Every raw file under the given paths, in a stable order; links and special files come back as refusals.

    A path named by the operator is taken as given; inside folders, a symbolic link (to a file
    or a folder) is never followed: it could lead out of the source tree (to /etc/passwd).
    """
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _walk_folder(path)
        else:
            yield path


def _walk_folder(folder: Path) -> Iterator[Path | UnreadableSource]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        yield UnreadableSource(str(folder), f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # hidden files and folders (editors, version control)
        path = Path(entry.path)
        try:
            if entry.is_symlink():
                yield UnreadableSource(str(path), "symbolic link, not followed")
            elif entry.is_dir(follow_symlinks=False):
                yield from _walk_folder(path)
            elif not entry.is_file(follow_symlinks=False):
                yield UnreadableSource(str(path), "not a regular file")
            elif not SKIPPED_NAMES.search(entry.name):
                yield path
        except OSError as exc:
            yield UnreadableSource(str(path), f"cannot read file: {exc.strerror or exc}")


def raw_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The readable candidates of ``walk_sources``, refusals left out."""
    return (item for item in walk_sources(paths) if isinstance(item, Path))
