"""Quality checks of a refresh, as plain functions: the Dagster asset checks and the snapshot
manifest both report these."""

from __future__ import annotations

from collections import Counter, defaultdict

from kb_store.store import CheckResult
from parsers.versions import LawVersions
from pipelines.stages import ParsedSources
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
    summary = f"{len(details)} provision wordings differ between sources of the same date" if details else \
        "all sources of the same date agree"
    return CheckResult(name="sources_agree", passed=not details, summary=summary, details=details)


def corrections_applied(law: LawVersions) -> CheckResult:
    details = [f"[{u.lang}] {u.correction.description}: {u.reason}" for u in law.unapplied]
    summary = f"{len(law.applied)} corrections applied, {len(details)} not applied"
    return CheckResult(name="corrections_applied", passed=not details, summary=summary, details=details)


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


def run_all(parsed: ParsedSources, law: LawVersions, references: list[CrossReference]) -> list[CheckResult]:
    return [structure_counts(parsed), sources_agree(law), corrections_applied(law), references_resolved(references)]
