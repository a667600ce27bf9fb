"""Call-back offers in the simulator (``SimConfig.callbacks``): laws, a worked story, and
the paths of every refusal."""

from __future__ import annotations

import copy
import csv as csv_module
import io
import json
import pathlib
import pickle
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csflow.sim.engine
from csflow import Desk, DeskConfig, Ticket
from csflow.cli.documents import load_document, set_path, sweep_value
from csflow.errors import ConfigError, UndeclaredNameError
from csflow.events import CallbackDue, Event, TicketAbandoned, TicketAssigned
from csflow.sim import (
    AgentGroup,
    Arrivals,
    CallbackOffer,
    Empirical,
    EscalationRule,
    Exponential,
    Scenario,
    SimConfig,
    SimResult,
    simulate,
)

T0 = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
_TEAMS = DeskConfig.from_dict(
    {
        "queues": [{"name": "front"}, {"name": "back"}],
        "routing_profiles": [
            {"name": "front", "queues": ["front"]},
            {"name": "back", "queues": ["back"]},
        ],
        "teams": {
            "front": {"queue": "front", "routing_profile": "front"},
            "back": {"queue": "back", "routing_profile": "back"},
        },
    }
)


class _Recording:
    """A distribution that remembers its draws, in order (each customer's first handle time
    or patience: the runs here hand no ticket over, so every draw is a first one)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.draws: list[float] = []

    def sample(self, rng: random.Random, /) -> float:
        x: float = self.inner.sample(rng)
        self.draws.append(x)
        return x

    def mean_seconds(self) -> float:
        m: float = self.inner.mean_seconds()
        return m


class _Desk(Desk):
    """A desk that remembers the customers it was given and the call-backs it made."""

    last: _Desk

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: dict[str, tuple[datetime, str, str, str]] = {}
        self.flagged: dict[str, datetime] = {}
        _Desk.last = self

    def submit(self, ticket: Ticket, *, at: datetime) -> list[Any]:
        tier = ticket.customer.tier.name
        self.arrivals[ticket.id] = (at, ticket.channel.name, tier, ticket.category)
        return super().submit(ticket, at=at)

    def request_callback(self, ticket_id: str, *, at: datetime) -> list[Any]:
        events = super().request_callback(ticket_id, at=at)
        if self.ticket(ticket_id).callback or any(
            type(e) is CallbackDue and e.ticket_id == ticket_id for e in events
        ):  # marked, or called back at once
            self.flagged[ticket_id] = at
        return events


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> type[_Desk]:
    monkeypatch.setattr(csflow.sim.engine, "Desk", _Desk)
    return _Desk


def _config(**kw: Any) -> SimConfig:
    base: dict[str, Any] = {
        "start": T0,
        "duration": timedelta(hours=1),
        "arrivals": Arrivals.constant(120, channels={"phone": 2, "chat": 1}),
        "agents": [AgentGroup("a", 3, capacity={"phone": 1, "chat": 1})],
        "handle_time": {"default": Exponential(timedelta(minutes=2))},
        "patience": {"default": Exponential(timedelta(minutes=3))},
    }
    base.update(kw)
    return SimConfig(**base)


def _run(
    config: SimConfig, seed: int, desk: DeskConfig | None = None
) -> tuple[SimResult, list[dict[str, Any]]]:
    events: list[Event] = []
    result = simulate(desk or DeskConfig(), config, seed=seed, on_event=events.append)
    return result, [e.to_dict() for e in events]


_offers = st.builds(
    CallbackOffer,
    after=st.integers(0, 240).map(lambda s: timedelta(seconds=s)),
    accept=st.floats(0, 1),
    channels=st.sampled_from([("phone",), ("chat",), ("phone", "chat"), ("chat", "phone")]),
)


# The fixture only swaps the simulator's desk class for the recording one: the same for every
# example, and each run's desk records afresh.
_with_fixture = settings(
    max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# -- laws ----------------------------------------------------------------------------------------


@settings(max_examples=25)
@given(seed=st.integers(0, 2**32), offer=_offers)
def test_an_offer_nobody_accepts_is_no_offer(seed: int, offer: CallbackOffer) -> None:
    # Escalations and a team's queue: the rehandle and routing streams are in play too, so
    # the call-back stream leaves every other stream where it was.
    agents = [
        AgentGroup("f", 3, capacity={"phone": 1, "chat": 1}, teams=("front",)),
        AgentGroup("b", 1, capacity={"phone": 1, "chat": 1}, teams=("back",)),
    ]
    rules = [EscalationRule("general", "back", 0.3)]
    base = _config(agents=agents, escalations=rules, duration=timedelta(minutes=40))
    declined = _config(
        agents=agents,
        escalations=rules,
        duration=timedelta(minutes=40),
        callbacks=CallbackOffer(offer.after, 0.0, offer.channels),
    )
    plain, plain_events = _run(base, seed, _TEAMS)
    none, none_events = _run(declined, seed, _TEAMS)
    assert none_events == plain_events
    assert none.report.to_dict() == plain.report.to_dict()
    assert none == plain  # series, counts, and callbacks == 0, wait None
    assert (none.callbacks, none.callbacks_answered, none.callback_wait) == (0, 0, None)


def test_the_call_back_stream_is_seeded_after_the_five_others() -> None:
    # "Common random numbers": the master generator seeds the arrivals, handle times,
    # patience, routing and rehandle streams in that order, then the call-back source, so
    # that the five (and every run without an offer) are what they were before it.  The
    # source gives each offered channel a stream named by the channel.
    offer = CallbackOffer(timedelta(minutes=2), 0.5, ("phone", "chat"))
    for seed in (0, 7, 2**40):
        master = random.Random(seed)
        streams = [random.Random(master.getrandbits(128)).getstate() for _ in range(5)]
        callback_seed = master.getrandbits(128)
        runs = [
            csflow.sim.engine._Run(DeskConfig(), _config(callbacks=c), seed, None)
            for c in (None, offer)
        ]
        for run in runs:
            # (The routing source's seed names one stream per escalation rule.)
            routing = random.Random(run.routing_seed)
            five = (run.rng, run.handle_rng, run.patience_rng, routing, run.rehandle_rng)
            assert [r.getstate() for r in five] == streams
        assert runs[0].offered == {}
        assert sorted(runs[1].offered) == ["chat", "phone"]
        for channel, draw in runs[1].offered.items():
            named = random.Random(f"{callback_seed}:{len(channel)}:{channel}")
            assert [draw() for _ in range(3)] == [named.random() for _ in range(3)]


@_with_fixture
@given(seed=st.integers(0, 2**32), offer=_offers, accept=st.floats(0, 1))
def test_offers_leave_the_customers_their_handle_times_and_patience(
    recorded: type[_Desk], seed: int, offer: CallbackOffer, accept: float
) -> None:
    def once(callbacks: CallbackOffer | None) -> tuple[Any, ...]:
        handle = _Recording(Exponential(timedelta(minutes=2)))
        patience = _Recording(Exponential(timedelta(minutes=3)))
        cfg = _config(
            handle_time={"default": handle}, patience={"default": patience}, callbacks=callbacks
        )
        result = simulate(DeskConfig(), cfg, seed=seed)
        return result.customers, recorded.last.arrivals, handle.draws, patience.draws

    without = once(None)
    with_offer = once(CallbackOffer(offer.after, accept, offer.channels))
    assert with_offer == without
    assert without[0] > 0


@_with_fixture
@given(seed=st.integers(0, 2**32), accept=st.floats(0.1, 0.9))
def test_who_would_accept_is_drawn_at_arrival_whatever_the_staffing(
    recorded: type[_Desk], seed: int, accept: float
) -> None:
    # An offer at once (after 0) reaches every customer not served on arrival.  Whether it
    # takes the offer is its own draw, taken at its arrival whether or not it is offered: a
    # customer offered in two runs with different staffing decides the same in both.
    offer = CallbackOffer(timedelta(0), accept, ("phone", "chat"))
    flagged, offered = [], []
    for count in (2, 3):
        agents = [AgentGroup("a", count, capacity={"phone": 1, "chat": 1})]
        _, events = _run(_config(agents=agents, callbacks=offer), seed)
        took = set(recorded.last.flagged)
        served = {e["ticket_id"] for e in events if e["type"] == "TicketAssigned"}
        at_once = {
            e["ticket_id"]
            for e in events
            if e["type"] == "TicketAssigned" and e["waited"] == 0 and e["ticket_id"] not in took
        }
        assert took <= served  # everyone called back
        flagged.append(took)
        offered.append(set(recorded.last.arrivals) - at_once)
    assert flagged[0] & offered[1] == flagged[1] & offered[0]
    assert flagged[0] & offered[1]  # not vacuous: customers offered in both runs


@_with_fixture
@given(
    seed=st.integers(0, 2**32),
    after=st.integers(0, 300).map(lambda s: timedelta(seconds=s)),
    offered=st.sampled_from([("phone",), ("chat",), ("phone", "chat")]),
)
def test_everyone_offered_accepts_so_nobody_abandons_after_the_offer(
    recorded: type[_Desk], seed: int, after: timedelta, offered: tuple[str, ...]
) -> None:
    # Short-staffed on purpose: customers wait long enough to be offered a call-back.
    cfg = _config(
        agents=[AgentGroup("a", 2, capacity={"phone": 1, "chat": 1})],
        callbacks=CallbackOffer(after, 1.0, offered),
    )
    result, events = _run(cfg, seed)
    arrivals = recorded.last.arrivals
    for e in events:
        if e["type"] == "TicketAbandoned":
            at, channel, _, _ = arrivals[e["ticket_id"]]
            if channel in offered:
                assert datetime.fromisoformat(e["at"]) - at < after
    # Every customer still waiting at the offer took it: each was flagged at `after`.
    flagged = recorded.last.flagged
    assert result.callbacks == len(flagged)
    for tid, at in flagged.items():
        assert at - arrivals[tid][0] == after
        assert arrivals[tid][1] in offered


@_with_fixture
@given(seed=st.integers(0, 2**32), offer=_offers)
def test_the_count_is_the_tickets_the_desk_marks_as_call_backs(
    recorded: type[_Desk], seed: int, offer: CallbackOffer
) -> None:
    cfg = _config(callbacks=offer)
    result, events = _run(cfg, seed)
    flagged = recorded.last.flagged
    assert result.callbacks == len(flagged)
    due = [e for e in events if e["type"] == "CallbackDue"]
    assert {e["ticket_id"] for e in due} == set(flagged)  # agents stay on: all are called
    assert result.callbacks_answered == len(due) == len(flagged)
    waits = [datetime.fromisoformat(e["at"]) - flagged[e["ticket_id"]] for e in due]
    if waits:
        mean = sum(waits, timedelta(0)) / len(waits)
        assert result.callback_wait is not None
        assert result.callback_wait == mean  # the mean to the nearest µs, not rounded down
    else:
        assert result.callback_wait is None
    # A call-back no longer abandons: none of the flagged tickets gave up.
    assert not {e["ticket_id"] for e in events if e["type"] == "TicketAbandoned"} & set(flagged)


def test_warm_up_call_backs_are_left_out_of_the_count(recorded: type[_Desk]) -> None:
    offer = CallbackOffer(timedelta(seconds=30), 1.0, ("phone", "chat"))
    cfg = _config(
        agents=[AgentGroup("a", 1, capacity={"phone": 1, "chat": 1})],
        callbacks=offer,
        # Every customer arrives in the warm-up: 60 at 120 an hour come within the hour.
        duration=timedelta(hours=2),
        max_customers=60,
        warmup=timedelta(hours=1),
    )
    result = simulate(DeskConfig(), cfg, seed=3)
    assert result.customers == 60
    assert max(a[0] for a in recorded.last.arrivals.values()) < T0 + timedelta(hours=1)
    assert recorded.last.flagged  # the desk made call-backs ...
    assert (result.callbacks, result.callbacks_answered, result.callback_wait) == (0, 0, None)


# -- a worked story ------------------------------------------------------------------------------


def _story(offer: CallbackOffer | None) -> tuple[SimResult, list[Event], dict[str, datetime]]:
    """One phone agent; two customers a second apart or so; every handling 10 minutes, every
    patience 5 minutes."""
    cfg = SimConfig(
        start=T0,
        duration=timedelta(hours=1),
        arrivals=Arrivals.constant(3600),  # a customer a second, on average
        agents=[AgentGroup("a", 1)],
        handle_time={"default": Empirical([timedelta(minutes=10)])},
        patience={"default": Empirical([timedelta(minutes=5)])},
        max_customers=2,
        callbacks=offer,
    )
    events: list[Event] = []
    result = simulate(DeskConfig(), cfg, seed=7, on_event=events.append)
    return result, events, {tid: a[0] for tid, a in _Desk.last.arrivals.items()}


def _of(events: list[Event]) -> list[TicketAssigned]:
    return [e for e in events if isinstance(e, TicketAssigned)]


def test_the_story_of_a_call_back(recorded: type[_Desk]) -> None:
    # Without an offer: T1 is served at once (10 minutes); T2 waits and hangs up after 5.
    plain, events, arrived = _story(None)
    a1, a2 = arrived["T1"], arrived["T2"]
    assert timedelta(0) < a2 - a1 < timedelta(minutes=2)  # seed 7: a second or so apart
    ((gave_up,),) = [[e for e in events if isinstance(e, TicketAbandoned)]]
    assert (gave_up.ticket_id, gave_up.at) == ("T2", a2 + timedelta(minutes=5))
    assert (plain.report.answered, plain.report.abandoned, plain.callbacks) == (1, 1, 0)

    # Offered after 2 minutes, and taken: T2 hangs up at a2 + 2 min to wait for the call,
    # no longer abandons at a2 + 5 min, and is called when the agent is free, at a1 + 10 min.
    taken, events, _ = _story(CallbackOffer(timedelta(minutes=2), 1.0))
    assert not [e for e in events if isinstance(e, TicketAbandoned)]
    second = [e for e in _of(events) if e.ticket_id == "T2"]
    assert [(e.agent_id, e.at) for e in second] == [("a-0", a1 + timedelta(minutes=10))]
    assert second[0].waited == (a1 + timedelta(minutes=10) - a2).total_seconds()
    due = [e for e in events if isinstance(e, CallbackDue)]
    assert [(e.ticket_id, e.agent_id, e.at) for e in due] == [
        ("T2", "a-0", a1 + timedelta(minutes=10))
    ]
    assert (taken.report.answered, taken.report.abandoned) == (2, 0)
    assert (taken.callbacks, taken.callbacks_answered) == (1, 1)
    assert taken.callback_wait == a1 + timedelta(minutes=10) - (a2 + timedelta(minutes=2))
    assert taken.report.average_speed_of_answer == (a1 + timedelta(minutes=10) - a2) / 2

    # Offered after 6 minutes: too late, T2 has hung up at 5; at 5 (the patience's own
    # instant) the offer comes first.
    late, events, _ = _story(CallbackOffer(timedelta(minutes=6), 1.0))
    assert (late.report.abandoned, late.callbacks) == (1, 0)
    tie, events, _ = _story(CallbackOffer(timedelta(minutes=5), 1.0))
    assert (tie.report.abandoned, tie.callbacks, tie.callbacks_answered) == (0, 1, 1)
    # Declined (accept 0): the story without an offer.
    declined, events, _ = _story(CallbackOffer(timedelta(minutes=2), 0.0))
    assert declined == plain


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "path", "match"),
    [
        ({"after": timedelta(seconds=-1)}, "after", r"must not be negative"),
        ({"after": 120}, "after", r"'after' must be a datetime.timedelta"),
        ({"after": None}, "after", r"'after' must be a datetime.timedelta"),
        ({"accept": -0.1}, "accept", r"'accept' must be a number in \[0, 1\], got -0.1"),
        ({"accept": 1.5}, "accept", r"in \[0, 1\], got 1.5"),
        ({"accept": True}, "accept", r"in \[0, 1\], got True"),
        ({"accept": float("nan")}, "accept", r"in \[0, 1\]"),
        ({"accept": "0.5"}, "accept", r"in \[0, 1\]"),
        ({"channels": []}, "channels", r"at least one channel"),
        ({"channels": "phone"}, "", r"'channels' must be a sequence of names"),
        ({"channels": [""]}, "channels[0]", r"non-empty string"),
        ({"channels": ["phone", 3]}, "", r"channels\[1\] must be a string"),
        ({"channels": ["phone", "chat", "phone"]}, "channels[2]", r"offered twice"),
    ],
)
def test_a_bad_offer_is_refused_with_its_field(
    kwargs: dict[str, Any], path: str, match: str
) -> None:
    args: dict[str, Any] = {"after": timedelta(minutes=2), "accept": 0.5, **kwargs}
    with pytest.raises(ConfigError, match=match) as info:
        CallbackOffer(**args)
    assert info.value.path == path


def test_simconfig_refuses_a_non_offer_and_a_channel_the_traffic_never_brings() -> None:
    with pytest.raises(ConfigError, match=r"'callbacks' must be a CallbackOffer or None") as e:
        _config(callbacks={"after": 120, "accept": 0.5})
    assert e.value.path == "callbacks"
    traffic = Arrivals.constant(60, channels={"chat": 1, "email": 0})
    for channels, i in ((("phone",), 0), (("chat", "email"), 1)):
        with pytest.raises(ConfigError, match=r"traffic never brings") as e:
            _config(arrivals=traffic, callbacks=CallbackOffer(timedelta(0), 1, channels))
        assert e.value.path == f"callbacks.channels[{i}]"


_SIM: dict[str, Any] = {
    "start": "2026-03-16T08:00:00+07:00",
    "duration": "PT1H",
    "arrivals": {"rates": [["00:00", 60]], "channels": {"phone": 1}},
    "agents": [{"name": "a", "count": 2}],
}


@pytest.mark.parametrize(
    ("callbacks", "path"),
    [
        ({"after": "PT2M", "accept": 0.6, "when": 1}, "simulation.callbacks"),
        ({"accept": 0.6}, "simulation.callbacks.after"),
        ({"after": "PT2M"}, "simulation.callbacks.accept"),
        ({"after": "-PT2M", "accept": 0.6}, "simulation.callbacks.after"),
        ({"after": -5, "accept": 0.6}, "simulation.callbacks.after"),
        ({"after": 120, "accept": 2}, "simulation.callbacks.accept"),
        ({"after": 120, "accept": "most"}, "simulation.callbacks.accept"),
        ({"after": 120, "accept": True}, "simulation.callbacks.accept"),
        ({"after": 120, "accept": 0.5, "channels": "phone"}, "simulation.callbacks.channels"),
        (
            {"after": 120, "accept": 0.5, "channels": ["phone", ""]},
            "simulation.callbacks.channels[1]",
        ),
        ({"after": 120, "accept": 0.5, "channels": ["chat"]}, "simulation.callbacks.channels[0]"),
        ([120, 0.5], "simulation.callbacks"),
    ],
)
def test_from_dict_names_the_bad_field(callbacks: Any, path: str) -> None:
    with pytest.raises(ConfigError) as info:
        SimConfig.from_dict({**_SIM, "callbacks": callbacks})
    assert info.value.path == path


def test_from_dict_reads_an_offer_and_null_is_none() -> None:
    sim = SimConfig.from_dict({**_SIM, "callbacks": {"after": "PT2M", "accept": 0.6}})
    assert sim.callbacks == CallbackOffer(timedelta(minutes=2), 0.6, ("phone",))
    sim = SimConfig.from_dict(
        {**_SIM, "callbacks": {"after": 0, "accept": 1, "channels": ["phone"]}}
    )
    assert sim.callbacks == CallbackOffer(timedelta(0), 1.0)
    assert SimConfig.from_dict({**_SIM, "callbacks": None}).callbacks is None
    assert SimConfig.from_dict(_SIM).callbacks is None
    assert pickle.loads(pickle.dumps(sim)) == sim


@pytest.mark.parametrize(
    ("desk", "agents", "error", "match"),
    [
        (
            {"channels": ["chat"]},
            [{"name": "a", "count": 2, "capacity": {"chat": 1}}],
            UndeclaredNameError,
            r"undeclared channel 'phone'",
        ),
        ({}, [{"name": "a", "count": 2, "capacity": {"chat": 1}}], ConfigError, r"no agent"),
        (
            {},
            [
                {"name": "a", "count": 0, "capacity": {"phone": 1}},
                {"name": "b", "count": 2, "capacity": {"chat": 1, "phone": 0}},
            ],
            ConfigError,
            r"no agent group of at least one agent has any",
        ),
        (
            {"capacity": {"limits": {"phone": 0}}},
            [{"name": "a", "count": 2, "capacity": {"chat": 1, "phone": 1}}],
            ConfigError,
            r"capacity limits allow no phone ticket",
        ),
    ],
)
def test_a_desk_that_cannot_call_back_is_refused_before_any_run(
    recorded: type[_Desk],
    desk: dict[str, Any],
    agents: list[Any],
    error: type[Exception],
    match: str,
) -> None:
    sim = {
        **_SIM,
        "arrivals": {"rates": [["00:00", 60]], "channels": {"chat": 1}},
        "agents": agents,
        "callbacks": {"after": 60, "accept": 1, "channels": ["chat"]},
    }
    with pytest.raises(error, match=match) as info:
        Scenario("s", desk, sim).configs()
    assert info.value.path == "simulation.callbacks"  # type: ignore[attr-defined]
    desk_config = DeskConfig.from_dict(desk)
    sim_config = SimConfig.from_dict(sim)
    with pytest.raises(error, match=match):
        simulate(desk_config, sim_config)
    # Without the offer the same desk runs.
    simulate(desk_config, SimConfig.from_dict({**sim, "callbacks": None}))
    assert not recorded.last.flagged


# -- the config file -----------------------------------------------------------------------------


def test_the_config_file_takes_every_duration_form_and_a_sweep_of_accept(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "c.json"
    for after, seconds in (("2m", 120), ("1h30m", 5400), ("PT2M", 120), ("90", 90), (45, 45)):
        doc = {"simulation": {**_SIM, "callbacks": {"after": after, "accept": 0.5}}}
        path.write_text(json.dumps(doc))
        _, sim = load_document(path).configs()
        assert sim is not None
        assert sim.callbacks is not None
        assert sim.callbacks.after == timedelta(seconds=seconds)
    doc = {"simulation": {**_SIM, "callbacks": {"after": "2 minuets", "accept": 0.5}}}
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError) as info:
        load_document(path)
    assert info.value.path == "simulation.callbacks.after"

    doc = {
        "simulation": {
            **_SIM,
            "patience": {"default": "3m"},
            "agents": [{"name": "a", "count": 1}],
            "callbacks": {"after": "1m", "accept": 0.5},
        }
    }
    path.write_text(json.dumps(doc))
    loaded = load_document(path)
    results = {}
    for accept in (0, 1):
        data = set_path(loaded.data, "simulation.callbacks.accept", accept)
        results[accept] = csflow.sim.run_scenario(loaded.scenario(1, data))
    assert results[0].callbacks == 0 < results[1].callbacks
    assert results[1].report.abandoned < results[0].report.abandoned
    # `after` swept in the human form reads as seconds, like every swept duration.
    data = set_path(loaded.data, "simulation.callbacks.after", sweep_value("2m"))
    assert loaded.scenario(1, data).configs()[1].callbacks == CallbackOffer(
        timedelta(minutes=2), 0.5
    )


def test_the_cli_runs_table_shows_the_offer_only_when_one_is_made(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from csflow.cli import main

    base: dict[str, Any] = {
        "desk": {"channels": ["phone"]},
        "simulation": {
            "start": "2026-03-02T08:00:00+07:00",
            "duration": "2h",
            "arrivals": {"rates": [["00:00", 100]], "channels": {"phone": 1}},
            "handle_time": {"default": "6m"},
            "patience": {"default": "4m"},
            "agents": [{"name": "a", "count": 8, "capacity": {"phone": 1}}],
        },
    }

    def runs(doc: dict[str, Any]) -> list[dict[str, str]]:
        path = tmp_path / "c.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        assert main(["simulate", str(path), "--seeds", "1,2", "--format", "csv"]) == 0
        out = capsys.readouterr().out
        table = out.split("# runs\n", 1)[1].split("\n\n", 1)[0]
        return list(csv_module.DictReader(io.StringIO(table)))

    plain = runs(base)
    assert "callbacks" not in plain[0]
    offered = copy.deepcopy(base)
    offered["simulation"]["callbacks"] = {"after": "1m", "accept": 0.6}
    rows = runs(offered)
    assert all(int(r["callbacks"]) > 0 for r in rows)
    assert all(float(r["callback_wait_s"]) >= 0 for r in rows)
    # The same callers came (common random numbers); fewer of them gave up.
    assert [r["offered"] for r in rows] == [r["offered"] for r in plain]
    assert sum(int(r["abandoned"]) for r in rows) < sum(int(r["abandoned"]) for r in plain)
