"""Hover cards: author cards, tooltips and popovers a page shows over a link, not in the text.

readability-lxml keeps their text, glued into the sentence that holds the link.
"""

from __future__ import annotations

import re
from typing import Any

from cstosearch.ingest.html.tree_text import remove_keep_tail

# "author-hovercard", "q-tooltip", "popover-content": the card itself, not the link that opens
# it ("popover-trigger"), which sits inside the sentence.
HOVER_CARD_CLASS_RE = re.compile(
    r"^(?:[\w-]*[-_])?(?:hover-?card|tooltip|popover)(?:[-_](?:content|body|inner|container))?$", re.IGNORECASE
)


def is_hover_card(element: Any) -> bool:
    return any(HOVER_CARD_CLASS_RE.match(name) for name in (element.get("class") or "").split())


def remove_hover_cards(tree: Any) -> int:
    """Remove hover cards (keeping the text that follows each); returns how many went."""
    cards = [element for element in tree.iter() if isinstance(element.tag, str) and is_hover_card(element)]
    removed = 0
    for card in cards:
        # A card inside one already removed went with it.
        if any(is_hover_card(ancestor) for ancestor in card.iterancestors()):
            continue
        remove_keep_tail(card)
        removed += 1
    return removed
