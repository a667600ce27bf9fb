"""The desk's contract, checked by brute force: no shortcut is shared with the engine.

:func:`check_invariants` recomputes from the desk's public views what the engine keeps in its
indexes -- where each ticket is, each agent's load, who could take waiting work -- and raises
:class:`~csflow.errors.InvariantError` when they disagree.  It reads only the public
:class:`~csflow.desk.Desk` API, so it checks any desk a host builds.

A desk state can be consistent while the way it got there was not: an assignment to an agent
who was offline, or who lacks a skill the ticket requires, leaves every count right.
:func:`check_assignment` checks each :class:`~csflow.events.TicketAssigned` a command returns
against the ticket's requirements and the agent's presence and profile.
"""

from __future__ import annotations

from decimal import Decimal

from csflow._text import show
from csflow._time import duration_us, instant_us
from csflow.desk import Desk
from csflow.errors import ConfigError, InvariantError
from csflow.events import (
    GoodwillDeclined,
    GoodwillGranted,
    GoodwillRequested,
    TicketAssigned,
    TicketClosed,
    TicketReopened,
    TicketResolved,
    TicketStatusChanged,
    TicketTransferred,
)
from csflow.model import Channel
from csflow.queues import QueuedTicket
from csflow.routing import PreferredAgent, QueueSlot, RoutingProfile

__all__ = ["InvariantError", "can_take", "check_assignment", "check_invariants"]


def can_take(desk: Desk, agent_id: str, channel: str) -> bool:
    """Whether *agent_id* has spare capacity for one more *channel* ticket now.

    Worked out from the configuration's capacity rules and the agent's public load, not from
    the router's indexes.

    Args:
        desk: The desk.
        agent_id: The agent.
        channel: A channel name.

    Returns:
        True when the capacity, exclusivity and load-budget rules all leave room.

    Raises:
        UnknownAgentError: No such agent.
    """
    status = desk.agent(agent_id)
    rules = desk.config.capacity
    cap = status.profile.capacity.get(channel, 0)
    limit = rules.limits.get(channel)
    if limit is not None:
        cap = min(cap, limit)
    if status.counts.get(channel, 0) >= cap:
        return False
    held_channels = {c for c, n in status.counts.items() if n}
    if held_channels & rules.exclusive:
        return False
    if channel in rules.exclusive and held_channels:
        return False
    return rules.budget is None or status.load + rules.weight(channel) <= rules.budget


def _serving(desk: Desk) -> dict[str, list[QueueSlot]]:
    profiles = desk.config.routing_profiles or (
        RoutingProfile("default", [QueueSlot(q) for q in desk.queue_names()]),
    )
    return {p.name: list(p.queues) for p in profiles}


def _may_have_handed_off(desk: Desk, ticket_id: str, agent_id: str) -> bool:
    """Whether *agent_id* may be the agent that handed *ticket_id* off, whom its routing does
    not prefer nor wait for (:meth:`Desk.transfer <csflow.desk.Desk.transfer>`).

    Read from the public views alone, so on the safe side: a ticket with a hand-over whose
    history the desk does not keep may have been handed off by anyone; one whose history it
    keeps, by any agent that held it or handed it over -- or by anyone, once it was pending
    or on hold (an agent may take up such a ticket whose owner left by replying to it, which
    no event names).
    """
    if desk.ticket(ticket_id).transfers == 0:
        return False
    history = desk.history(ticket_id)
    if not history:
        return True
    return any(
        (isinstance(e, TicketAssigned) and e.agent_id == agent_id)
        or (isinstance(e, TicketTransferred) and e.from_agent == agent_id)
        or (isinstance(e, TicketStatusChanged) and e.new in ("pending", "on_hold"))
        for e in history
    )


