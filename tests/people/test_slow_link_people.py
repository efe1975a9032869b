"""The people's bodies (sign-in, passwords, new people, case access) are read to their end
through the slow, fragmenting link (issue 8): a password that arrives in 16-byte pieces
signs in, and a long Chinese one is kept whole."""

import json

from evidence import wire
from tests.builders import CASE

LONG = "我的密码很长而且不容易被猜到" * 8  # 112 characters, 336 bytes of UTF-8


def body(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


async def test_sign_in_and_a_password_change_through_a_slow_link_arrive_whole(server, slow):
    await server.add_person("wang", "custodian")
    reply = await slow.send(
        "POST", wire.SIGN_IN, body=body({"name": "wang", "password": "correct horse battery"})
    )
    assert reply.status == 201
    token = reply.json()["token"]
    change = {"current_password": "correct horse battery", "new_password": LONG}
    reply = await slow.send("PUT", wire.SIGN_IN_PASSWORD, token=token, body=body(change))
    assert reply.status == 204
    assert await server.sign_in("wang", LONG)  # every character of it was kept


async def test_people_and_their_access_through_a_slow_link_arrive_whole(server, slow):
    await server.add_person("root", "admin")
    admin = await server.sign_in("root")
    person = {"name": "王" * 60, "role": "reviewer", "password": LONG}
    assert (await slow.send("POST", wire.USERS, token=admin, body=body(person))).status == 201
    path = wire.USER_PASSWORD.format(name="王" * 60)
    reply = await slow.send("POST", path, token=admin, body=body({"password": LONG + "!"}))
    assert reply.status == 200
    agencies = [f"石家庄市第{n}执法局" for n in range(200)]
    access = {"all_cases": False, "cases": [CASE], "agencies": agencies}
    path = wire.USER_ACCESS.format(name="王" * 60)
    reply = await slow.send("PUT", path, token=admin, body=body(access))
    assert reply.status == 200 and len(reply.json()["agencies"]) == 200
