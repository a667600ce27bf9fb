"""Plain-data forms of what a desk keeps: tickets, agent profiles, and the snapshot envelope.

Since ``csflow.desk/3`` a snapshot holds the desk's state (:mod:`csflow.desk.state`).  Before,
a snapshot was the log of the commands a desk accepted, each ``[name, at_us, *args]`` with
tickets and agent profiles written by :func:`ticket_to_dict` and :func:`profile_to_dict`,
in an envelope::

    {"format": "csflow.desk/2",
     "at": "2026-03-02T09:05:00+00:00",       # the desk's last instant (UTC), or null
     "config": {"version": 1, "hash": "...", "parts": {...}},   # config_fingerprint
     "deadlines": {"t1": {"first_response": "2026-03-02T09:15:00+00:00"}},
     "commands": [...]}

A desk is deterministic, so replaying the log (:func:`replay`) against the same configuration
rebuilds it exactly.  ``deadlines`` (every SLA clock's due instant at ``at``) is what a restore
under a changed config compares against, to report each deadline it moved.

Versions (the migration is the replay): ``csflow.desk/2`` logs are still read, replayed on a
new desk, so a host's old snapshot restores and its next ``snapshot()`` is a state snapshot;
``csflow.desk/1`` (the log alone, no config fingerprint) is read too, without the config
check; a ``/2`` or ``/3`` snapshot must carry its fingerprint (every csflow that wrote them
did: a null ``config`` is refused, not read as "no check"); a format newer than
``csflow.desk/3`` is refused.  Everything read back is checked first (nesting deeper than
:data:`MAX_DEPTH`, strings longer than :data:`MAX_STRING`, ints of more than
:data:`MAX_INT_DIGITS` digits are refused before anything is built), and a malformed or
tampered snapshot raises :class:`~csflow.errors.ConfigError` naming the path to the bad value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from csflow._config import check_keys, join_path, mapping, sequence, wrap
from csflow._plain import ENCODABLE, decode_instant, encodable, encode_instant
from csflow._text import show
from csflow._time import MAX_US, MIN_US, utc
from csflow.desk.host import DeskHost
from csflow.errors import ConfigError, CsflowError
from csflow.model import AgentProfile, Customer, Ticket, Tier

__all__ = [
    "SNAPSHOT_FORMAT",
    "check_plain",
    "profile_from_dict",
    "profile_to_dict",
    "replay",
    "snapshot_commands",
    "snapshot_data",
    "snapshot_envelope",
    "ticket_from_dict",
    "ticket_to_dict",
]

#: The ``format`` of a command-log snapshot (what ``snapshot()`` wrote before
#: ``csflow.desk/3``, the state snapshot of :mod:`csflow.desk.state`).
SNAPSHOT_FORMAT: Final = "csflow.desk/2"
#: The formats :meth:`Desk.restore` reads (``/1``: the log alone, read without a config check;
#: ``/2``: the log, replayed; ``/3``: the state).
SNAPSHOT_FORMATS: Final = ("csflow.desk/1", SNAPSHOT_FORMAT, "csflow.desk/3")
#: Deepest nesting accepted in a snapshot or journal entry.
MAX_DEPTH: Final = 32
#: Longest string accepted in a snapshot or journal entry.
MAX_STRING: Final = 65_536
#: Most digits of an int accepted in a snapshot or journal entry: what Python writes as text
#: (and ``json.loads`` reads) by default.
MAX_INT_DIGITS: Final = 4300
#: Ints from here on (either sign) have more than :data:`MAX_INT_DIGITS` digits.
MAX_INT: Final = 10**MAX_INT_DIGITS


def check_plain(data: object, path: str) -> None:
    """Refuse plain data nested deeper than :data:`MAX_DEPTH`, holding a string longer than
    :data:`MAX_STRING` or one with a lone surrogate (U+D800-U+DFFF: what ``json.loads`` makes
    of a lone ``\\ud800`` escape, which no UTF-8 text holds and no desk writes), or an int of
    more than :data:`MAX_INT_DIGITS` digits, without recursion (a 10,000-deep list is refused,
    not a crash).

    Raises:
        ConfigError: With the path to the first offending value.
    """
    if _plain_ok(data):
        return
    # Something is out of bounds (or of a type the quick pass leaves to this walk): walk the
    # data value by value, to name the first offending one.
    # Each stack entry links to its parent's, so that a path is spelled out only for an error
    # (a snapshot has tens of thousands of values; formatting each one's path would dominate).
    Link = tuple[Any, object] | None
    stack: list[tuple[object, int, Link]] = [(data, 0, None)]
    pop, push = stack.pop, stack.append

    def where(link: Link) -> str:
        keys: list[object] = []
        while link is not None:
            link, key = link
            keys.append(key)
        out = path
        for key in reversed(keys):
            out = f"{out}[{key}]" if isinstance(key, int) else join_path(out, str(key))
        return out

    while stack:
        node, depth, link = pop()
        if isinstance(node, str):
            if len(node) > MAX_STRING:
                raise ConfigError(
                    f"string of {len(node)} characters; at most {MAX_STRING}", where(link)
                )
            if not encodable(node):
                raise ConfigError(f"expected {ENCODABLE}, got {show(node)}", where(link))
            continue
        if not isinstance(node, dict | list | tuple):
            continue
        if depth >= MAX_DEPTH:
            raise ConfigError(f"nested deeper than {MAX_DEPTH} levels", where(link))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            if isinstance(k, str) and len(k) > MAX_STRING:
                raise ConfigError(f"key of {len(k)} characters; at most {MAX_STRING}", where(link))
            if isinstance(k, str) and not encodable(k):
                raise ConfigError(f"expected a key of {ENCODABLE}, got {show(k)}", where(link))
            if isinstance(v, str):
                if len(v) > MAX_STRING:
                    raise ConfigError(
                        f"string of {len(v)} characters; at most {MAX_STRING}", where((link, k))
                    )
                if not encodable(v):
                    raise ConfigError(f"expected {ENCODABLE}, got {show(v)}", where((link, k)))
            elif isinstance(v, dict | list | tuple):
                push((v, depth + 1, (link, k)))
            elif type(v) is int and not -MAX_INT < v < MAX_INT:
                # (Python writes no int this long as text: json.dumps of a snapshot holding
                # it, or of the desk's next one, would raise.)
                raise ConfigError(
                    f"expected an int of at most {MAX_INT_DIGITS:,} digits (what JSON text "
                    f"holds), got {show(v)}",
                    where((link, k)),
                )


def _plain_ok(data: object) -> bool:
    """Whether *data* is certainly within :func:`check_plain`'s bounds: one quick pass, level
    by level, with as little work per value as can be (a snapshot holds millions of values).

    ``False`` when something is out of bounds, or of a type other than the exact ones JSON
    reads to (a subclass, say), which :func:`check_plain`'s walk then checks and names.
    """
    level: list[Any] = [data]
    for _ in range(MAX_DEPTH):  # (the containers at depth 0, 1, ...: none at MAX_DEPTH)
        deeper: list[Any] = []
        keys: list[Any] = []  # (the level's keys, measured together)
        push, add_keys = deeper.append, keys.extend
        for node in level:
            t = type(node)
            if t is dict:
                add_keys(node)
                node = node.values()
            elif t is not list and t is not tuple:
                node = (node,)  # (the data itself, not in a container)
            for v in node:
                t = type(v)
                if t is str:
                    if len(v) > MAX_STRING or not (v.isascii() or encodable(v)):
                        return False
                elif t is int:
                    if v >= MAX_INT or v <= -MAX_INT:
                        return False
                elif t is dict or t is list or t is tuple:
                    push(v)
                elif v is not None and t is not float and t is not bool:
                    return False
        if keys:
            try:
                if max(map(len, keys)) > MAX_STRING:
                    return False
                if not all(map(str.isascii, keys)) and not all(map(encodable, keys)):
                    return False
            except TypeError:  # (a key without a length: not one JSON text gives)
                return False
        if not deeper:
            return True
        if len(set(map(id, deeper))) != len(deeper):
            # One container reached twice at one depth (JSON text never holds such; data
            # built in Python may): level by level its paths could multiply, the walk's
            # depth-first path to the fault is short.
            return False
        level = deeper
    return False


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


# A ticket's and a customer's plain data hold exactly their fields.
_TICKET_KEYS: Final = frozenset(f.name for f in attrs.fields(Ticket))
_CUSTOMER_KEYS: Final = frozenset(f.name for f in attrs.fields(Customer))


def ticket_from_dict(
    data: object, path: str = "ticket", *, shared: dict[tuple[Any, ...], Any] | None = None
) -> Ticket:
    """The ticket :func:`ticket_to_dict` wrote.

    *shared*: a cache of the tiers and customers the tickets of one document share (a
    restore reads thousands of tickets of a few tiers): a tier or customer read before, to
    the same plain values, is the same (immutable) object, checked once.  A customer with
    attributes is read afresh each time (they do not take part in its equality).

    Raises:
        ConfigError: Malformed data, with the path to it.
    """
    d = mapping(data, path)
    if not d.keys() <= _TICKET_KEYS:
        _known_keys(d, _TICKET_KEYS, path)
    customer = _customer_from_dict(d.get("customer"), join_path(path, "customer"), shared)
    raw_at = d.get("created_at")
    try:
        created = datetime.fromisoformat(raw_at) if isinstance(raw_at, str) else None
    except ValueError:
        created = None
    if created is None:
        raise ConfigError(
            f"expected an ISO 8601 instant, got {show(raw_at)}", join_path(path, "created_at")
        )
    skills = d.get("required_skills", {})
    attributes = d.get("attributes", {})
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
        required_skills={}
        if type(skills) is dict and not skills
        else dict(mapping(skills, join_path(path, "required_skills"))),
        attributes={}
        if type(attributes) is dict and not attributes
        else dict(mapping(attributes, join_path(path, "attributes"))),
    )


def _customer_from_dict(
    data: object, cp: str, shared: dict[tuple[Any, ...], Any] | None
) -> Customer:
    """A ticket's customer as :func:`ticket_to_dict` wrote it (see :func:`ticket_from_dict`
    for *shared*)."""
    c = mapping(data, cp)
    if not c.keys() <= _CUSTOMER_KEYS:
        _known_keys(c, _CUSTOMER_KEYS, cp)
    raw_tier = c.get("tier")
    attributes = c.get("attributes", {})
    key: tuple[Any, ...] | None = None
    if shared is not None and type(raw_tier) is dict and type(attributes) is dict:
        # Only exact str / int / None values are keyed (True == 1 and 1.0 == 1 hash alike:
        # a value another type would refuse must not find one read before).
        name, rank = raw_tier.get("name"), raw_tier.get("rank", 0)
        cid, language, preferred = c.get("id"), c.get("language"), c.get("preferred_agent")
        if (
            type(name) is str
            and type(rank) is int
            and raw_tier.keys() <= _TIER_KEYS
            and type(cid) is str
            and (language is None or type(language) is str)
            and (preferred is None or type(preferred) is str)
        ):
            if not attributes:
                key = ("customer", cid, name, rank, language, preferred)
                found = shared.get(key)
                if found is not None:
                    return found  # type: ignore[no-any-return]
            tier_key = ("tier", name, rank)
            tier = shared.get(tier_key)
            if tier is None:
                tier = shared[tier_key] = _tier_from_dict(raw_tier, join_path(cp, "tier"))
        else:
            tier = _tier_from_dict(raw_tier, join_path(cp, "tier"))
    else:
        tier = _tier_from_dict(raw_tier, join_path(cp, "tier"))
    customer = wrap(
        cp,
        Customer,
        c.get("id"),
        tier,
        language=c.get("language"),
        preferred_agent=c.get("preferred_agent"),
        attributes=dict(mapping(attributes, join_path(cp, "attributes"))),
    )
    if key is not None and shared is not None:
        shared[key] = customer
    return customer  # type: ignore[no-any-return]


_TIER_KEYS: Final = frozenset(("name", "rank"))


def _tier_from_dict(data: object, path: str) -> Tier:
    t = mapping(data, path)
    if not t.keys() <= _TIER_KEYS:
        _known_keys(t, _TIER_KEYS, path)
    name = t.get("name")
    wrap(join_path(path, "name"), Tier, name)  # the name alone, refused at its field
    return wrap(join_path(path, "rank"), Tier, name, t.get("rank", 0))  # type: ignore[no-any-return]


def _known_keys(data: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
    """:func:`~csflow._config.check_keys`, refusing an unknown key at its own path
    (``command.ticket.customer.tierz``), as :func:`~csflow.desk.commands.command_from_dict`
    refuses one of a command (a key longer than 64 characters, or not printable, at *path*)."""
    allowed = frozenset(allowed)
    for k in data:
        if k not in allowed:
            where = join_path(path, k) if len(k) <= 64 and k.isprintable() else path
            check_keys({k: None}, allowed, where)


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
    _known_keys(d, ("id", "skills", "languages", "capacity", "teams", "name"), path)
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


def snapshot_data(
    log: Iterable[tuple[Any, ...]],
    *,
    at: datetime | None = None,
    config: dict[str, Any] | None = None,
    deadlines: dict[str, dict[str, str | None]] | None = None,
) -> dict[str, Any]:
    """A desk's command log (``(at_us, name, *args)`` entries) as a JSON-compatible snapshot,
    with the desk's last instant *at*, its config fingerprint and its open deadlines."""
    commands: list[list[Any]] = []
    for entry in log:
        at_us, name, *args = entry
        if name == "submit":
            args = [ticket_to_dict(args[0])]
        elif name == "add_agent":
            args = [profile_to_dict(args[0]), args[1], args[2]]
        commands.append([name, at_us, *args])
    return {
        "format": SNAPSHOT_FORMAT,
        "at": None if at is None else encode_instant(at),
        "config": config,
        "deadlines": deadlines or {},
        "commands": commands,
    }