def _preferred_left_idle(
    desk: Desk, e: QueuedTicket, name: str, now_us: int, serving: dict[str, list[QueueSlot]]
) -> str | None:
    """The customer's preferred agent, when *e* is held for another agent while the preferred
    one could take it now -- else ``None``.

    Only for a chain that starts with :class:`~csflow.routing.PreferredAgent`: no ranking
    strategy before it, so the preferred agent, when it can take a ticket, always comes first
    (later in a chain, a free agent ranked better may make a hold for another agent right).
    """
    strategies = desk.config.strategies
    held_for = e.signature.agent
    if held_for is None or not strategies or not isinstance(strategies[0], PreferredAgent):
        return None
    preferred = desk.ticket(e.ticket_id).ticket.customer.preferred_agent
    if preferred is None or preferred == held_for or preferred not in set(desk.agents()):
        return None
    status = desk.agent(preferred)
    sig = e.signature.pinned(None)
    if not status.routable or not sig.admits(status.profile):
        return None
    if not can_take(desk, preferred, sig.channel):
        return None
    waited = now_us - e.queued_at_us
    if not any(s.queue == name and s.delay_us <= waited for s in serving[status.group]):
        return None
    if _may_have_handed_off(desk, e.ticket_id, preferred):
        return None
    return preferred


def check_assignment(desk: Desk, event: TicketAssigned) -> None:
    """Check that *event*'s agent could take its ticket; raise :class:`InvariantError` if not.

    Call it with each :class:`~csflow.events.TicketAssigned` a command returns, right after
    the command (the desk shows the state after it): the agent is at the desk and routable
    (an agent who is offline or away takes no new work), serves the ticket's channel (the
    phone, for a call-back), speaks the ticket's language and holds every skill it requires at
    the minimum proficiency -- as the ticket asks after triage, less what a relaxation step of
    any of the configuration's queues may drop or lower (on the safe side: every step counted,
    however long the ticket waited).  Worked out from the ticket's and the agent's public
    views, not from the router's signatures.  :class:`~csflow.testing.machine.DeskMachine`
    calls it for every assignment.

    Args:
        desk: The desk, just after the command that returned *event*.
        event: The assignment.

    Raises:
        InvariantError: Naming the ticket, the agent and what the agent lacks.
        ConfigError: *event* is not a :class:`~csflow.events.TicketAssigned`.
    """
    if not isinstance(event, TicketAssigned):
        raise ConfigError(f"must be a TicketAssigned event, got {show(event)}", "event")
    tid, aid = event.ticket_id, event.agent_id
    if aid not in set(desk.agents()):
        raise InvariantError(f"ticket {tid!r} was assigned to {aid!r}, who is not at the desk")
    status = desk.agent(aid)
    if not status.routable:
        raise InvariantError(
            f"ticket {tid!r} was assigned to {aid!r}, whose presence {status.presence!r} "
            "takes no new work"
        )
    view = desk.ticket(tid)
    ticket = view.ticket
    profile = status.profile
    channel = Channel.PHONE.name if view.callback else ticket.channel.name
    if profile.capacity.get(channel, 0) <= 0:
        raise InvariantError(
            f"ticket {tid!r} was assigned to {aid!r}, who does not serve {channel!r}"
        )
    steps = [s for q in desk.config.queues if q.relaxation for s in q.relaxation.steps]
    language = ticket.language
    if (
        language is not None
        and language not in profile.languages
        and not any(s.any_language for s in steps)
    ):
        raise InvariantError(
            f"ticket {tid!r} in {language!r} was assigned to {aid!r}, who speaks "
            f"{sorted(profile.languages)!r}"
        )
    for need in ticket.required_skills:
        if any(need.skill in s.drop for s in steps):
            continue
        floors = [s.proficiency for s in steps if s.proficiency is not None]
        least = min([need.min_proficiency, *floors])
        has = profile.skills.get(need.skill, 0)
        if has < least:
            raise InvariantError(
                f"ticket {tid!r} needs {need.skill!r} at {need.min_proficiency} or more but was "
                f"assigned to {aid!r}, who has it at {has}"
            )


