"""Versions: what each provision said, in each language, over valid time.

Pure function over parsed documents (no I/O). Each source states a wording from its valid-from date:
the act as published (Formex, EUR-Lex HTML current and legacy), a corrigendum (applied to the wording
in force before it), a consolidated text. Walking the dates in order, a provision keeps its wording
until a later source states another one; sources of the same date that disagree are reported, and the
higher-priority one is kept (official corrigendum applied > Formex act > Formex consolidated > HTML >
legacy HTML, then config order).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from parsers import PARSER_VERSION
from parsers.corrigendum import apply_corrections
from schema.ids import act_of
from schema.law import (Correction, ParsedAct, ParsedCorrigendum, ParsedProvision, Provision,
                        ProvisionVersion, Record, SourceFormat)

FORMAT_PRIORITY = (SourceFormat.FORMEX_ACT, SourceFormat.FORMEX_CONSOLIDATED,
                   SourceFormat.EURLEX_HTML, SourceFormat.EURLEX_HTML_LEGACY)


class DatedAct(Record):
    name: str
    act: ParsedAct
    sha256: str
    valid_from: dt.date


class DatedCorrigendum(Record):
    name: str
    corrigendum: ParsedCorrigendum
    sha256: str
    valid_from: dt.date


class Disagreement(Record):
    """Two sources of the same date word a provision differently; ``kept`` won by priority."""

    provision_id: str
    lang: str
    valid_from: dt.date
    kept_sha256: str
    other_sha256: str
    kept: str
    other: str


class UnappliedCorrection(Record):
    lang: str
    correction: Correction
    reason: str


class LawVersions(Record):
    provisions: list[Provision]
    versions: list[ProvisionVersion]
    applied: list[Correction]
    unapplied: list[UnappliedCorrection]
    disagreements: list[Disagreement]


@dataclass
class _Wording:
    """One wording of one provision, and every source that states it."""

    unit: ParsedProvision
    stated_from: dt.date
    shas: list[str] = field(default_factory=list)

    def same_as(self, unit: ParsedProvision) -> bool:
        return (self.unit.heading, self.unit.text) == (unit.heading, unit.text)


def build_versions(acts: list[DatedAct], corrigenda: list[DatedCorrigendum]) -> LawVersions:
    """Provisions and their versions in every language from every dated source."""
    by_language: dict[tuple[str, str], list] = defaultdict(list)
    for item in [*acts, *corrigenda]:
        doc = item.act if isinstance(item, DatedAct) else item.corrigendum
        by_language[(doc.act_id, doc.lang)].append(item)

    provisions: dict[str, Provision] = {}
    versions: list[ProvisionVersion] = []
    result = dict(applied=[], unapplied=[], disagreements=[])
    for (_, lang), items in sorted(by_language.items()):
        histories = _histories(lang, items, result)
        for provision_id, wordings in histories.items():
            first = wordings[0]
            _add_provision(provisions, first.unit, len(provisions), [s for w in wordings for s in w.shas])
            versions.extend(_versions(provision_id, lang, wordings))
    return LawVersions(provisions=list(provisions.values()), versions=versions, **result)


def _histories(lang: str, items: list, result: dict) -> dict[str, list[_Wording]]:
    """Every provision's successive wordings in one language, in reading order."""
    histories: dict[str, list[_Wording]] = {}
    for date in sorted({item.valid_from for item in items}):
        today = [item for item in items if item.valid_from == date]
        for item in today:
            if isinstance(item, DatedCorrigendum):
                _correct(histories, item, lang, result)
        for item in sorted((i for i in today if isinstance(i, DatedAct)),
                           key=lambda i: FORMAT_PRIORITY.index(i.act.source_format)):
            _state(histories, item, date, lang, result)
    return histories


def _state(histories: dict[str, list[_Wording]], item: DatedAct, date: dt.date, lang: str,
           result: dict) -> None:
    for unit in item.act.provisions:
        wordings = histories.setdefault(unit.id, [])
        current = wordings[-1] if wordings else None
        if current is None or (not current.same_as(unit) and current.stated_from < date):
            wordings.append(_Wording(unit, date, [item.sha256]))
        elif current.same_as(unit):
            current.shas.append(item.sha256)
        else:
            result["disagreements"].append(Disagreement(
                provision_id=unit.id, lang=lang, valid_from=date, kept_sha256=current.shas[0],
                other_sha256=item.sha256, kept=_wording_text(current.unit), other=_wording_text(unit)))


def _correct(histories: dict[str, list[_Wording]], item: DatedCorrigendum, lang: str, result: dict) -> None:
    in_force = [wordings[-1].unit for wordings in histories.values()]
    if not in_force:
        result["unapplied"].extend(UnappliedCorrection(lang=lang, correction=c, reason="no wording in force to correct")
                                   for c in item.corrigendum.corrections)
        return
    base = ParsedAct(act_id=item.corrigendum.act_id, lang=item.corrigendum.lang,
                     source_format=SourceFormat.FORMEX_ACT, title="", provisions=in_force)
    corrected = apply_corrections(base, item.corrigendum)
    result["applied"].extend(corrected.applied)
    result["unapplied"].extend(UnappliedCorrection(lang=lang, correction=c, reason=reason)
                               for c, reason in corrected.unapplied)
    by_id = {unit.id: unit for unit in corrected.act.provisions}
    for target in {c.target_id for c in corrected.applied}:
        current = histories[target][-1]
        if not current.same_as(by_id[target]):
            histories[target].append(_Wording(by_id[target], item.valid_from, [item.sha256, *current.shas[:1]]))


def _versions(provision_id: str, lang: str, wordings: list[_Wording]) -> list[ProvisionVersion]:
    ends = [w.stated_from for w in wordings[1:]] + [None]
    return [ProvisionVersion(
        id=f"{provision_id}@{lang}@{w.stated_from.isoformat()}", provision_id=provision_id, lang=lang,
        heading=w.unit.heading, text=w.unit.text, text_original=w.unit.text_original,
        valid_from=w.stated_from, valid_to=end, source_sha256=sorted(set(w.shas)),
        parser_version=PARSER_VERSION) for w, end in zip(wordings, ends)]


def _add_provision(provisions: dict[str, Provision], unit: ParsedProvision, ordinal: int, shas: list[str]) -> None:
    known = provisions.get(unit.id)
    if known:
        provisions[unit.id] = known.model_copy(update={"source_sha256": sorted({*known.source_sha256, *shas})})
        return
    provisions[unit.id] = Provision(id=unit.id, act_id=act_of(unit.id), kind=unit.kind, number=unit.number,
                                    parent_id=unit.parent_id, ordinal=ordinal, source_sha256=sorted(set(shas)),
                                    parser_version=PARSER_VERSION)


def _wording_text(unit: ParsedProvision) -> str:
    return f"{unit.heading}\n{unit.text}" if unit.heading else unit.text