def snapshot_commands(snapshot: object) -> object:
    """Check a snapshot's envelope; return its (not yet checked) ``commands``.

    Raises:
        ConfigError: Not a mapping, an unknown key, or another format.
    """
    return snapshot_envelope(snapshot)["commands"]


def snapshot_envelope(snapshot: object) -> dict[str, Any]:
    """Check a snapshot's envelope (format, instant, fingerprint, deadlines, nesting, sizes).

    Returns:
        ``{"format", "at" (datetime or None), "config" (mapping; None for ``/1``), "deadlines"
        (ticket -> metric -> datetime or None), "commands" (not yet checked)}``; a
        ``csflow.desk/1`` snapshot has no ``at``, ``config`` or ``deadlines``; a
        ``csflow.desk/3`` one has ``state`` (not yet checked) instead of ``deadlines`` and
        ``commands``.

    Raises:
        ConfigError: With the path to what is wrong.
    """
    check_plain(snapshot, "snapshot")
    d = mapping(snapshot, "snapshot")
    fmt = d.get("format")
    if fmt not in SNAPSHOT_FORMATS:
        newer = False
        if isinstance(fmt, str) and fmt.startswith("csflow.desk/"):
            # ASCII digits only (int() reads other scripts' digits too), and no int() of a
            # long run of them (past 4,300 digits it raises): more than one significant digit
            # is a number above 3 already.
            number = fmt[12:]
            if number.isascii() and number.isdigit():
                significant = number.lstrip("0")
                newer = len(significant) > 1 or significant > "3"
        detail = " (newer than this csflow reads; upgrade csflow)" if newer else ""
        raise ConfigError(
            f"expected format 'csflow.desk/3' (or an older one), got {show(fmt)}{detail}",
            "snapshot.format",
        )
    if fmt == "csflow.desk/1":
        check_keys(d, ("format", "commands"), "snapshot")
        return {
            "format": fmt,
            "at": None,
            "config": None,
            "deadlines": {},
            "commands": d.get("commands"),
        }
    body = ("state",) if fmt == "csflow.desk/3" else ("deadlines", "commands")
    check_keys(d, ("format", "at", "config", *body), "snapshot")
    for key in ("at", "config", *body):
        if key not in d:
            raise ConfigError(f"missing key {key!r}", "snapshot")
    at = None if d["at"] is None else decode_instant(d["at"], "snapshot.at")
    config = d["config"]
    if config is None:
        # Every csflow that wrote /2 or /3 wrote the config's fingerprint: only /1 (above)
        # is read without one.  A null here would skip the config check.
        raise ConfigError(
            f"expected the config fingerprint {fmt} snapshots carry, got null", "snapshot.config"
        )
    c = mapping(config, "snapshot.config")
    check_keys(c, ("version", "hash", "parts"), "snapshot.config")
    if type(c.get("version")) is not int or not isinstance(c.get("hash"), str):
        raise ConfigError(f"expected a config fingerprint, got {show(c)}", "snapshot.config")
    parts = mapping(c.get("parts"), "snapshot.config.parts")
    for k, v in parts.items():
        if not isinstance(v, str):
            raise ConfigError(f"expected a hash, got {show(v)}", f"snapshot.config.parts.{k}")
    deadlines: dict[str, dict[str, datetime | None]] = {}
    if fmt == "csflow.desk/3":
        return {"format": fmt, "at": at, "config": config, "state": d["state"]}
    for tid, clocks in mapping(d["deadlines"], "snapshot.deadlines").items():
        where = join_path("snapshot.deadlines", tid)
        deadlines[tid] = {}
        for metric, due in mapping(clocks, where).items():
            w = join_path(where, metric)
            deadlines[tid][metric] = None if due is None else decode_instant(due, w)
    return {
        "format": fmt,
        "at": at,
        "config": config,
        "deadlines": deadlines,
        "commands": d["commands"],
    }


def replay(desk: DeskHost, commands: object) -> None:
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
        "transfer",
        "escalate",
        "resolve",
        "approve_goodwill",
        "decline_goodwill",
        "set_sla_policy",
    }
)
_ONE_ARG: Final = frozenset(
    {"forget", "remove_agent", "customer_message", "request_callback", "abandon", "reopen", "close"}
)


def _replay_one(desk: DeskHost, cmd: object, path: str) -> None:
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
    elif name == "record_feedback":
        arity(3)
        if len(args[1]) != 1 or not "0" <= args[1] <= "9":
            raise ConfigError(f"expected a rating digit, got {show(args[1])}", path)
        desk.record_feedback(args[0], int(args[1]), args[2], at=at)
    elif name == "grant_goodwill":
        arity(4)
        desk.grant_goodwill(args[0], args[1], args[2], args[3], at=at)
    elif name in _TWO_ARGS:
        arity(2)
        getattr(desk, name)(args[0], args[1], at=at)
    elif name in _ONE_ARG:
        arity(1)
        getattr(desk, name)(args[0], at=at)
    else:
        raise ConfigError(f"unknown command {show(name)} with {len(args)} arguments", path)
