"""``csflow demo``: the built-in Indonesian e-commerce desk through the pre-Lebaran peak day.

Prints SLA deadlines across the Lebaran closing, the simulated day's report, a staffing
recommendation and one standard across every agent -- a small team's morning, per agent, and
the agents outside the team's band (the ``table`` format keeps this text; ``json`` and
``csv`` give the tables, and ``json`` the run's full ``report`` too, as ``simulate`` does).
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
from datetime import datetime, timedelta

from csflow.calendar import BusinessCalendar
from csflow.cli.output import render
from csflow.cli.runs import WriteError, finish_pictures, run_tables, simulate_runs
from csflow.desk import Desk, DeskConfig
from csflow.events import Event, TicketAssigned
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.people import consistency, people_report
from csflow.samples import TIERS, demo_desk_data, demo_simulation_data, jakarta_office_calendar
from csflow.sim import Scenario, SimConfig, SimResult
from csflow.staffing import ForecastInterval, staffing_plan

__all__ = ["demo"]

# Business-time targets of the sample desk, per tier: (first response, resolution).
_TARGETS: dict[str, tuple[timedelta, timedelta]] = {
    "platinum": (timedelta(hours=1), timedelta(hours=8)),
    "gold": (timedelta(hours=2), timedelta(hours=16)),
    "silver": (timedelta(hours=4), timedelta(hours=24)),
    "regular": (timedelta(hours=8), timedelta(hours=40)),
}


def _fmt(at: datetime) -> str:
    return at.strftime("%a %d %b %H:%M")


def _deadlines(out: list[str]) -> None:
    office = jakarta_office_calendar()
    wib = office.zone
    around_lebaran = [
        datetime(2026, 3, 17, 15, 30, tzinfo=wib),
        datetime(2026, 3, 19, 10, 0, tzinfo=wib),
        datetime(2026, 3, 25, 11, 45, tzinfo=wib),
    ]
    out.append("SLA deadlines on the Jakarta office calendar (Mon-Fri 08-12, 13-17; Sat 08-12),")
    out.append("across the Lebaran 2026 closing:")
    for d, name in office.holidays.items():
        if d.month == 3:
            out.append(f"  closed {d:%a %d %b}: {name}")
    out.append("")
    header = f"{'tier':<9} {'created':<16} {'first response due':<20} {'resolution due':<20}"
    out.append(header)
    out.append("-" * len(header))
    for tier in TIERS:
        first, resolution = _TARGETS[tier]
        for created in around_lebaran:
            out.append(
                f"{tier:<9} {_fmt(created):<16} {_fmt(office.add(created, first)):<20} "
                f"{_fmt(office.add(created, resolution)):<20}"
            )
    chat = BusinessCalendar.always_open("Asia/Jakarta")
    created = around_lebaran[1]
    out.append("")
    out.append(
        "A platinum WhatsApp chat on the 24/7 calendar, created "
        f"{_fmt(created)}: first reply due {chat.add(created, timedelta(minutes=1)):%H:%M}."
    )


def _sla_lines(result: SimResult, sim: SimConfig, out: list[str]) -> None:
    zone = sim.start.tzinfo
    end = sim.start + sim.duration
    out.append("")
    out.append(f"SLA attainment per {sim.interval} (local time):")
    late = [0, 0]
    for row in result.sla_series:
        if row.start >= end:
            # Tickets still in line after the last arrival decide their clocks later.
            late[0] += row.met
            late[1] += row.breached
            continue
        rate = "   n/a" if row.rate is None else f"{row.rate:6.1%}"
        bar = "" if row.rate is None else "#" * round(row.rate * 20)
        out.append(
            f"  {row.start.astimezone(zone):%a %H:%M}  {rate}  {row.met:>5} met "
            f"{row.breached:>4} breached  {bar}"
        )
    if late[0] or late[1]:
        out.append(f"  after the day: {late[0]} met, {late[1]} breached")


def _recommendation(sim: SimConfig, out: list[str]) -> None:
    """Erlang A staffing per 30 minutes from the day's forecast (agent-equivalents)."""
    step = timedelta(minutes=30)
    per_contact = [d.mean_seconds() for _, d in sim.handle_time]
    aht = timedelta(seconds=sum(per_contact) / len(per_contact))
    forecast = [
        ForecastInterval.from_rate(sim.start + k * step, step, sim.arrivals.per_hour_at(k * step))
        for k in range(48)
    ]
    plan = staffing_plan(
        forecast,
        aht,
        timedelta(seconds=60),
        0.8,
        patience=timedelta(minutes=8),
        shrinkage=0.15,
        multiplier=sim.peak,
    )
    zone = sim.start.tzinfo
    out.append("")
    out.append(
        f"Staffing recommendation (Erlang A, 80% answered within 60 s, AHT {aht}, patience "
        f"8 min, shrinkage 15%, peak x{sim.peak:g}), in agents handling one contact at a time:"
    )
    out.append(f"  {'from':<6} {'arrivals':>9} {'load':>7} {'agents':>7} {'heads':>6} {'SL':>7}")
    last: tuple[int, int] | None = None
    for row in plan.intervals:
        if row.arrivals <= 0 or (row.agents, row.scheduled_heads) == last:
            continue  # print a row where the staffing changes
        last = (row.agents, row.scheduled_heads)
        out.append(
            f"  {row.start.astimezone(zone):%H:%M}  {row.arrivals:9.0f} {row.load:7.1f} "
            f"{row.agents:7d} {row.scheduled_heads:6d} {row.service_level:7.1%}"
        )
    out.append(
        f"  peak: {plan.peak_agents} agents ({plan.peak_heads} heads); "
        f"{plan.scheduled_hours:.0f} scheduled agent-hours over the day"
    )


