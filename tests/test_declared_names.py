"""Declared names: a desk refuses a ticket or agent naming a channel, tier, language, skill or
team its configuration does not declare, and ``lint`` finds ticket shapes nobody can take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import (
    AgentProfile,
    ConfigError,
    Customer,
    Desk,
    DeskConfig,
    Ticket,
    Tier,
    UndeclaredNameError,
    lint,
)
from csflow.desk.names import COMMON_CHANNELS, OPEN
from csflow.lowlevel import CapacityRules

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLD = Tier("gold", 3)
REGULAR = Tier("regular", 0)


def _config(**kw: Any) -> DeskConfig:
    doc: dict[str, Any] = {
        "tiers": [{"name": "gold", "rank": 3}, {"name": "regular", "rank": 0}],
        "channels": ["chat", "email", "phone"],
        "languages": ["en", "id"],
        "skills": ["billing", "refunds"],
        "queues": [{"name": "general"}, {"name": "vip"}],
    }
    doc.update(kw)
    return DeskConfig.from_dict(doc)


def _ticket(
    tid: str = "t1",
    *,
    channel: str = "chat",
    tier: Tier = GOLD,
    language: str | None = "en",
    skills: tuple[str, ...] = (),
) -> Ticket:
    return Ticket(tid, Customer("c1", tier), channel, T0, language=language, required_skills=skills)


def _desk(config: DeskConfig | None = None) -> Desk:
    desk = Desk(config or _config())
    desk.add_agent(
        AgentProfile("ana", skills={"billing": 3}, languages={"en"}, capacity={"chat": 2}),
        at=T0,
        presence="available",
    )
    return desk


# -- worked examples: what is refused, with which message and path ---------------------------


@pytest.mark.parametrize(
    ("ticket", "path", "message"),
    [
        (
            _ticket(channel="whatsap"),
            "ticket.channel",
            r"^ticket\.channel: undeclared channel 'whatsap'; declared: \['chat', 'email', "
            r"'phone'\] \(DeskConfig\.channels; or 'open' to accept any\)$",
        ),
        (_ticket(channel="fax"), "ticket.channel", r"undeclared channel 'fax'"),
        (
            _ticket(tier=Tier("platinum", 4)),
            "ticket.customer.tier",
            r"^ticket\.customer\.tier: undeclared tier 'platinum'; declared: \['gold', "
            r"'regular'\] \(DeskConfig\.tiers; define none to accept any\)$",
        ),
        (
            _ticket(tier=Tier("gold", 1)),
            "ticket.customer.tier",
            r"^ticket\.customer\.tier: tier 'gold' has rank 1, but the declared tier has rank 3",
        ),
        (
            _ticket(language="fr"),
            "ticket.language",
            r"^ticket\.language: undeclared language 'fr'; declared: \['en', 'id'\]",
        ),
        (
            _ticket(skills=("billing", "tax")),
            "ticket.required_skills[1]",
            r"^ticket\.required_skills\[1\]: undeclared skill 'tax'; declared: "
            r"\['billing', 'refunds'\]",
        ),
    ],
)
def test_submit_refuses_an_undeclared_name_and_changes_nothing(
    ticket: Ticket, path: str, message: str
) -> None:
    desk = _desk()
    before = desk.snapshot()
    with pytest.raises(UndeclaredNameError, match=message) as info:
        desk.submit(ticket, at=T0)
    assert info.value.path == path
    assert isinstance(info.value, ConfigError)
    assert desk.snapshot() == before
    assert list(desk.tickets()) == []


def test_the_customer_language_is_checked_too() -> None:
    desk = _desk()
    t = Ticket("t1", Customer("c1", GOLD, language="fr"), "chat", T0, language="en")
    with pytest.raises(UndeclaredNameError, match=r"^ticket\.customer\.language: .*'fr'"):
        desk.submit(t, at=T0)


def test_declared_names_are_accepted() -> None:
    desk = _desk()
    events = desk.submit(_ticket(skills=("billing",)), at=T0)
    assert [type(e).__name__ for e in events] == ["TicketQueued", "TicketAssigned"]


def test_the_defaults_keep_a_config_that_declares_nothing_working() -> None:
    config = DeskConfig()
    assert config.channels == COMMON_CHANNELS
    assert config.languages is None
    assert config.skills is None
    desk = Desk(config)
    # Any tier, language and skill; each of the five common channels.
    for i, channel in enumerate(sorted(COMMON_CHANNELS)):
        t = Ticket(
            f"t{i}", Customer("c", Tier("x", 9)), channel, T0, language="xx", required_skills=["y"]
        )
        assert desk.submit(t, at=T0)
    with pytest.raises(UndeclaredNameError, match=r"undeclared channel 'fax'"):
        desk.submit(Ticket("f", Customer("c", REGULAR), "fax", T0), at=T0)


def test_open_sets_accept_any_name() -> None:
    config = _config(channels=OPEN, languages="open", skills="open", tiers=[])
    assert (config.channels, config.languages, config.skills) == (None, None, None)
    desk = Desk(config)
    t = Ticket("t", Customer("c", Tier("x")), "fax", T0, language="fr", required_skills=["z"])
    assert desk.submit(t, at=T0)


def test_a_channel_the_capacity_rules_name_is_declared() -> None:
    config = DeskConfig(capacity=CapacityRules(weights={"video": 2}, limits={"sms": 1}))
    assert config.channels == COMMON_CHANNELS | {"video", "sms"}
    # Not "exclusive", which names "phone" by default.
    assert DeskConfig(channels=["chat"]).channels == frozenset({"chat"})


def test_add_agent_refuses_undeclared_names() -> None:
    config = _config(teams={"finance": {"queue": "general"}})
    cases = [
        (AgentProfile("a", capacity={"fax": 1}), r"^profile\.capacity: undeclared channel 'fax'"),
        (AgentProfile("a", languages={"fr"}), r"^profile\.languages: undeclared language 'fr'"),
        (AgentProfile("a", skills={"tax": 2}), r"^profile\.skills: undeclared skill 'tax'"),
        (
            AgentProfile("a", teams={"sales"}),
            r"^profile\.teams: undeclared team 'sales'; declared: \['finance'\]",
        ),
    ]
    for profile, message in cases:
        desk = Desk(config)
        before = desk.snapshot()
        with pytest.raises(UndeclaredNameError, match=message):
            desk.add_agent(profile, at=T0)
        assert desk.snapshot() == before
        assert list(desk.agents()) == []
    desk = Desk(config)
    ok = AgentProfile(
        "a", capacity={"chat": 1}, languages={"id"}, skills={"refunds": 1}, teams={"finance"}
    )
    assert desk.add_agent(ok, at=T0)


@pytest.mark.parametrize(
    ("doc", "path", "message"),
    [
        ({"channels": "some"}, "channels", r"must be 'open' or a collection of names, got 'some'"),
        ({"skills": ["Billing"]}, "skills[0]", r"name must be a lowercase name"),
        ({"languages": 5}, "languages", r"got 5"),
        (
            {"skills": ["billing"], "triage": [{"name": "r", "then": {"skills": ["tax"]}}]},
            "triage[0].then.skills",
            r"undeclared skill 'tax'; declared: \['billing'\]",
        ),
    ],
)
def test_bad_declarations_are_config_errors_with_paths(
    doc: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        DeskConfig.from_dict(doc)
    assert info.value.path == path


def test_check_ticket_is_the_same_check_the_desk_makes() -> None:
    config = _config()
    config.check_ticket(_ticket())
    with pytest.raises(UndeclaredNameError, match="'fax'"):
        config.check_ticket(_ticket(channel="fax"))


# -- the law: declared names are accepted, an undeclared one is refused and changes nothing ----

_CHANNELS = ["chat", "email", "phone"]
_LANGS = ["en", "id"]
_SKILLS = ["billing", "refunds"]
_TIERS = [GOLD, REGULAR]


@st.composite
def _tickets(draw: st.DrawFn, *, bad: bool) -> Ticket:
    fields: dict[str, Any] = {
        "channel": draw(st.sampled_from(_CHANNELS)),
        "tier": draw(st.sampled_from(_TIERS)),
        "language": draw(st.sampled_from([None, *_LANGS])),
        "skills": tuple(draw(st.lists(st.sampled_from(_SKILLS), unique=True, max_size=2))),
    }
    if bad:
        which = draw(st.sampled_from(["channel", "tier", "language", "skills"]))
        if which == "channel":
            fields["channel"] = draw(st.sampled_from(["whatsap", "fax", "sms", "whatsapp"]))
        elif which == "tier":
            fields["tier"] = draw(st.sampled_from([Tier("platinum", 4), Tier("gold", 2)]))
        elif which == "language":
            fields["language"] = draw(st.sampled_from(["fr", "ja"]))
        else:
            fields["skills"] = (*fields["skills"], draw(st.sampled_from(["tax", "legal"])))
    tid = draw(st.sampled_from(["t1", "t2", "t3"]))
    return _ticket(tid, **fields)


@settings(max_examples=60)
@given(
    good=st.lists(_tickets(bad=False), max_size=3, unique_by=lambda t: t.id),
    bad=_tickets(bad=True),
    step=st.integers(0, 3),
)
def test_declared_names_pass_and_an_undeclared_one_changes_nothing(
    good: list[Ticket], bad: Ticket, step: int
) -> None:
    desk = _desk()
    at = T0
    for t in good:
        at += timedelta(seconds=step)
        assert desk.submit(t, at=at)  # accepted: at least TicketQueued
        assert t.id in set(desk.tickets())
    before = desk.snapshot()
    wake = desk.next_wakeup()
    with pytest.raises(UndeclaredNameError):
        desk.submit(bad, at=at + timedelta(seconds=step))
    assert desk.snapshot() == before
    assert desk.next_wakeup() == wake
    assert sorted(desk.tickets()) == sorted(t.id for t in good)


def test_lint_is_quiet_on_names_everyone_can_serve() -> None:
    config = _config(skills="open", languages=["en"], channels=["chat"], queues=[{"name": "q"}])
    agents = [AgentProfile("a", languages={"en"}, capacity={"chat": 1})]
    assert [f for f in lint(config, agents=agents) if "no agent" in f.message] == []


# -- lint: the ticket shapes no agent could ever take -----------------------------------------

_SHAPE_DOC: dict[str, Any] = {
    "channels": ["chat", "phone"],
    "languages": ["en"],
    "skills": ["billing"],
    "queues": [{"name": "q"}],
}
_STAFF = [
    AgentProfile("ana", skills={"billing": 2}, languages={"en"}, capacity={"chat": 2}),
    AgentProfile("budi", capacity={"phone": 1}),
]


def _shape_findings(config: DeskConfig, agents: list[AgentProfile]) -> list[tuple[str, str]]:
    return [
        (f.path, f.message) for f in lint(config, agents=agents) if f.message.startswith("no agent")
    ]


def test_lint_reports_every_shape_no_agent_could_take() -> None:
    config = DeskConfig.from_dict(_SHAPE_DOC)
    assert _shape_findings(config, _STAFF) == [
        ("queues[0]", "no agent could ever take a ticket on channel 'phone' in language 'en' "
         "in queue 'q'"),
        ("skills.billing", "no agent could ever take a ticket on channel 'phone' needing "
         "billing>=1 in queue 'q'"),
        ("skills.billing", "no agent could ever take a ticket on channel 'phone' in language "
         "'en' needing billing>=1 in queue 'q'"),
    ]  # fmt: skip
    assert all(f.severity == "warning" for f in lint(config, agents=_STAFF))
    assert _shape_findings(config, []) == []  # no agents given: nothing to check


def test_lint_counts_relaxation_and_triage_skills() -> None:
    relaxed = {
        **_SHAPE_DOC,
        "queues": [
            {"name": "q", "relaxation": [{"after": 60, "any_language": True, "drop": ["billing"]}]}
        ],
    }
    assert _shape_findings(DeskConfig.from_dict(relaxed), _STAFF) == []
    ruled = {**_SHAPE_DOC, "triage": [{"name": "vip", "then": {"skills": {"billing": 3}}}]}
    found = _shape_findings(DeskConfig.from_dict(ruled), _STAFF)
    assert (
        "triage.rules[0].then.skills",
        "no agent could ever take a ticket on channel 'chat' needing billing>=3 in queue 'q'",
    ) in found
    # A relaxation step that lowers the proficiency to 2 brings the rule's tickets to "ana".
    for level, reached in ((2, True), (3, False)):
        lowered = {
            **ruled,
            "queues": [{"name": "q", "relaxation": [{"after": 60, "proficiency": level}]}],
        }
        found = _shape_findings(DeskConfig.from_dict(lowered), _STAFF)
        chat = (
            "triage.rules[0].then.skills",
            "no agent could ever take a ticket on channel 'chat' needing billing>=3 in queue 'q'",
        )
        assert (chat in found) is not reached


def test_lint_names_what_nobody_serves_at_its_path() -> None:
    doc = {
        **_SHAPE_DOC,
        "channels": ["chat", "phone", "fax"],
        "languages": ["en", "fr"],
        "skills": ["billing", "tax"],
        "queues": [{"name": "q"}, {"name": "vip"}],
        "routing_profiles": [
            {"name": "all", "queues": ["q"]},
            {"name": "vip", "queues": ["vip"]},
        ],
        "teams": {"gold": {"queue": "vip", "routing_profile": "vip"}},
    }
    found = dict(_shape_findings(DeskConfig.from_dict(doc), _STAFF))
    assert found["channels.fax"] == "no agent serves channel 'fax'"
    assert found["languages.fr"] == "no agent speaks language 'fr'"
    assert found["skills.tax"] == "no agent has skill 'tax'"
    assert found["queues[1]"] == "no agent is routed to queue 'vip'"
    # The agents' queues follow their teams' routing profiles, as Desk.add_agent chooses.
    gold = AgentProfile("citra", languages={"en"}, capacity={"chat": 1}, teams={"gold"})
    again = _shape_findings(DeskConfig.from_dict(doc), [*_STAFF, gold])
    assert ("queues[1]", "no agent is routed to queue 'vip'") not in again
    assert (
        "queues[1]",
        "no agent could ever take a ticket on channel 'phone' in queue 'vip'",
    ) in again


@settings(max_examples=40)
@given(
    caps=st.lists(
        st.tuples(
            st.sets(st.sampled_from(["chat", "phone"]), max_size=2),
            st.sets(st.sampled_from(["en", "id"]), max_size=2),
            st.dictionaries(st.sampled_from(["billing", "refunds"]), st.integers(1, 5), max_size=2),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_a_shape_lint_calls_unserved_is_refused_by_every_agent_and_vice_versa(
    caps: list[tuple[set[str], set[str], dict[str, int]]],
) -> None:
    # The law behind the findings: for a one-queue desk, a reported shape is one the router
    # would never assign (checked against the desk itself), and an unreported one is served.
    config = _config(channels=["chat", "phone"], queues=[{"name": "q"}], tiers=[])
    agents = [
        AgentProfile(f"a{i}", capacity=dict.fromkeys(ch, 1), languages=ln, skills=sk)
        for i, (ch, ln, sk) in enumerate(caps)
    ]
    found = {m for _, m in _shape_findings(config, agents)}
    for channel in ("chat", "phone"):
        for language in (None, "en", "id"):
            for skills in ((), ("billing",), ("refunds",)):
                desk = Desk(config)
                for a in agents:
                    desk.add_agent(a, at=T0, presence="available")
                events = desk.submit(
                    _ticket(channel=channel, tier=REGULAR, language=language, skills=skills),
                    at=T0,
                )
                taken = any(type(e).__name__ == "TicketAssigned" for e in events)
                described = (
                    "no agent could ever take a ticket "
                    + " ".join(
                        [f"on channel {channel!r}"]
                        + ([f"in language {language!r}"] if language else [])
                        + ([f"needing {skills[0]}>=1"] if skills else [])
                    )
                    + " in queue 'q'"
                )
                nobody = any(
                    m in found
                    for m in (
                        f"no agent serves channel {channel!r}",
                        f"no agent speaks language {language!r}",
                        *(f"no agent has skill {s!r}" for s in skills),
                    )
                )
                assert taken != (described in found or nobody), (channel, language, skills)
