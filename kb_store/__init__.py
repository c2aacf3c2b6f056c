"""The Kùzu store: engine adapter, bulk load, published snapshots, point-in-time reads."""

from kb_store.access import AccessError, Role, Roles, UnknownKey
from kb_store.diff import RowChange, SnapshotDiff, diff_snapshots
from kb_store._mentions import NotUnderstood, short_id
from kb_store.enforcement import DecisionPage, DecisionView, EnforcementFilter
from kb_store.manifest import CheckResult, Manifest, PointerMove, Quarantined, SourceEntry
from kb_store.prune import Pruned, disk_usage, prune, prune_plan
from kb_store.read import ProvisionView, Reader
from kb_store.pool import OpenSnapshot, SnapshotPool
from kb_store.store import SNAPSHOT_ID, Lease, SnapshotInUse, Store, StoreLocked, UnknownSnapshot

__all__ = ["SNAPSHOT_ID", "AccessError", "CheckResult", "DecisionPage", "DecisionView", "EnforcementFilter", "Lease",
           "Manifest", "NotUnderstood", "OpenSnapshot", "PointerMove", "ProvisionView", "Pruned", "Quarantined",
           "Reader", "Role", "Roles", "RowChange", "SnapshotDiff", "SnapshotInUse", "SnapshotPool", "SourceEntry",
           "Store", "StoreLocked", "UnknownKey", "UnknownSnapshot", "diff_snapshots", "disk_usage", "prune",
           "prune_plan", "short_id"]
