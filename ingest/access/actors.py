"""The person an action is recorded against: their name and the role they acted in, as
the custody log writes them (``evidence.tlog.leaf_parts.Actor``).

This is the one seam between who is calling (the person signed in: ``person.Person``)
and what the log keeps of them: services that record a person's decision take an
``Actor``, never a free-text name.
"""

from __future__ import annotations

from evidence.errors import Forbidden
from evidence.tlog.leaf_parts import Actor, ActorRole
from ingest.access.person import Person

__all__ = ["actor_of"]


def actor_of(person: Person) -> Actor:
    try:
        role = ActorRole(person.role)
    except ValueError:
        raise Forbidden(f"role {person.role} cannot act on the record") from None
    return Actor(person.name, role)
