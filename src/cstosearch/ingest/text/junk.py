"""Text that is never article body: video-player controls and 'Related article' / 'Read:' link lines."""

from __future__ import annotations

import re

from cstosearch.ingest.text.lines import Draft

# Lines only a video player prints.
PLAYER_MARK = re.compile(
    r"^(?:-?0:00|Video Player is loading\.?|Play Video|Current Time\s+-?\d+:\d{2}(?::\d{2})?|"
    r"(?:Duration|Remaining Time)(?: Time)?\s+-?\d+:\d{2}(?::\d{2})?|Loaded:\s*\d+(?:\.\d+)?\s*%|"
    r"Progress:\s*\d+(?:\.\d+)?\s*%|Full ?screen|This is a modal window\.?|Playback Rate|"
    r"(?:captions|subtitles|descriptions) off,? selected|(?:Reproduciendo|Now Playing|Up Next|En lecture)\s*:.*)$",
    re.I,
)
# Lines a player prints among its controls, harmless alone.
PLAYER_LINE = re.compile(
    r"^(?:Play|Pause|Replay|Mute|Unmute|Watch|Share|Settings|Captions|Subtitles|Chapters|Descriptions|"
    r"Audio Track|Quality|Auto|HD|Close|Live|Skip Ad|Advertisement|/|-?\d{1,2}:\d{2}(?::\d{2})?|\d(?:\.\d+)?x|"
    r".{1,40}, selected)$",
    re.I,
)
RELATED_LINE = re.compile(
    r"^[\s*\[]*(?:related(?: article| story| stories| content)?|read also|also read|see also|read more|read|"
    r"lire aussi|à lire aussi|lire|voir aussi|learn more|lesen sie auch|mehr zum thema|leer más|lee también|"
    r"相关阅读|延伸阅读|相关新闻)\s*\**\s*[:：]",
    re.I,
)


# A line that is only a bracketed link title, as PDF text prints a page's own related links.
BRACKETED_LINK = re.compile(r"^\[[^\[\]]{3,200}\]$")


def is_related_line(piece: str) -> bool:
    return bool(RELATED_LINE.match(piece) or BRACKETED_LINK.match(piece.strip()))


def drop_player_runs(draft: Draft) -> None:
    """Remove runs of player-control lines that hold at least one line only a player prints."""
    lines, kept, i = draft.lines, [], 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].strip() and _is_player_line(lines[j].strip()):
            j += 1
        if j > i and any(PLAYER_MARK.match(line.strip()) for line in lines[i:j]):
            i = j
            continue
        kept.append(lines[i])
        i += 1
    draft.lines = kept


def _is_player_line(line: str) -> bool:
    return bool(PLAYER_MARK.match(line) or PLAYER_LINE.match(line))
