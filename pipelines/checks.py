"""Quality checks of a refresh, as plain functions: the Dagster asset checks and the snapshot
manifest both report these."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

from kb_store import CheckResult, Manifest, SourceEntry
from parsers.cases import Cases
from parsers.reconcile import Reconciled
from parsers.versions import LawVersions
from pipelines.enforcement import EnforcementRecords
from pipelines.stages import ParsedSources
from schema.enforcement import Outcome, SourceRecord
from schema.ids import Kind
from schema.law import CrossReference

MIN_RESOLVED_SHARE = 0.98  # of the internal references: the bar the extraction is held to


def structure_counts(parsed: ParsedSources) -> CheckResult:
    """Every document of an act has as many articles and chapters as the others (and as many recitals,
    where it has a preamble)."""
    counted = {}
    for dated in parsed.acts:
        kinds = Counter(p.kind for p in dated.act.provisions)
        counted[dated.name] = (
            dated.act.act_id, kinds[Kind.ARTICLE], kinds[Kind.CHAPTER], kinds[Kind.RECITAL], kinds[Kind.PARAGRAPH])
    by_act = defaultdict(set)
    for act, articles, chapters, recitals, _ in counted.values():
        by_act[act].add((articles, chapters) + ((recitals,) if recitals else ()))
    odd = [act for act, shapes in by_act.items() if len({s[:2] for s in shapes}) > 1
           or len({s[2] for s in shapes if len(s) > 2}) > 1]
    details = [f"{name}: {a} articles, {c} chapters, {r} recitals, {p} paragraphs"
               for name, (_, a, c, r, p) in sorted(counted.items())]
    summary = "documents disagree on the structure of " + ", ".join(odd) if odd else \
        f"{len(counted)} documents agree on their acts' structure"
    return CheckResult(name="structure_counts", passed=not odd, summary=summary, details=details)


def sources_agree(law: LawVersions) -> CheckResult:
    """Sources of the same date (EUR-Lex HTML, legacy HTML, Formex) word every provision the same."""
    details = [f"{d.provision_id} [{d.lang} {d.valid_from}]: {d.kept_sha256[:8]} “{d.kept[:80]}” ≠ "
               f"{d.other_sha256[:8]} “{d.other[:80]}”" for d in law.disagreements]
    summary = f"{len(details)} provision wordings differ between sources of the same date: " \
        f"{_first(d.provision_id for d in law.disagreements)}" if details else "all sources of the same date agree"
    return CheckResult(name="sources_agree", passed=not details, severity="warn", summary=summary, details=details)


def corrections_applied(law: LawVersions) -> CheckResult:
    """Every correction of every corrigendum found the provision whose wording it corrects."""
    details = [f"[{u.lang}] {u.correction.description}: {u.reason}" for u in law.unapplied]
    summary = f"{len(law.applied)} corrections applied, {len(details)} not applied" + (
        f": {_first(u.correction.description for u in law.unapplied)}" if details else "")
    # A correction that cannot be located is the publisher's to explain: flagged, not fatal.
    return CheckResult(name="corrections_applied", passed=not details, severity="warn", summary=summary,
                       details=details)


def references_resolved(references: list[CrossReference]) -> CheckResult:
    """Every cross-reference is resolved or reported; the internal ones resolve at the bar's rate."""
    internal = [r for r in references if not r.external]
    unresolved = [r for r in references if r.target_id is None]
    share = 1 - sum(1 for r in internal if r.target_id is None) / len(internal) if internal else 1.0
    details = [f"{r.source_id} [{r.lang}] “{r.text}”: {r.reason}" for r in unresolved]
    summary = (f"{len(references) - len(unresolved)} of {len(references)} references resolved "
               f"({share:.1%} of internal ones; bar {MIN_RESOLVED_SHARE:.0%})")
    return CheckResult(name="references_resolved", passed=share >= MIN_RESOLVED_SHARE, summary=summary,
                        details=details)


MIN_ROWS_READ = 0.99  # of every table's rows: the rest are quarantined with their reason
MIN_ROWS_CITING = 0.90  # of the rows that list articles: at least one resolves to a provision


