"""Plain-data forms of what a desk keeps: tickets, agent profiles and the snapshot.

A snapshot (``{"format": "csflow.desk/1", "commands": [...]}``) is the log of the commands a
desk accepted, each ``[name, at_us, *args]`` with tickets and agent profiles written by
:func:`ticket_to_dict` and :func:`profile_to_dict`.  A desk is deterministic, so replaying the
log (:func:`replay`) against the same configuration rebuilds it exactly.  Everything read back
is checked, and a malformed or tampered snapshot raises :class:`~csflow.errors.ConfigError`
naming the first bad command.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from csflow._config import check_keys, join_path, mapping, sequence, wrap
from csflow._text import show
from csflow._time import MAX_US, MIN_US, utc
from csflow.errors import ConfigError, CsflowError
from csflow.model import AgentProfile, Customer, Ticket, Tier

if TYPE_CHECKING:
    from csflow.desk.desk import Desk

__all__ = [
    "SNAPSHOT_FORMAT",
    "profile_from_dict",
    "profile_to_dict",
    "replay",
    "snapshot_commands",
    "snapshot_data",
    "ticket_from_dict",
    "ticket_to_dict",
]

#: The ``format`` a snapshot carries.
SNAPSHOT_FORMAT: Final = "csflow.desk/1"


def ticket_to_dict(ticket: Ticket) -> dict[str, Any]:
    """A ticket (with its customer) as JSON-compatible data; :func:`ticket_from_dict` reads it.

    Free-form ``attributes`` must themselves be JSON-compatible for the result to be.
    """
    c = ticket.customer
    return {
        "id": ticket.id,
        "customer": {
            "id": c.id,
            "tier": {"name": c.tier.name, "rank": c.tier.rank},
            "language": c.language,
            "preferred_agent": c.preferred_agent,
            "attributes": dict(c.attributes),
        },
        "channel": ticket.channel.name,
        "created_at": ticket.created_at.isoformat(),
        "priority": ticket.priority.name.lower(),
        "category": ticket.category,
        "language": ticket.language,
        "required_skills": {r.skill: r.min_proficiency for r in ticket.required_skills},
        "attributes": dict(ticket.attributes),
    }


def ticket_from_dict(data: object, path: str = "ticket") -> Ticket:
    """The ticket :func:`ticket_to_dict` wrote.

    Raises:
        ConfigError: Malformed data, with the path to it.
    """
    d = mapping(data, path)
    check_keys(
        d,
        (
            "id",
            "customer",
            "channel",
            "created_at",
            "priority",
            "category",
            "language",
            "required_skills",
            "attributes",
        ),
        path,
    )
    cp = join_path(path, "customer")
    c = mapping(d.get("customer"), cp)
    check_keys(c, ("id", "tier", "language", "preferred_agent", "attributes"), cp)
    t = mapping(c.get("tier"), join_path(cp, "tier"))
    tier = wrap(join_path(cp, "tier"), Tier, t.get("name"), t.get("rank", 0))
    customer = wrap(
        cp,
        Customer,
        c.get("id"),
        tier,
        language=c.get("language"),
        preferred_agent=c.get("preferred_agent"),
        attributes=dict(mapping(c.get("attributes", {}), join_path(cp, "attributes"))),
    )
    raw_at = d.get("created_at")
    try:
        created = datetime.fromisoformat(raw_at) if isinstance(raw_at, str) else None
    except ValueError:
        created = None
    if created is None:
        raise ConfigError(
            f"expected an ISO 8601 instant, got {show(raw_at)}", join_path(path, "created_at")
        )
    return wrap(  # type: ignore[no-any-return]
        path,
        Ticket,
        d.get("id"),
        customer,
        d.get("channel"),
        created,
        priority=d.get("priority", "normal"),
        category=d.get("category", "general"),
        language=d.get("language"),
        required_skills=dict(
            mapping(d.get("required_skills", {}), join_path(path, "required_skills"))
        ),
        attributes=dict(mapping(d.get("attributes", {}), join_path(path, "attributes"))),
    )


def profile_to_dict(p: AgentProfile) -> dict[str, Any]:
    """An agent profile as JSON-compatible data; :func:`profile_from_dict` reads it."""
    return {
        "id": p.id,
        "skills": dict(p.skills),
        "languages": sorted(p.languages),
        "capacity": dict(p.capacity),
        "teams": sorted(p.teams),
        "name": p.name,
    }


def profile_from_dict(data: object, path: str = "profile") -> AgentProfile:
    """The agent profile :func:`profile_to_dict` wrote.

    Raises:
        ConfigError: Malformed data, with the path to it.
    """
    d = mapping(data, path)
    check_keys(d, ("id", "skills", "languages", "capacity", "teams", "name"), path)
    return wrap(  # type: ignore[no-any-return]
        path,
        AgentProfile,
        d.get("id"),
        skills=dict(mapping(d.get("skills", {}), join_path(path, "skills"))),
        languages=list(sequence(d.get("languages", []), join_path(path, "languages"))),
        capacity=dict(mapping(d.get("capacity", {}), join_path(path, "capacity"))),
        teams=list(sequence(d.get("teams", []), join_path(path, "teams"))),
        name=d.get("name", ""),
    )


def snapshot_data(log: Iterable[tuple[Any, ...]]) -> dict[str, Any]:
    """A desk's command log (``(at_us, name, *args)`` entries) as a JSON-compatible snapshot."""
    commands: list[list[Any]] = []
    for entry in log:
        at_us, name, *args = entry
        if name == "submit":
            args = [ticket_to_dict(args[0])]
        elif name == "add_agent":
            args = [profile_to_dict(args[0]), args[1], args[2]]
        commands.append([name, at_us, *args])
    return {"format": SNAPSHOT_FORMAT, "commands": commands}


