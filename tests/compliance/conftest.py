"""Fixtures of the compliance command-line tests: the people they sign in as, the
``liuhen`` command as one of them (tests/cli_people.py), and the index opened beside it."""

import sqlite3

import pytest

from tests.builders import CASE

# li moves the end of a seizure (duty full): an edit for the role that exempts, which the
# command line on the server host used to let anyone make.
PEOPLE = {"wang": "custodian", "li": "supervisor", "zhao": "supervisor", "admin": "admin"}


@pytest.fixture
async def people(server, liuhen):
    for name, role in PEOPLE.items():
        await server.add_person(name, role)
    await liuhen.login("wang")
    return liuhen


@pytest.fixture
async def index(tmp_path, people):
    assert (await people("cases", "add", CASE, "--agency", "石家庄市城管执法局"))[0] == 0
    database = sqlite3.connect(tmp_path / "server" / "index.sqlite3")
    yield database
    database.close()
