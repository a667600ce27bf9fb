"""Restoring a desk: a snapshot, then the journal's tail, under a config checked against both.

:meth:`Desk.restore <csflow.desk.Desk.restore>` runs :func:`restore_desk`:

1. the snapshot's envelope is checked (:func:`~csflow.desk.serialisation.snapshot_envelope`);
2. its config fingerprint is compared with *config*'s: a difference raises
   :class:`~csflow.errors.ConfigError` naming the changed fields, unless the host passes
   ``on_config_change`` (a list) to accept it (a ``csflow.desk/1`` snapshot has no
   fingerprint and is read without the check; a ``/2`` or ``/3`` one without its fingerprint
   is refused);
3. a state snapshot (``csflow.desk/3``) is loaded into a new desk
   (:mod:`csflow.desk.state`); an older command-log snapshot (``csflow.desk/2``, ``/1``) is
   replayed on a new desk -- that is the migration: the restored desk's next ``snapshot()`` is
   a state snapshot;
4. every journal entry is applied (each checked first: its ``at`` not before the snapshot's
   instant, nor before the entry above it);
5. under an accepted change, what it did at the snapshot's instant is reported in
   ``on_config_change``: moved deadlines, declined goodwill requests, assignments.

The rule for open clocks under a changed config (state snapshots): a change that leaves
``sla_policies`` and ``calendars`` as they were leaves every clock as it was -- what fell due
before the snapshot's instant and was not advanced over yet fires at the next
:meth:`~csflow.desk.Desk.advance`, escalations included, as it would have without the change.
When either changed, each clock keeps the business time it has used, and at the snapshot's
instant it is recalculated under the SLA policy of the same name in the new config, per the
new config's ``recalculation`` mode (:class:`~csflow.sla.RecalcMode`; ``keep_elapsed`` by
default: a first-response target edited from 15 to 30 minutes gives every open first-response
clock 15 more minutes, and a target cut below the time used breaches at once).  Every waiting
ticket is re-keyed by its queue's key in the new config (deadline-ordered queues by the new due
instants).  Triage is not run again: a kept ticket keeps the priority, queue, SLA policy,
skills and tags its triage gave it under the old rules; tickets submitted after the restore
are triaged under the new ones.  ``on_config_change`` receives a
:class:`~csflow.events.SlaDeadlineMoved` for every deadline that moved, then the SLA events the
recalculation caused (a breach a shorter target reveals, a clock whose metric lost its
target); they are reported, not acted on (no escalation runs).  A queue the change adds
starts empty, and one nothing waits in (and no ticket names) may go.  A ticket that took
more relaxation steps than its queue's plan now has stands at the plan's last step: it keeps
the requirements it was relaxed to, and no step is left for it.  A preferred-agent hold is
made one the new config could have made by the snapshot's instant: cut to that instant plus
the new config's longest hold (a shortened ``affinity`` timeout), ended when its agent no
longer serves the ticket's channel, requirements or queue or no strategy holds tickets any
more (:meth:`~csflow.routing.Router.route_loaded`) -- so that the restored desk's own
snapshots restore under the config it runs under.  A goodwill ledger the change
drops with its pending requests (another ``currency``, ``goodwill`` switched off) declines
each request, as it does a request for an amount fewer ``decimals`` cannot hold: a
:class:`~csflow.events.GoodwillDeclined` whose ``supervisor`` names the change
(``"config change: goodwill currency IDR changed to USD"``), in the ticket's history too, so
that no request waits for an answer nobody can give.  Last, work is conserved under the new
config: each waiting ticket that an agent with room can take now (a larger capacity, a
routing profile serving one more queue, a skill requirement relaxed, a hold ended) goes to
the best such agent, in service order (:meth:`~csflow.routing.Router.route_loaded`), and its
:class:`~csflow.events.TicketAssigned` (with what follows it: a call-back due, SLA events) is
reported.  So ``on_config_change`` holds, in this order and all at the snapshot's instant:
the moved deadlines, the SLA events the recalculation caused, the declined goodwill requests,
the assignments.  A config under which the state cannot stand -- a queue, a routing profile
or an SLA policy a ticket uses removed; a channel, tier, language or skill a kept ticket names,
or a channel, language, skill or team of an agent, no longer declared (what
:meth:`~csflow.desk.Desk.submit` and :meth:`~csflow.desk.Desk.add_agent` refuse) -- raises
:class:`~csflow.errors.ConfigError` naming the path
(``snapshot.state.tickets[0].ticket.customer.tier: undeclared tier 'gold'; ...``).

Under the snapshot's own config nothing is routed: a desk leaves no agent with room idle
beside a waiting ticket it could take (unless a routing timer is due, which the next
:meth:`~csflow.desk.Desk.advance` fires), so a state that does -- a skill, a capacity or a
presence edited -- is refused as tampered, at the ticket's routing state
(``snapshot.state.router.waiting[0]``).

For a command-log snapshot the rule is the one it was written under: the log is replayed under
the new config, as if it had always been in force, and each moved deadline is reported.

A restore either returns a whole desk or raises: the desk is built fresh and handed over only
when everything was read, so nothing is ever partly restored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from csflow._plain import encode_instant
from csflow._text import show
from csflow._time import instant_us, to_us
from csflow.desk.commands import Command, command_from_dict
from csflow.desk.config import DeskConfig
from csflow.desk.fingerprint import config_fingerprint, fingerprint_changes
from csflow.desk.host import DeskHost
from csflow.desk.serialisation import check_plain, replay, snapshot_envelope
from csflow.errors import ConfigError, CsflowError
from csflow.events import Event, SlaDeadlineMoved

__all__ = ["deadlines", "restore_desk"]

_D = TypeVar("_D", bound=DeskHost)


def deadlines(desk: DeskHost) -> dict[str, dict[str, str | None]]:
    """Every SLA clock's due instant (UTC ISO text, or ``None``), by ticket and metric."""
    out: dict[str, dict[str, str | None]] = {}
    for tid in desk.tickets():
        clocks = desk.clocks(tid)
        if clocks:
            out[tid] = {
                m.value: None if v.due_at is None else encode_instant(v.due_at)
                for m, v in clocks.items()
            }
    return out


