"""The Kùzu store: engine adapter, bulk load, published snapshots, point-in-time reads."""

from kb_store.enforcement import DecisionView, EnforcementFilter
from kb_store.manifest import CheckResult, Manifest, PointerMove, Quarantined, SourceEntry
from kb_store.read import ProvisionView, Reader
from kb_store.store import Store, StoreLocked, UnknownSnapshot

__all__ = ["CheckResult", "DecisionView", "EnforcementFilter", "Manifest", "PointerMove", "ProvisionView",
           "Quarantined", "Reader", "SourceEntry", "Store", "StoreLocked", "UnknownSnapshot"]
