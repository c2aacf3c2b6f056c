"""The Kùzu store: engine adapter, bulk load, published graphs, point-in-time reads."""

from kb_store.enforcement import DecisionView, EnforcementFilter
from kb_store.read import ProvisionView, Reader
from kb_store.store import Store

__all__ = ["DecisionView", "EnforcementFilter", "ProvisionView", "Reader", "Store"]
