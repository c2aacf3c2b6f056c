"""Cross-references in legal text: "Article 6(1)(a)", "points (a) and (b) of Article 6(1)",
"paragraphe 2 du présent article", "Artikel 9 Absatz 2 Buchstabe a", "Directive 95/46/EC".

Rule-based and deterministic: a blank spaCy pipeline per language whose one component matches the
token patterns of ``parsers/grammars/<lang>.json``; one engine (``resolve``) turns what they match
into ids. Supporting a language is writing its grammar file.

Targets are ELI ids at the finest level the text states. A provision of another act ("Article 4 of
Directive 95/46/EC") targets ``eu/dir/1995/46/art_4`` (``external=True``; ``act_of`` gives the act),
unchecked while none of that act's provisions are known. A provision of the citing act that is not
in ``known_ids`` is not guessed at: ``target_id`` is None and ``reason`` names the missing id.

Text outside any act — a decision (``decision/at/dsb/…``), a fine record's list of articles — cites
other acts only: "Art. 5 Abs. 1 lit. f DSGVO" in a decision targets ``eu/reg/2016/679/art_5/par_1/pnt_f``
with ``external=True``, as any reference from one act to another. What names no act there ("Art. 6
Abs. 1") is reported, not resolved, as is a law without an id ("§ 1 DSG", "LOPDGDD", "UAVG").
"""

from __future__ import annotations

from collections.abc import Sequence

from parsers.xref import grammar
from schema.law import CrossReference

__all__ = ["extract_many", "extract_references", "languages"]


def extract_references(citing_id: str, text: str, lang: str,
                       known_ids: frozenset[str] | set[str]) -> list[CrossReference]:
    """Every reference in ``text``, the wording of provision ``citing_id``, one per target.

    A range or enumeration ("Articles 12 to 22") gives one reference per target, all with the span
    of the whole mention; ``start``/``end`` are offsets into ``text``.
    """
    # spaCy loads in about a second: only when text is read, not when a config naming a grammar is checked.
    from parsers.xref.pipeline import pipeline_for
    from parsers.xref.resolve import find

    rules = grammar.load(lang)  # a ValueError for a language without a grammar
    nlp = pipeline_for(lang)
    pieces = nlp.get_pipe("xref_pieces")
    if not pieces.may_cite(text):
        return []
    found = find(nlp(text), rules, pieces.acts, citing_id, known_ids)
    return [CrossReference(source_id=citing_id, lang=lang, text=text[f.start:f.end], **f._asdict())
            for f in found]


def extract_many(lang: str, texts: Sequence[tuple[str, str]],
                 known_ids: frozenset[str] | set[str]) -> list[list[CrossReference]]:
    """``extract_references`` of each (citing id, text) of one language, in their order."""
    return [extract_references(citing_id, text, lang, known_ids) for citing_id, text in texts]


def languages() -> list[str]:
    """The languages that have a grammar."""
    return grammar.available()
