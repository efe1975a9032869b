"""Sign-ins through a load balancer (the cluster's nginx): every request comes from the
balancer's address, so the per-address count of failed sign-ins would lock out every
person at once after one person's guesses. A balancer named in server.trusted_proxies
says who the client is (X-Forwarded-For); nobody else can."""

from __future__ import annotations

from dataclasses import replace

from tests.people.test_sign_in import PASSWORD, sign_in


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": f"{address}, 127.0.0.1"}  # what nginx sends on: client, hop


async def _guess_until_refused(server, address: str) -> None:
    limit = server.ctx.config.sign_in_failures_per_address
    for n in range(limit):
        reply = await sign_in(server, f"guess-{n}", "guess", _from(address))
        assert reply.code == "sign_in_failed", reply.body
    reply = await sign_in(server, "wang", PASSWORD, _from(address))
    assert (reply.status, reply.code) == (429, "too_many_attempts")


async def test_behind_a_trusted_proxy_one_clients_failures_lock_out_only_that_client(server):
    await server.reconfigure(config=replace(server.ctx.config, trusted_proxies=("127.0.0.1",)))
    await server.add_person("wang")
    await _guess_until_refused(server, "10.0.0.1")
    reply = await sign_in(server, "wang", PASSWORD, _from("10.0.0.2"))
    assert reply.status == 201, reply.body


async def test_a_client_not_behind_a_trusted_proxy_cannot_choose_its_address(server):
    await server.add_person("wang")
    await _guess_until_refused(server, "10.0.0.1")
    reply = await sign_in(server, "wang", PASSWORD, _from("10.0.0.2"))
    assert (reply.status, reply.code) == (429, "too_many_attempts")