def fine_rows_read(fines: EnforcementRecords) -> CheckResult:
    """Per source: rows read and quarantined, and the share with a resolved authority, date, amount, article."""
    by_source: dict[str, list[SourceRecord]] = defaultdict(list)
    for record in fines.records:
        by_source[record.source].append(record)
    quarantined = Counter(row.source for row in fines.quarantined_rows)
    details, failing = [], []
    for source in sorted(by_source.keys() | quarantined.keys()):
        records = by_source[source]
        read = len(records) / ((len(records) + quarantined[source]) or 1)
        listing = [r for r in records if r.articles_raw]
        citing = sum(1 for r in listing if r.articles) / (len(listing) or 1)
        # Without a legal text loaded no article can resolve: the citing bar has nothing to measure.
        if read < MIN_ROWS_READ or (fines.provisions_known and citing < MIN_ROWS_CITING):
            failing.append(source)
        details.append(f"{source}: {len(records)} read, {quarantined[source]} quarantined ({read:.1%} read); "
                       f"authority {_share(records, 'authority_id')}, date {_share(records, 'decision_date')}, "
                       f"amount {_share(records, 'fine_minor')}, ≥1 article {citing:.1%} of {len(listing)} listing any")
    details += [f"{q.name}: {q.reason}" for q in fines.quarantined]
    # An unreadable table whose earlier copy stands in loses nothing; one with no copy at all falls short.
    lost = sorted({q.name for q in fines.quarantined} - {use.name for use in fines.used})
    summary = (f"{len(fines.records)} rows read, {sum(quarantined.values())} quarantined, "
               f"{len(fines.quarantined)} tables unreadable"
               + (f"; below the bar: {', '.join(failing)}" if failing else "")
               + (f"; no copy of: {', '.join(lost)}" if lost else ""))
    return CheckResult(name="fine_rows_read", passed=not failing and not lost, summary=summary, details=details)


def _share(records: list[SourceRecord], field: str) -> str:
    return f"{sum(1 for r in records if getattr(r, field) is not None) / (len(records) or 1):.1%}"


def _source(record_id: str) -> str:
    return record_id.rsplit("/", 1)[0]


def records_reconciled(reconciled: Reconciled) -> CheckResult:
    """How many records reconciliation matched, and by which rule; a decision never holds two records of
    one source but where that source lists it twice."""
    sizes = Counter(len(d.sources) for d in reconciled.decisions)
    twice = {frozenset(pair) for pair in reconciled.listed_twice}
    doubled = [d.id for d in reconciled.decisions if any(
        frozenset(pair) not in twice for pair in combinations(d.sources, 2) if _source(pair[0]) == _source(pair[1]))]
    matched = sum(n for size, n in sizes.items() if size > 1)
    details = [f"merged by {rule}: {n}" for rule, n in reconciled.merges.items()]
    details += [f"refused by {rule} (records in conflict): {n}" for rule, n in reconciled.refused.items()]
    details += [f"decisions reported by {size} sources: {n}" for size, n in sorted(sizes.items())]
    details += [f"{d}: two records of one source" for d in doubled]
    details += [f"listed twice by one table: {a} and {b}" for a, b in reconciled.listed_twice]
    summary = (f"{len(reconciled.reported_by)} records → {len(reconciled.decisions)} decisions; "
               f"{matched} reported by several sources; merges by rule: "
               + ", ".join(f"{rule} {n}" for rule, n in reconciled.merges.items()))
    return CheckResult(name="records_reconciled", passed=not doubled, summary=summary, details=details)


def cases_built(built: Cases) -> CheckResult:
    """Every decision lies in exactly one case, and every event of a case rests on a record of one of its
    decisions: a case is never told by what its own sources do not state."""
    in_cases = Counter(d for case in built.cases for d in case.decision_ids)
    twice = [d for d, n in in_cases.items() if n > 1]
    unfounded = [e.id for e in built.events if not e.record_ids or len(e.record_ids) != len(e.evidence)]
    kinds = Counter(e.kind.value for e in built.events)
    joined = sum(1 for case in built.cases if len(case.decision_ids) > 1)
    details = [f"{d}: in {in_cases[d]} cases" for d in twice] + [f"{e}: no evidence" for e in unfounded]
    details += [f"linked by {rule}: {n}" for rule, n in built.links.items()]
    details += [f"events {kind}: {n}" for kind, n in sorted(kinds.items())]
    summary = (f"{len(in_cases)} decisions → {len(built.cases)} cases ({joined} of several decisions), "
               f"{len(built.events)} events; links by rule: " + ", ".join(f"{r} {n}" for r, n in built.links.items()))
    return CheckResult(name="cases_built", passed=not twice and not unfounded, summary=summary, details=details)


