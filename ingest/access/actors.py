"""The person an action is recorded against: their name and the role they acted in, as
the custody log writes them (``evidence.tlog.leaf_parts.Actor``).

This is the one seam between who is calling (a token's person over HTTP, or the person a
command on the server host names) and what the log keeps of them: services that record
a person's decision take an ``Actor``, never a free-text name.
"""

from __future__ import annotations

from evidence.errors import Forbidden
from evidence.tlog.leaf_parts import Actor, ActorRole
from storage.records import UserRecord

__all__ = ["actor_of"]


def actor_of(user: UserRecord) -> Actor:
    try:
        role = ActorRole(user.role)
    except ValueError:
        raise Forbidden(f"role {user.role} cannot act on the record") from None
    return Actor(user.name, role)
