"""Cited-article lists ("Art. 5 (1) f) GDPR", "Article 5(1)(f) GDPR") → provision ids, read by the
project's one citation grammar (``parsers.xref``).

An item is read as text standing outside any act, so only a citation that names its act resolves:
"Art. 6 GDPR" does, "Art. 2-ter Codice della privacy" does not become Article 2 of the GDPR. Only ids
among ``known_ids`` (the provisions of the acts loaded, e.g. the GDPR) are kept. An item the grammar
fails on is an error (a ValueError) like any unreadable value.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from parsers.xref import extract_references
from schema.ids import Kind, kind_of

# The citing id for text that belongs to no act: a fine record's own list of articles.
_OUTSIDE_ANY_ACT = "fines"


def cited_provisions(items: Sequence[str], known_ids: frozenset[str], lang: str = "en") -> list[str]:
    """The provision ids (``eu/reg/2016/679/art_5/par_1/pnt_f``) the items cite, in order, once each."""
    cited: dict[str, None] = {}
    for item in items:
        cited.update(dict.fromkeys(_targets(item, known_ids, lang)))
    return list(cited)


@lru_cache(maxsize=8192)
def _targets(item: str, known_ids: frozenset[str], lang: str) -> tuple[str, ...]:
    """Sources repeat the same items ("Art. 6 GDPR") thousands of times: each is read once."""
    try:
        references = extract_references(_OUTSIDE_ANY_ACT, item, lang, known_ids)
    except Exception as error:  # the grammar failing on one item quarantines its row, not the source
        raise ValueError(f"the citation grammar fails on {item!r} ({type(error).__name__}: {error})") from error
    # A bare act ("GDPR" read alone) is no article: the item then stays unresolved, visible in articles_raw.
    return tuple(ref.target_id for ref in references
                 if ref.target_id in known_ids and kind_of(ref.target_id) is not Kind.ACT)