def snapshot_commands(snapshot: object) -> object:
    """Check a snapshot's envelope; return its (not yet checked) ``commands``.

    Raises:
        ConfigError: Not a mapping, an unknown key, or another format.
    """
    d = mapping(snapshot, "snapshot")
    check_keys(d, ("format", "commands"), "snapshot")
    if d.get("format") != SNAPSHOT_FORMAT:
        raise ConfigError(
            f"expected format {SNAPSHOT_FORMAT!r}, got {show(d.get('format'))}", "snapshot.format"
        )
    return d.get("commands")


def replay(desk: Desk, commands: object) -> None:
    """Apply a snapshot's *commands* to *desk*, in order.

    Raises:
        ConfigError: A malformed command, or one the desk refuses, with its path
            (``snapshot.commands[12]: ...``).
    """
    for i, cmd in enumerate(sequence(commands, "snapshot.commands")):
        path = f"snapshot.commands[{i}]"
        try:
            _replay_one(desk, cmd, path)
        except ConfigError as exc:
            if exc.path and exc.path.startswith("snapshot"):
                raise
            raise ConfigError(str(exc), path) from None
        except (CsflowError, TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ConfigError(f"command {show(cmd)} cannot be replayed: {exc}", path) from None


_TWO_ARGS: Final = frozenset(
    {
        "set_presence",
        "reply",
        "set_status",
        "set_priority",
        "set_sla_policy",
        "transfer",
        "escalate",
        "resolve",
    }
)
_ONE_ARG: Final = frozenset(
    {"forget", "remove_agent", "customer_message", "request_callback", "abandon", "reopen", "close"}
)


def _replay_one(desk: Desk, cmd: object, path: str) -> None:
    items = sequence(cmd, path)
    if len(items) < 2 or not isinstance(items[0], str):
        raise ConfigError(f"expected [name, at_us, *args], got {show(cmd)}", path)
    name, at_us, *args = items
    if type(at_us) is not int or not MIN_US <= at_us <= MAX_US:
        raise ConfigError(
            f"expected an int of microseconds in years 1-9999, got {show(at_us)}", path
        )
    at = utc(at_us)
    for a in args:
        if a is not None and not isinstance(a, str | dict):
            raise ConfigError(f"unexpected argument {show(a)}", path)

    def arity(n: int) -> None:
        if len(args) != n or not all(isinstance(a, str) for a in args):
            raise ConfigError(f"{show(name)} takes {n} string arguments, got {show(args)}", path)

    if name == "submit" and len(args) == 1:
        desk.submit(ticket_from_dict(args[0], f"{path}[2]"), at=at)
    elif name == "add_agent" and len(args) == 3:
        presence, group = args[1], args[2]
        if not isinstance(presence, str) or not (group is None or isinstance(group, str)):
            raise ConfigError(f"bad add_agent arguments {show(args)}", path)
        desk.add_agent(
            profile_from_dict(args[0], f"{path}[2]"),
            at=at,
            presence=presence,
            routing_profile=group,
        )
    elif name == "advance":
        arity(0)
        desk.advance(at=at)
    elif name in _TWO_ARGS:
        arity(2)
        getattr(desk, name)(args[0], args[1], at=at)
    elif name in _ONE_ARG:
        arity(1)
        getattr(desk, name)(args[0], at=at)
    else:
        raise ConfigError(f"unknown command {show(name)} with {len(args)} arguments", path)