def _check_goodwill(desk: Desk) -> None:
    policy = desk.config.goodwill
    if policy is None:
        return
    for budget, (spent, size) in desk.goodwill_balances().items():
        if spent > size:
            raise InvariantError(f"goodwill allowance {budget!r} spent {spent}, over {size}")
    pending = set(desk.goodwill_requests())
    known = set(desk.tickets())
    for rid in pending:
        # A request's id is "<ticket>/goodwill/<n>"; the desk forgets no ticket it waits on.
        tid = rid.rpartition("/goodwill/")[0]
        if tid not in known:
            raise InvariantError(f"goodwill request {rid!r} awaits an answer on unknown {tid!r}")
    for tid in known:
        # A history may start late (a snapshot without history restored with it), so only
        # what it shows is checked: answers to requests it holds, grants it holds.
        asked: dict[str, int] = {}
        total = Decimal(0)
        currency = policy.currency
        for e in desk.history(tid):
            if isinstance(e, GoodwillRequested):
                asked[e.request_id] = 0
            elif isinstance(e, GoodwillGranted | GoodwillDeclined):
                answered = e.request_id
                if answered is not None and answered in asked:
                    asked[answered] += 1
                    if asked[answered] > 1:
                        raise InvariantError(f"goodwill request {answered!r} answered twice")
            if isinstance(e, GoodwillGranted):
                if e.currency != currency:
                    # Another currency (an accepted config change): the ledger started afresh,
                    # and its totals (and the policy's limits) are in one currency alone.
                    currency, total = e.currency, Decimal(0)
                total += e.amount
                limit = policy.ticket_limit(e.tier) if currency == policy.currency else None
                if e.request_id is None and limit is not None and total > limit:
                    raise InvariantError(
                        f"goodwill of {e.amount} charged to {e.budget!r} brought ticket {tid!r} "
                        f"to {total}, over the {e.tier!r} limit of {limit} per ticket"
                    )
        for rid, answers in asked.items():
            if rid in pending and answers:
                raise InvariantError(f"goodwill request {rid!r} was answered but still awaits one")
            if rid not in pending and not answers:
                raise InvariantError(f"goodwill request {rid!r} was never answered but awaits none")


def _check_closes(desk: Desk) -> None:
    after = desk.config.close_solved_after
    now = desk.now
    wake = desk.next_wakeup()
    overdue_us = None
    if after is not None and now is not None and (wake is None or wake > now):
        # Every timer due by now has fired: a close that is due is one that was lost.
        overdue_us = instant_us(now, "now") - duration_us(after, "close_solved_after")
    for tid in desk.tickets():
        # A history may start late (a snapshot restored without one): "reopened" is known
        # only from a reopening it shows.
        solved: TicketResolved | None = None
        reopened = False
        for e in desk.history(tid):
            if isinstance(e, TicketResolved):
                solved, reopened = e, False
            elif isinstance(e, TicketReopened):
                solved, reopened = None, True
            elif isinstance(e, TicketClosed):
                if reopened:
                    raise InvariantError(
                        f"ticket {tid!r} closed at {e.at} after it was reopened, not solved"
                    )
                solved = None
        if (
            overdue_us is not None
            and solved is not None
            and desk.ticket(tid).state == "solved"
            and instant_us(solved.at, "at") <= overdue_us
        ):
            raise InvariantError(
                f"ticket {tid!r} solved at {solved.at} is still solved at {now}: "
                f"close_solved_after ({after}) ran out without closing it"
            )