def _report(result: SimResult, sim: SimConfig, out: list[str]) -> None:
    out.append(
        f"{result.customers} customers, {result.commands} desk commands, "
        f"{result.events} events (seed {result.seed})"
    )
    out.append("")
    out.extend(result.report.table())
    _sla_lines(result, sim, out)


# The standards morning: each agent's minutes to a first reply (low, high) and how often the
# agent hands a chat over instead of solving it.
_TEAM: dict[str, tuple[tuple[int, int], float]] = {
    "sari": ((1, 4), 0.0),
    "dewi": ((2, 5), 0.05),
    "budi": ((12, 25), 0.05),
    "eka": ((2, 4), 0.4),
    "rina": ((1, 5), 0.0),
}


def _standards(seed: int, out: list[str]) -> None:
    """A WhatsApp team's morning on a real desk: per-agent standards and consistency."""
    start = datetime(2026, 3, 16, 8, 0, tzinfo=jakarta_office_calendar().zone)
    desk = Desk(
        DeskConfig.from_dict(
            {
                "calendars": {"24x7": {"timezone": "Asia/Jakarta", "always_open": True}},
                "sla_policies": [
                    {
                        "name": "wa",
                        "calendar": "24x7",
                        "targets": {"first_response": "PT10M", "resolution": "PT1H"},
                    }
                ],
                "default_sla_policy": "wa",
                "teams": {"cs-jakarta": {"queue": "default"}},
            }
        )
    )
    rng = random.Random(seed)
    events: list[Event] = []
    for aid in _TEAM:
        profile = AgentProfile(aid, capacity={"whatsapp": 1}, teams=["cs-jakarta"])
        events += desk.add_agent(profile, at=start, presence="available")
    gold = Tier("gold", 3)
    # A little host loop: (when, order, action, ticket, agent), earliest first.
    todo: list[tuple[datetime, int, str, str, str]] = [
        (start + timedelta(minutes=3 * k), k, "submit", f"wa-{k}", "") for k in range(60)
    ]
    order = len(todo)

    def handle(new: list[Event]) -> None:
        nonlocal order
        events.extend(new)
        for e in new:
            if isinstance(e, TicketAssigned):
                (low, high), _ = _TEAM[e.agent_id]
                order += 1
                wait = timedelta(minutes=rng.randint(low, high))
                heapq.heappush(todo, (e.at + wait, order, "reply", e.ticket_id, e.agent_id))

    heapq.heapify(todo)
    while todo:
        now, _, action, tid, agent = heapq.heappop(todo)
        handle(desk.advance(at=now))
        if action == "submit":
            k = int(tid.removeprefix("wa-"))
            handle(desk.submit(Ticket(tid, Customer(f"c{k}", gold), "whatsapp", now), at=now))
        elif action == "reply":
            handle(desk.reply(tid, agent, at=now))
            if rng.random() < _TEAM[agent][1]:
                handle(desk.transfer(tid, "cs-jakarta", at=now))
            else:
                order += 1
                heapq.heappush(todo, (now + timedelta(minutes=1), order, "resolve", tid, agent))
        else:
            waited = now - desk.ticket(tid).ticket.created_at
            handle(desk.resolve(tid, agent, at=now))
            rating = 5 if waited <= timedelta(minutes=8) else rng.choice([2, 3, 4, 5])
            handle(desk.record_feedback(tid, rating, at=now))
    report = people_report(events)
    out.append("")
    out.append("One standard across every agent: a WhatsApp team's morning (csflow.people):")
    out.extend(f"  {line}" for line in report.table())
    flags = consistency(report, teams=dict.fromkeys(_TEAM, "cs-jakarta"), band=0.5)
    out.append(
        "  Outside the team's band (median x0.5..x1.5; a rate's band reaches at least 0.05"
        " either side of the median and stays within 0..1):"
    )
    out.extend(f"    {flag}" for flag in flags)
    if not flags:
        out.append("    nobody")


def demo(args: argparse.Namespace) -> str:
    """Run the demo; return its output in ``args.format``."""
    sim_data = demo_simulation_data(args.peak)
    scenario = Scenario("demo", demo_desk_data(), sim_data, args.seed)
    _, sim = scenario.configs()
    results = simulate_runs([("demo", scenario)], sim, jobs=1)
    result = results[0][1]
    tables = run_tables(results, sim, sweep=None)
    notes, failed = finish_pictures(
        args,
        results,
        sim,
        tables,
        title="csflow demo: the pre-Lebaran rush",
        config_name="the demo desk and day (csflow.samples)",
        config_text=json.dumps({"desk": scenario.desk, "simulation": sim_data}, indent=2),
    )
    if args.format != "table":
        # As ``simulate`` does for a single run: json adds the run's full report.
        extra = {"report": result.report.to_dict()} if args.format == "json" else None
        output = render(args.format, tables, extra=extra)
        if failed is not None:
            raise WriteError(failed.detail, failed.path, output)
        return output
    out: list[str] = []
    _deadlines(out)
    out.append("")
    out.append(
        f"The desk through Mon 16 Mar 2026, the pre-Lebaran rush (peak '{args.peak}', "
        f"x{sim.peak:g}): 5 channels, 4 tiers, escalation to technical and finance"
    )
    out.append("")
    _report(result, sim, out)
    _recommendation(sim, out)
    _standards(args.seed, out)
    out.extend(f"\n{n}" for n in notes)
    if failed is not None:
        raise WriteError(failed.detail, failed.path, "\n".join(out))
    return "\n".join(out)
