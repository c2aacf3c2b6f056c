"""The refresh as software-defined assets: every source fetched; the law parsed, versioned and its
cross-references read; decision documents and fine tables read and reconciled; all of it into a snapshot,
published only when every check that guards it passed (the checks block what lies downstream)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from dagster import (AssetCheckExecutionContext, AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity,
                     AssetCheckSpec, AssetExecutionContext, AssetsDefinition, Failure, FreshnessPolicy,
                     MaterializeResult, MetadataValue, asset, asset_check)

from kb_store import CheckResult, Manifest, SourceEntry
from kb_store.access import view_key
from parsers.cases import Cases
from parsers.reconcile import Reconciled
from parsers.versions import LawVersions
from pipelines import checks, enforcement, stages, views
from pipelines.enforcement import EnforcementRecords
from pipelines.erasure_log import unforgotten
from pipelines.resources import (HttpResource, ProgressResource, RefreshOptions, SourcesResource, StoreResource,
                                 fetch_sources)
from schema.law import CrossReference

SOURCES, LAW, ENFORCEMENT, SNAPSHOT = "sources", "eurlex", "enforcement", "snapshot"


def _describe(run: Callable[..., CheckResult]) -> str:
    """A check's description: its docstring on one line."""
    return " ".join((run.__doc__ or "").split())


@asset(group_name=SOURCES)
def raw_documents(context: AssetExecutionContext, sources: SourcesResource, store: StoreResource,
                  http: HttpResource, options: RefreshOptions, progress: ProgressResource) -> stages.Fetched:
    """Every configured document fetched into the content-addressed raw store (conditional requests)."""
    if options.prefetched:  # `lexgraph refresh` fetched before deciding there is work: once per refresh
        fetched = stages.Fetched.model_validate_json(options.prefetched)
    else:
        fetched = fetch_sources(sources.load(), store, http, progress, options.refetch)
    context.add_output_metadata({"documents": len(fetched.documents), "changed": len(fetched.changed),
                                 "failed": len(fetched.quarantined),
                                 "failures": MetadataValue.md(_bullets(f"{q.name}: {q.reason}"
                                                                       for q in fetched.quarantined))})
    return fetched


