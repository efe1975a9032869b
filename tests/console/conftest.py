import pytest

from tests.console.helpers import Visitor, visitor


@pytest.fixture
async def people(server):
    """One person per role, each signed in at the console in their own browser."""
    made: dict[str, Visitor] = {}
    for role in ("custodian", "reviewer", "supervisor", "auditor", "admin"):
        made[role] = await visitor(server, f"{role}-1", role)
    yield made
    for person in made.values():
        await person.close()
