"""The fault proxy, where the tests have always found it; it lives in liuhen/faults/ so the
chaos run can use it outside pytest."""

from liuhen.faults.proxy import FaultProxy, Link

__all__ = ["FaultProxy", "Link"]