@asset(group_name=LAW)
def parsed_documents(context: AssetExecutionContext, raw_documents: stages.Fetched, sources: SourcesResource,
                     store: StoreResource, progress: ProgressResource) -> stages.ParsedSources:
    """Each document parsed into act or corrigendum records; bad documents quarantined with a reason."""
    parsed = stages.parse_sources(sources.load(), raw_documents, store.previous(), store.raw(), store.parse_cache(),
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
    fines = enforcement.read_fine_tables(sources.load(), raw_documents, store.previous(), store.raw(),
                                         store.parse_cache(), known, progress.reporter())
    context.add_output_metadata({"records": len(fines.records), "quarantined rows": len(fines.quarantined_rows),
                                 "quarantined tables": len(fines.quarantined)})
    return fines


@asset(group_name=ENFORCEMENT)
def decision_records(context: AssetExecutionContext, raw_documents: stages.Fetched, law_versions: LawVersions,
                     sources: SourcesResource, store: StoreResource, progress: ProgressResource) -> EnforcementRecords:
    """Every configured decision document (PDF, GDPRhub page) read; unreadable ones quarantined with the reason."""
    known = frozenset(p.id for p in law_versions.provisions)
    read = enforcement.read_decisions(sources.load(), raw_documents, store.previous(), store.raw(),
                                      store.parse_cache(), known, progress.reporter())
    context.add_output_metadata({"documents": len(read.records), "quarantined": len(read.quarantined),
                                 "quarantine": MetadataValue.md(_bullets(f"{q.name}: {q.reason}" for q in read.quarantined))})
    return read


@asset(group_name=ENFORCEMENT)
def decisions(context: AssetExecutionContext, decision_records: EnforcementRecords, fine_records: EnforcementRecords,
              sources: SourcesResource) -> Reconciled:
    """Source records reconciled: one decision per real decision, each record kept beside it."""
    reconciled = enforcement.reconcile_records(sources.load(), decision_records, fine_records)
    context.add_output_metadata({"decisions": len(reconciled.decisions), "records": len(reconciled.reported_by),
                                 **{f"merged by {rule}": n for rule, n in reconciled.merges.items()},
                                 **{f"refused by {rule}": n for rule, n in reconciled.refused.items()}})
    return reconciled


@asset(group_name=ENFORCEMENT)
def cases(context: AssetExecutionContext, decisions: Reconciled, decision_records: EnforcementRecords,
          fine_records: EnforcementRecords) -> Cases:
    """The decisions of one matter joined into a case (notice of intent, decision, judgment on appeal),
    with every procedural event their records state and its evidence."""
    built = enforcement.build_cases(decisions, decision_records, fine_records)
    context.add_output_metadata({"cases": len(built.cases), "events": len(built.events),
                                 **{f"linked by {rule}": n for rule, n in built.links.items()}})
    return built


@asset(group_name=SNAPSHOT, check_specs=[AssetCheckSpec(run.__name__, asset="snapshot", blocking=True,
                                                          description=_describe(run))
                                            for run in (checks.sources_kept, checks.no_sharp_shrink)],
       # One writer at a time (the pool's limit is 1: dagster.yaml). A missed daily refresh warns, two fail.
       pool="lexgraph_store", freshness_policy=FreshnessPolicy.time_window(fail_window=dt.timedelta(hours=49),
                                                                          warn_window=dt.timedelta(hours=25)))
def snapshot(context: AssetExecutionContext, raw_documents: stages.Fetched, parsed_documents: stages.ParsedSources,
             law_versions: LawVersions, cross_references: list[CrossReference], decision_records: EnforcementRecords,
             fine_records: EnforcementRecords, decisions: Reconciled, cases: Cases, sources: SourcesResource,
             store: StoreResource, options: RefreshOptions, progress: ProgressResource):  # -> MaterializeResult
    """The published snapshot: the graph bulk-loaded into a new Kùzu database beside its Parquet export and
    manifest — and, when sources carry access labels, one such graph per set of labels a reader may see,
    built from those sources alone — made current once every check passed, unless nothing changed."""
    config, snapshots = sources.load(), store.store()
    whole = views.Contents(config, parsed_documents, law_versions, cross_references, decision_records, fine_records,
                           decisions, cases)
    entries = whole.entries
    rebuild = stages.Rebuild.model_validate_json(options.rebuild) if options.rebuild else None
    # What the guards compare with: the snapshot replaced, less the sources forgotten on purpose.
    current = unforgotten(snapshots.manifest(rebuild.of) if rebuild else snapshots.current(), sources.forgotten())

    def guards(seen: list[SourceEntry], held: Manifest | None) -> list[CheckResult]:
        return [checks.sources_kept(seen, held, options.accept_removed),
                checks.no_sharp_shrink(seen, held, frozenset(options.accept_shrink))]

    own_guards = guards(entries, current)
    for outcome in own_guards:
        _log(context, outcome)
    reads = views.Reads(raw_documents, store.previous(), store.raw(), store.parse_cache(), progress.reporter())
    seen = reads.views(whole)
    try:
        manifest, published = stages.publish(
            snapshots, sources.config_sha256(), whole.part(own_guards), rebuild,
            views={view_key(view.visible): view.contents.part(guards(view.contents.entries,
                                                                     views.seen_in(current, view.visible)))
                   for view in seen})
    except stages.PublishRefused as refused:
        raise Failure(description=f"nothing published: {refused}", metadata={"failed checks": MetadataValue.json(
            [check.model_dump(mode="json") for check in refused.failed])}) from None
    folder = snapshots.snapshot_dir(manifest.id)
    return MaterializeResult(
        value=manifest, check_results=[_result(outcome) for outcome in own_guards],
        metadata={"snapshot": manifest.id, "published": published, "path": MetadataValue.path(str(folder)),
                  "manifest": MetadataValue.path(str(folder / "manifest.json")),
                  "kept from earlier copies": MetadataValue.md(_bullets(f"{s.name}: {s.kept}" for s in manifest.kept)),
                  "views": MetadataValue.md(_bullets(view_key(view.visible) for view in seen)),
                  **{f"rows {name}": count for name, count in manifest.counts.items()}})


def _result(outcome: CheckResult) -> AssetCheckResult:
    severity = AssetCheckSeverity.WARN if outcome.severity == "warn" else AssetCheckSeverity.ERROR
    return AssetCheckResult(check_name=outcome.name, passed=outcome.passed, severity=severity,
                            description=outcome.summary,
                            metadata={"details": MetadataValue.md(_bullets(outcome.details[:200])),
                                      "result": MetadataValue.json(outcome.model_dump(mode="json"))})


def _log(context: AssetExecutionContext | AssetCheckExecutionContext, outcome: CheckResult) -> None:
    """A check that did not pass, in the run's log too, not only on the check's page."""
    if not outcome.passed:
        warns = outcome.severity == "warn"
        (context.log.warning if warns else context.log.error)(
            f"check {outcome.name} {'warns' if warns else 'failed'}: {outcome.summary}")


def _bullets(lines) -> str:
    return "\n".join(f"- {line}" for line in lines) or "(none)"


def _asset_check(asset_def: AssetsDefinition, run: Callable[[Any], CheckResult]) -> AssetChecksDefinition:
    """An asset check running one of ``pipelines.checks`` on the asset's value; its docstring describes it."""
    @asset_check(asset=asset_def, name=run.__name__, description=_describe(run), blocking=True)
    def check(context: AssetCheckExecutionContext, value: Any) -> AssetCheckResult:
        outcome = run(value)
        _log(context, outcome)
        return _result(outcome)

    return check


ASSETS = [raw_documents, parsed_documents, law_versions, cross_references, decision_records, fine_records,
          decisions, cases, snapshot]
CHECKS = [_asset_check(asset_def, run) for asset_def, run in [
    (parsed_documents, checks.structure_counts),
    (law_versions, checks.sources_agree),
    (law_versions, checks.corrections_applied),
    (cross_references, checks.references_resolved),
    (decision_records, checks.decision_documents_read),
    (fine_records, checks.fine_rows_read),
    (decisions, checks.records_reconciled),
    (cases, checks.cases_built),
]]
