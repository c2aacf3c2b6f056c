"""The refresh as software-defined assets: every source fetched; the law parsed, versioned and its
cross-references read; decision documents and fine tables read and reconciled; all of it into the graph."""

from collections.abc import Callable
from typing import Any

from dagster import (AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, AssetExecutionContext,
                     AssetsDefinition, MaterializeResult, MetadataValue, asset, asset_check)

from kb_store.store import CheckResult
from parsers.reconcile import Reconciled
from parsers.versions import LawVersions
from pipelines import checks, enforcement, stages
from pipelines.enforcement import EnforcementRecords
from pipelines.resources import HttpResource, ProgressResource, SourcesResource, StoreResource
from schema.law import CrossReference

SOURCES, LAW, ENFORCEMENT = "sources", "eurlex", "enforcement"


@asset(group_name=SOURCES)
def raw_documents(context: AssetExecutionContext, sources: SourcesResource, store: StoreResource,
                  http: HttpResource, progress: ProgressResource) -> stages.Fetched:
    """Every configured document fetched into the content-addressed raw store (conditional requests)."""
    raw = store.raw()
    with http.fetcher(raw) as fetcher:
        fetched = stages.fetch_sources(sources.load(), raw, fetcher, progress.reporter())
    context.add_output_metadata({"documents": len(fetched.documents), "changed": len(fetched.changed),
                                 "failed": len(fetched.quarantined)})
    return fetched


@asset(group_name=LAW)
def parsed_documents(context: AssetExecutionContext, raw_documents: stages.Fetched, sources: SourcesResource,
                     store: StoreResource, progress: ProgressResource) -> stages.ParsedSources:
    """Each document parsed into act or corrigendum records; bad documents quarantined with a reason."""
    parsed = stages.parse_sources(sources.load(), raw_documents, store.raw(), store.parse_cache(),
                                  progress.reporter())
    context.add_output_metadata({
        "parsed": parsed.parsed, "from cache": parsed.cached, "quarantined": len(parsed.quarantined),
        "quarantine": MetadataValue.md(_bullets(f"{q.name}: {q.reason}" for q in parsed.quarantined))})
    return parsed


@asset(group_name=LAW)
def law_versions(context: AssetExecutionContext, parsed_documents: stages.ParsedSources) -> LawVersions:
    """Provisions and their dated wordings per language, corrigenda applied."""
    law = stages.build_law(parsed_documents)
    context.add_output_metadata({"provisions": len(law.provisions), "versions": len(law.versions),
                                 "corrections applied": len(law.applied)})
    return law


@asset(group_name=LAW)
def cross_references(context: AssetExecutionContext, law_versions: LawVersions,
                     progress: ProgressResource) -> list[CrossReference]:
    """Cross-references read from every version's text, resolved to provision ids where possible."""
    references = stages.extract_cross_references(law_versions, progress.reporter())
    context.add_output_metadata({"references": len(references),
                                 "unresolved": sum(1 for r in references if r.target_id is None)})
    return references


@asset(group_name=ENFORCEMENT)
def fine_records(context: AssetExecutionContext, raw_documents: stages.Fetched, law_versions: LawVersions,
                 sources: SourcesResource, store: StoreResource, progress: ProgressResource) -> EnforcementRecords:
    """Every row of every configured fine table, read through its mapping: a source record or a quarantined row."""
    known = frozenset(p.id for p in law_versions.provisions)
    fines = enforcement.read_fine_tables(sources.load(), raw_documents, store.raw(), store.parse_cache(), known,
                                         progress.reporter())
    context.add_output_metadata({"records": len(fines.records), "quarantined rows": len(fines.quarantined_rows),
                                 "quarantined tables": len(fines.quarantined)})
    return fines


@asset(group_name=ENFORCEMENT)
def decision_records(context: AssetExecutionContext, raw_documents: stages.Fetched, law_versions: LawVersions,
                     sources: SourcesResource, store: StoreResource, progress: ProgressResource) -> EnforcementRecords:
    """Every configured decision document (PDF, GDPRhub page) read; unreadable ones quarantined with the reason."""
    known = frozenset(p.id for p in law_versions.provisions)
    read = enforcement.read_decisions(sources.load(), raw_documents, store.raw(), store.parse_cache(), known,
                                      progress.reporter())
    context.add_output_metadata({"documents": len(read.records), "quarantined": len(read.quarantined),
                                 "quarantine": MetadataValue.md(_bullets(f"{q.name}: {q.reason}" for q in read.quarantined))})
    return read


@asset(group_name=ENFORCEMENT)
def decisions(context: AssetExecutionContext, decision_records: EnforcementRecords, fine_records: EnforcementRecords,
              sources: SourcesResource) -> Reconciled:
    """Source records reconciled: one decision per real decision, each record kept beside it."""
    reconciled = enforcement.reconcile_records(sources.load(), decision_records, fine_records)
    context.add_output_metadata({"decisions": len(reconciled.decisions), "records": len(reconciled.reported_by),
                                 **{f"merged by {rule}": n for rule, n in reconciled.merges.items()}})
    return reconciled


@asset(group_name=SOURCES)
def graph(raw_documents: stages.Fetched, parsed_documents: stages.ParsedSources, law_versions: LawVersions,
          cross_references: list[CrossReference], decision_records: EnforcementRecords,
          fine_records: EnforcementRecords, decisions: Reconciled, store: StoreResource) -> MaterializeResult:
    """The graph, bulk-loaded into a new Kùzu snapshot and published, unless nothing changed."""
    outcomes = checks.run_all(parsed_documents, law_versions, cross_references, decision_records, fine_records,
                              decisions)
    tables = {**stages.law_tables(law_versions, cross_references),
              **enforcement.enforcement_tables(decisions, [decision_records, fine_records])}
    tables["SourceDocument"] = stages.source_documents(raw_documents, tables)
    manifest, published = stages.publish(store.store(), raw_documents, tables, outcomes,
                                         parsed_documents.quarantined + decision_records.quarantined
                                         + fine_records.quarantined, fine_records.quarantined_rows)
    return MaterializeResult(metadata={"snapshot": manifest.id, "published": published,
                                       **{f"rows {name}": count for name, count in manifest.counts.items()}},
                             value=manifest)


def _result(outcome: CheckResult) -> AssetCheckResult:
    severity = AssetCheckSeverity.WARN if outcome.severity == "warn" else AssetCheckSeverity.ERROR
    return AssetCheckResult(passed=outcome.passed, severity=severity, description=outcome.summary,
                            metadata={"details": MetadataValue.md(_bullets(outcome.details[:200]))})


def _bullets(lines) -> str:
    return "\n".join(f"- {line}" for line in lines) or "(none)"


def _asset_check(asset_def: AssetsDefinition, run: Callable[[Any], CheckResult]) -> AssetChecksDefinition:
    """An asset check running one of ``pipelines.checks`` on the asset's value; its docstring describes it."""
    @asset_check(asset=asset_def, name=run.__name__, description=" ".join((run.__doc__ or "").split()))
    def check(value: Any) -> AssetCheckResult:
        return _result(run(value))

    return check


ASSETS = [raw_documents, parsed_documents, law_versions, cross_references, decision_records, fine_records,
          decisions, graph]
CHECKS = [_asset_check(asset_def, run) for asset_def, run in [
    (parsed_documents, checks.structure_counts),
    (law_versions, checks.sources_agree),
    (law_versions, checks.corrections_applied),
    (cross_references, checks.references_resolved),
    (decision_records, checks.decision_documents_read),
    (fine_records, checks.fine_rows_read),
    (decisions, checks.records_reconciled),
]]