def decision_documents_read(documents: EnforcementRecords) -> CheckResult:
    """Every readable decision document yields its authority or at least its country (a cited provision,
    or the reason it cites none, each record has by construction); one yielding neither fails the check
    with the hints that fix it. Undated documents and those in a language without a decision grammar are
    counted: their unknowns are stated as unknown, not guessed. Unreadable ones are listed with their reason."""
    cited = {c.record_id for c in documents.citations}
    unplaced = [r for r in documents.records if r.authority_id is None and r.country is None]
    undated = sum(1 for r in documents.records if r.decision_date is None)
    unread = [r.id for r in documents.records if r.outcome == Outcome.UNKNOWN.value]
    details = [f"{r.id}: neither its authority nor its country can be read from it; give its [[decision]] entry "
               f"the hint authority = \"<a gazetteer id such as authority/bg/cpdp, or the authority's name>\" "
               f"(and lang = \"<ISO 639-1 code>\" if its language was misread); a document of a "
               f"[[decision_folder]] needs a [[decision]] entry of its own for that" for r in unplaced]
    details += [f"{name}: read for its authority and citations only: no decision grammar for its language"
                for name in unread]
    details += [f"{q.name}: quarantined: {q.reason}" for q in documents.quarantined]
    summary = (f"{len(documents.records)} documents read ({sum(1 for r in documents.records if r.id in cited)} citing "
               f"the GDPR), {len(documents.quarantined)} quarantined, {len(unplaced)} with neither authority nor "
               f"country, {undated} stating no decision date, {len(unread)} in a language without a decision grammar")
    return CheckResult(name="decision_documents_read", passed=not unplaced, summary=summary, details=details)


def run_all(parsed: ParsedSources, law: LawVersions, references: list[CrossReference], documents: EnforcementRecords,
            fines: EnforcementRecords, reconciled: Reconciled) -> list[CheckResult]:
    return [structure_counts(parsed), sources_agree(law), corrections_applied(law), references_resolved(references),
            decision_documents_read(documents), fine_rows_read(fines), records_reconciled(reconciled)]


MIN_KEPT_SHARE = 0.9  # of a source's records in the current snapshot: below it, a source has shrunk sharply


def sources_kept(entries: list[SourceEntry], current: Manifest | None, removal_accepted: bool) -> CheckResult:
    """Every source of the current snapshot is in the new one (with its last good copy where this refresh
    could not fetch or read it); dropping sources needs an explicit ``--accept-removed``."""
    names = {entry.name for entry in entries}
    lost = [s.name for s in current.sources if s.name not in names] if current else []
    details = [f"{name}: in snapshot {current.id}, not in this refresh" for name in lost]
    details += [f"{entry.name}: kept the copy fetched {entry.fetched_at:%Y-%m-%d %H:%M} ({entry.kept})"
                for entry in entries if entry.kept]
    kept = sum(1 for entry in entries if entry.kept)
    summary = (f"{len(lost)} sources of the current snapshot would be dropped: {_first(lost)}"
               + (" (accepted)" if removal_accepted else "; pass --accept-removed to drop them")
               if lost else f"every source of the current snapshot is held; {kept} from an earlier copy")
    return CheckResult(name="sources_kept", passed=not lost or removal_accepted, summary=summary, details=details)


def no_sharp_shrink(entries: list[SourceEntry], current: Manifest | None, accepted: frozenset[str]) -> CheckResult:
    """No source gives much fewer records than it gave the current snapshot (a table served cut short
    parses, and would silently drop decisions); a real shrink is accepted by name with ``--accept-shrink``."""
    before = {s.name: s.records for s in current.sources} if current else {}
    shrunk = [(e.name, before[e.name], e.records) for e in entries
              if before.get(e.name) and e.records < MIN_KEPT_SHARE * before[e.name]]
    refused = [name for name, _, _ in shrunk if name not in accepted]
    details = [f"{name}: {after} records, {was} in snapshot {current.id} ({after / was:.0%})"
               + (" (accepted)" if name in accepted else "") for name, was, after in shrunk]
    summary = (f"{len(shrunk)} sources shrank below {MIN_KEPT_SHARE:.0%} of their records: "
               f"{_first(name for name, _, _ in shrunk)}"
               + ("; pass --accept-shrink NAME to publish anyway" if refused else " (accepted)")
               if shrunk else "no source shrank")
    return CheckResult(name="no_sharp_shrink", passed=not refused, summary=summary, details=details)


def _first(names, shown: int = 5) -> str:
    names = list(names)
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