def check_invariants(desk: Desk) -> None:
    """Check the desk's contract by brute force; raise :class:`InvariantError` if broken.

    1. Every ticket is in exactly one place: waiting in one queue (``queued``), held by its
       agent (``assigned``), owned without being held (``pending``/``on_hold``), or nowhere
       (``solved``, ``closed``, ``abandoned``).  Checked both ways: a ticket is in no two of
       the queues, the agents' ``held`` and the agents' :meth:`~csflow.desk.Desk.owned`
       (nor held or owned by two agents), and its state names the place it is in -- a
       ``pending`` or ``on_hold`` ticket is owned by its agent alone (by no one, once that
       agent left the desk), and no other ticket is owned.
    2. An agent's load is the summed weight of the tickets it holds, and it holds no more
       than the capacity rules (:class:`~csflow.routing.CapacityRules`) let it take: on no
       channel more tickets than its profile's capacity or the channel's ``limits`` entry; a
       ticket of an ``exclusive`` channel (the phone, by default) only alone; a load within
       the ``budget``.
    3. Work is conserved: unless a routing timer is already due
       (``desk.next_routing_step()`` has passed and the host has not advanced the desk: a
       relaxation step, an overflow delay or a preferred-agent hold may be what keeps work
       waiting), no routable agent with room for a waiting ticket's channel is eligible for it
       and served its queue.  A ticket held for one agent (a preferred-agent hold) counts as
       eligible for that agent alone -- and, when the desk's strategy chain starts with
       ``preferred_agent``, for the customer's preferred agent too: a hold for the last agent
       never keeps a ticket from a preferred agent who could take it now (one that may have
       handed the ticket off is excused: it is not waited for, see
       :meth:`Desk.transfer <csflow.desk.Desk.transfer>`).
    4. Goodwill keeps its limits (:mod:`csflow.desk.goodwill`): no allowance has spent more
       than its size in the current period; every request awaiting a supervisor is on a
       ticket the desk knows; and, in each ticket's history, a request is answered (approved
       or declined) at most once and awaits an answer exactly when it has none, and a grant
       charged to an allowance (not a supervisor's approval) brought the ticket's total, all
       grants and approvals before it counted, to no more than its tier's limit per ticket
       (in the policy's currency: a grant in another currency, from before an accepted
       config change, starts the total afresh and is held to no limit of this policy).
    5. A solved ticket closes by itself under ``close_solved_after``
       (:class:`~csflow.desk.DeskConfig`), and only a solved one closes: in each ticket's
       history, a :class:`~csflow.events.TicketClosed` follows a resolution with no
       reopening between; and, unless a timer is already due that the host has not advanced
       past, no ticket is still ``solved`` once its last resolution there is
       ``close_solved_after`` old.  (A desk restored under a config with a shorter window
       than its snapshot's keeps the snapshot's close instants: check it once they passed.)

    Args:
        desk: The desk to check.

    Raises:
        InvariantError: Naming the first broken promise.
        ConfigError: *desk* is not a :class:`~csflow.desk.Desk` (nor a view that answers
            its queries).
    """
    if not callable(getattr(desk, "queue_names", None)):
        # (A view that answers the desk's queries, a wrapper, is checked as a desk.)
        raise ConfigError(f"must be a Desk, got {show(desk)}", "desk")
    waiting: dict[str, str] = {}
    for name in desk.queue_names():
        for e in desk.queue(name):
            if e.ticket_id in waiting:
                raise InvariantError(f"ticket {e.ticket_id!r} waits in two queues")
            waiting[e.ticket_id] = name
    holders: dict[str, str] = {}
    owners: dict[str, str] = {}
    for aid in desk.agents():
        for tid in desk.agent(aid).held:
            if tid in holders:
                raise InvariantError(f"ticket {tid!r} held by {holders[tid]!r} and {aid!r}")
            holders[tid] = aid
        for tid in desk.owned(aid):
            if tid in owners:
                raise InvariantError(f"ticket {tid!r} owned by {owners[tid]!r} and {aid!r}")
            owners[tid] = aid
    # Invariant 1 both ways: each ticket in at most one place (below), and each ticket's state
    # names the place it is in (the loop after).
    for tid, aid in holders.items():
        if tid in waiting:
            raise InvariantError(f"ticket {tid!r} waits in {waiting[tid]!r} and is held by {aid!r}")
    for tid, aid in owners.items():
        if tid in waiting:
            raise InvariantError(
                f"ticket {tid!r} waits in {waiting[tid]!r} and is owned by {aid!r}"
            )
        if tid in holders:
            raise InvariantError(
                f"ticket {tid!r} is held by {holders[tid]!r} and owned, not held, by {aid!r}"
            )
    places = {"queued": "waiting", "assigned": "held", "pending": "owned", "on_hold": "owned"}
    for tid in desk.tickets():
        v = desk.ticket(tid)
        where = "nowhere"
        if tid in waiting:
            where = "waiting"
        elif tid in holders:
            where = "held"
        elif tid in owners:
            where = "owned"
        expected = places.get(v.state, "nowhere")
        if where != expected and not (expected == "owned" and where == "nowhere"):
            raise InvariantError(f"ticket {tid!r} is {v.state} but {where}")
        if v.state == "queued" and waiting[tid] != v.queue:
            raise InvariantError(f"ticket {tid!r} waits in {waiting[tid]!r}, not {v.queue!r}")
        if v.state == "assigned" and holders[tid] != v.agent_id:
            raise InvariantError(f"ticket {tid!r} held by {holders[tid]!r}, not {v.agent_id!r}")
        if expected == "owned":
            # Owned by its agent -- or by no one, once that agent left the desk.
            owner = v.agent_id
            if owners.get(tid) != owner:
                raise InvariantError(
                    f"ticket {tid!r} is {v.state} with owner {owner!r} but owned by "
                    f"{owners.get(tid)!r}"
                )
    unknown = (set(waiting) | set(holders) | set(owners)) - set(desk.tickets())
    if unknown:
        raise InvariantError(f"tickets {sorted(unknown)!r} are in line, held or owned but unknown")
    rules = desk.config.capacity
    for aid in desk.agents():
        status = desk.agent(aid)
        counts: dict[str, int] = {}
        for tid in status.held:
            tv = desk.ticket(tid)
            c = Channel.PHONE.name if tv.callback else tv.ticket.channel.name
            counts[c] = counts.get(c, 0) + 1
        if {c: n for c, n in status.counts.items() if n} != counts:
            raise InvariantError(f"agent {aid!r} counts {dict(status.counts)!r}, holds {counts!r}")
        load = sum(rules.weight(c) * n for c, n in counts.items())
        if status.load != load:
            raise InvariantError(f"agent {aid!r} load {status.load} != summed weights {load}")
        for c, n in counts.items():
            cap = status.profile.capacity.get(c, 0)
            if n > cap:
                raise InvariantError(f"agent {aid!r} holds {n} {c!r} tickets, capacity {cap}")
            limit = rules.limits.get(c)
            if limit is not None and n > limit:
                raise InvariantError(
                    f"agent {aid!r} holds {n} {c!r} tickets, over the channel's limit {limit}"
                )
        exclusive = sorted(set(counts) & rules.exclusive)
        if exclusive and sum(counts.values()) > 1:
            raise InvariantError(
                f"agent {aid!r} holds {counts!r}: a ticket of exclusive channel "
                f"{exclusive[0]!r} must be held alone"
            )
        if rules.budget is not None and load > rules.budget:
            raise InvariantError(f"agent {aid!r} load {load} over budget {rules.budget}")
    _check_goodwill(desk)
    _check_closes(desk)
    now = desk.now
    # A routing timer the host has not advanced past may be what keeps work waiting (a
    # relaxation step, an overflow delay, a preferred-agent hold); SLA and survey timers never
    # change who may take a ticket, so they do not excuse waiting work.
    wake = desk.next_routing_step()
    if now is None or (wake is not None and wake <= now):
        return
    now_us = instant_us(now, "now")
    serving = _serving(desk)
    for name in desk.queue_names():
        for e in desk.queue(name):
            sig = e.signature
            preferred = _preferred_left_idle(desk, e, name, now_us, serving)
            if preferred is not None:
                raise InvariantError(
                    f"work not conserved: agent {preferred!r}, the customer's preferred agent, "
                    f"could take waiting ticket {e.ticket_id!r}, held for {sig.agent!r} "
                    f"({sig}) in queue {name!r}"
                )
            for aid in desk.agents():
                status = desk.agent(aid)
                if not status.routable or (sig.agent is not None and sig.agent != aid):
                    continue
                if not sig.admits(status.profile) or not can_take(desk, aid, sig.channel):
                    continue
                waited = now_us - e.queued_at_us
                if any(s.queue == name and s.delay_us <= waited for s in serving[status.group]):
                    raise InvariantError(
                        f"work not conserved: agent {aid!r} could take waiting ticket "
                        f"{e.ticket_id!r} ({sig}) from queue {name!r}"
                    )
