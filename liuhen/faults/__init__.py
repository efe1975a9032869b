"""The fault-injection harness (docs/reliability.md): a fault proxy, the invariants every
scenario and chaos trial must keep, and the agent and server run as separate processes.

It lives in the package, beside the demo, rather than under ``tests/``: the chaos run
(``bench/chaos.py``) uses it outside pytest, and here it is type-checked (mypy strict)
and held to the import contracts like the rest of the house. It needs nothing beyond the
standard library and Liuhen itself, and nothing in the agent or the server imports it.
"""
