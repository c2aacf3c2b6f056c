"""ELI-style ids: ``eu/reg/2016/679``, ``…/art_17/par_1/pnt_a``, ``…/rct_47``, ``…/cpt_III/sct_1``.

Articles and recitals hang directly under the act (their numbers are unique in it); paragraphs,
subparagraphs and points nest under the provision that contains them, and a footnote under the
provision whose text calls it (``…/art_76/par_2/ftn_1``), or under the act when called from outside
any provision (the title, the citations).
"""

from __future__ import annotations

import re
from enum import StrEnum


class Kind(StrEnum):
    ACT = "act"
    CHAPTER = "chapter"
    SECTION = "section"
    ARTICLE = "article"
    PARAGRAPH = "paragraph"
    SUBPARAGRAPH = "subparagraph"
    POINT = "point"
    INDENT = "indent"
    RECITAL = "recital"
    FOOTNOTE = "footnote"


# The id segment prefix of each kind, as ELI and EUR-Lex write it.
SEGMENT_PREFIX: dict[Kind, str] = {
    Kind.CHAPTER: "cpt",
    Kind.SECTION: "sct",
    Kind.ARTICLE: "art",
    Kind.PARAGRAPH: "par",
    Kind.SUBPARAGRAPH: "sub",
    Kind.POINT: "pnt",
    Kind.INDENT: "idt",
    Kind.RECITAL: "rct",
    Kind.FOOTNOTE: "ftn",
}
_KIND_OF_PREFIX = {prefix: kind for kind, prefix in SEGMENT_PREFIX.items()}

GDPR = "eu/reg/2016/679"

# The act types an id names, as Formex's LEGAL.VALUE codes them (lower-cased); the words for
# them in each language are in parsers/grammars/<lang>.json (words.act_types).
ACT_TYPES = ("reg", "dir", "dec")
_ACT_ID = re.compile(rf"^eu/({'|'.join(ACT_TYPES)})/\d{{4}}/\d+$")


def act_id(act_type: str, year: int | str, number: int | str) -> str:
    """``act_id("dir", 1995, 46) == "eu/dir/1995/46"``."""
    if act_type not in ACT_TYPES:
        raise ValueError(f"unknown act type {act_type!r}: expected one of {ACT_TYPES}")
    return f"eu/{act_type}/{int(year)}/{int(number)}"


def child_id(parent: str, kind: Kind, number: str) -> str:
    """The id of a ``kind`` numbered ``number`` inside ``parent``.

    Articles and recitals attach to the act, whatever chapter or section holds them.
    """
    if kind in (Kind.ARTICLE, Kind.RECITAL):
        parent = act_of(parent)
    return f"{parent}/{SEGMENT_PREFIX[kind]}_{number}"


def act_of(provision_id: str) -> str:
    """The act an id belongs to: the first four segments."""
    return "/".join(provision_id.split("/")[:4])


def kind_of(provision_id: str) -> Kind:
    last = provision_id.rsplit("/", 1)[-1]
    prefix = last.split("_", 1)[0]
    if prefix in _KIND_OF_PREFIX and "_" in last:
        return _KIND_OF_PREFIX[prefix]
    if _ACT_ID.match(provision_id):
        return Kind.ACT
    raise ValueError(f"not a provision id: {provision_id!r}")


def article_of(provision_id: str) -> str | None:
    """The article an id lies in (``…/art_6/par_1/pnt_a`` → ``…/art_6``), or None."""
    match = re.match(r"^(eu/\w+/\d+/\d+/art_\w+)", provision_id)
    return match.group(1) if match else None
