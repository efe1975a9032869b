"""The demo's footage uploads through the cluster (what ``./scripts/cluster demo`` runs):
the demo's body cameras, the real agent pointed at nginx's address, every recording and
its review copy receipted, spread over the nodes."""

from __future__ import annotations

from collections import Counter

from liuhen.cluster.footage import upload_demo_footage
from tests.cluster.conftest import logged_patches


async def test_the_demos_footage_uploads_through_nginx_to_the_nodes(books, nodes, tmp_path):
    result = await upload_demo_footage(
        nodes.url, nodes.keys / "server.pub.pem", nodes.postgres.options(), tmp_path / "demo"
    )
    assert result.recordings == 4 and result.receipted == 4 and result.copies == 4, result
    for evidence_id in result.evidence_ids:
        verdict = await books.ctx.services.verifier.verify(evidence_id)
        assert verdict["ok"], verdict
    every = {node.address for node in nodes.nodes}
    taken = Counter(await logged_patches(nodes, "/files/", lambda t: set(t) >= every))
    assert set(taken) == every, taken