def _journal(entries: object, since: Any) -> list[Command]:
    # A string or a mapping is iterable too, but as characters or keys: say what it is.
    try:
        if isinstance(entries, str | bytes | Mapping):
            raise TypeError
        items = iter(entries)  # type: ignore[call-overload]
    except TypeError:
        raise ConfigError(
            "expected an iterable of commands (command values or their to_dict forms), "
            f"got {show(entries)}",
            "journal",
        ) from None
    floor = None if since is None else to_us(since)
    out: list[Command] = []
    last = 0
    for i, entry in enumerate(items):
        path = f"journal[{i}]"
        if isinstance(entry, Command):
            cmd = entry
            try:
                # A value built normally has an aware ``at`` (its validator); one changed
                # behind attrs' back (object.__setattr__) may not.
                t = instant_us(cmd.at, "at")
            except CsflowError:
                raise ConfigError(
                    "expected a timezone-aware datetime in years 1-9999 (in UTC), "
                    f"got {show(cmd.at)}",
                    f"{path}.at",
                ) from None
        else:
            check_plain(entry, path)
            cmd = command_from_dict(entry, path)
            t = to_us(cmd.at)
        if floor is not None and t < floor:
            raise ConfigError(
                f"journal entry at {cmd.at.isoformat()} is before the snapshot's instant "
                f"{since.isoformat()}",
                f"{path}.at",
            )
        if out and t < last:
            raise ConfigError(
                f"journal entry at {cmd.at.isoformat()} is before the entry above it "
                f"({out[-1].at.isoformat()})",
                f"{path}.at",
            )
        out.append(cmd)
        last = t
    return out


def restore_desk(
    cls: Callable[[DeskConfig], _D],
    config: DeskConfig,
    snapshot: object,
    *,
    journal: Iterable[object] = (),
    on_config_change: list[Event] | None = None,
    from_state: Callable[[DeskConfig, object, Any, Sequence[str]], tuple[_D, list[Event]]]
    | None = None,
) -> _D:
    """A desk of class *cls* rebuilt from *snapshot* and *journal* under *config*.

    Args:
        cls: The desk class.
        from_state: Builds a desk from a state snapshot's ``state`` (config, state, the
            snapshot's instant, the config fields that changed): the desk and the events
            the change caused.  Without it, only command-log snapshots are read.
        config: The configuration.
        snapshot: What :meth:`Desk.snapshot` returned (or its JSON round trip).
        journal: Commands applied since the snapshot (values or their ``to_dict`` forms).
        on_config_change: ``None`` refuses a config other than the snapshot's; a list
            accepts one, and receives a :class:`~csflow.events.SlaDeadlineMoved` for every
            deadline the change moved, then the other events it caused (see the module
            docstring).

    Raises:
        ConfigError: A malformed or tampered snapshot or journal entry (with its path:
            ``journal[3].at``), a *journal* that is no iterable of commands (``journal``), an
            *on_config_change* neither ``None`` nor a list (``on_config_change``, before
            anything is read), or a changed config not accepted (naming the changed fields).
    """
    if on_config_change is not None and not isinstance(on_config_change, list):
        # Checked first: anything else (a tuple, a bool) would fail only after the restore.
        raise ConfigError(
            "on_config_change must be None (refuse a changed config) or a list (accept it "
            f"and receive what it caused), got {show(on_config_change)}",
            "on_config_change",
        )
    env = snapshot_envelope(snapshot)
    since = env["at"]
    entries = _journal(journal, since)
    if not isinstance(config, DeskConfig):
        raise ConfigError(f"config must be a DeskConfig, got {show(config)}")
    changed: list[str] = []
    if env["config"] is not None:
        changed = fingerprint_changes(env["config"], config_fingerprint(config), config)
        if changed and on_config_change is None:
            raise ConfigError(
                f"the config differs from the snapshot's in {', '.join(changed)}; pass "
                "on_config_change=[] to accept the change",
                "snapshot.config",
            )
    moved: list[Event] = []
    if "state" in env:
        if from_state is None:
            raise ConfigError(f"{show(env['format'])} needs a state reader", "snapshot.format")
        desk, moved = from_state(config, env["state"], since, tuple(changed))
    else:
        desk = cls(config)
        replay(desk, env["commands"])
        if since is not None and desk.now != since:
            raise ConfigError(
                f"the snapshot's instant {since.isoformat()} is not its last command's "
                f"({show(desk.now)})",
                "snapshot.at",
            )
        if changed:
            # Against the snapshot's own instant, before the journal moves anything on.
            _report_moves(desk, env["deadlines"], moved)
    for i, cmd in enumerate(entries):
        try:
            cmd.apply(desk)
        except CsflowError as exc:
            raise ConfigError(
                f"{type(cmd).__name__} cannot be replayed: {exc}", f"journal[{i}]"
            ) from None
    if on_config_change is not None:
        on_config_change.extend(moved)
    return desk


def _report_moves(desk: DeskHost, old: dict[str, dict[str, Any]], out: list[Event]) -> None:
    at = desk.now
    if at is None:
        return
    for tid in desk.tickets():
        before = old.get(tid, {})
        for metric, view in desk.clocks(tid).items():
            was = before.get(metric.value)
            if was != view.due_at:
                out.append(SlaDeadlineMoved(at, tid, metric.value, was, view.due_at))
