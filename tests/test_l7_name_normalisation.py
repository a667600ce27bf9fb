"""A team, agent or queue name that differs from a known one only in Unicode normalisation
(``"Te\\u0301cnico"``, NFD, for the desk's ``"T\\u00e9cnico"``, NFC) prints exactly like it:
the desk's refusal says so, naming the known name and both forms.  It still refuses: ids are
the strings the host gave, and the desk does not normalise them."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import AgentProfile, ConfigError, Customer, Desk, DeskConfig, Ticket, Tier
from csflow.events import SlaEscalated
from csflow.policies import Escalation, PolicyContext, PolicyResult

T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
TECNICO = "T\u00e9cnico"  # NFC
TECNICO_NFD = "Te\u0301cnico"
JOSE = "Jos\u00e9"
JOSE_NFD = "Jose\u0301"
HINT = "only in Unicode normalisation"


def desk_with(teams: tuple[str, ...]) -> Desk:
    desk = Desk(
        DeskConfig.from_dict(
            {
                "queues": [{"name": t} for t in teams],
                "routing_profiles": [{"name": t, "queues": [t]} for t in teams],
                "teams": {t: {"queue": t, "routing_profile": t} for t in teams},
                "escalation": {
                    "teams": list(teams),
                    "entry": ["front"],
                    "edges": {"front": [t for t in teams if t != "front"]},
                },
            }
        )
    )
    desk.add_agent(
        AgentProfile(JOSE, capacity={"chat": 1}, teams={"front"}), at=T0, presence="busy"
    )
    desk.submit(Ticket("T-1", Customer("ayu", Tier("regular", 1)), "chat", T0), at=T0)
    return desk


def refusal(desk: Desk, command: str, to: str) -> str:
    before = desk.snapshot()
    run = desk.escalate if command == "escalate" else desk.transfer
    with pytest.raises(ConfigError) as caught:
        run("T-1", to, at=T0 + timedelta(minutes=1))
    assert desk.snapshot() == before  # refused: nothing changed
    return str(caught.value)


def test_escalate_to_a_team_written_in_nfd() -> None:
    desk = desk_with(("front", TECNICO))
    assert refusal(desk, "escalate", TECNICO_NFD) == (
        f"unknown team {TECNICO_NFD!r}; known: {sorted(('front', TECNICO))!r}; "
        f"differs from team {TECNICO!r} only in Unicode normalisation (NFD vs NFC)"
    )


def test_transfer_to_a_team_or_an_agent_written_in_nfd() -> None:
    desk = desk_with(("front", TECNICO))
    assert refusal(desk, "transfer", TECNICO_NFD).endswith(
        f"; differs from team {TECNICO!r} only in Unicode normalisation (NFD vs NFC)"
    )
    assert refusal(desk, "transfer", JOSE_NFD).endswith(
        f"; differs from agent {JOSE!r} only in Unicode normalisation (NFD vs NFC)"
    )


def test_a_team_named_in_nfd_refuses_its_nfc_spelling_too() -> None:
    desk = desk_with(("front", TECNICO_NFD))
    assert refusal(desk, "escalate", TECNICO).endswith(
        f"; differs from team {TECNICO_NFD!r} only in Unicode normalisation (NFC vs NFD)"
    )


def test_an_unrelated_unknown_name_gets_no_such_hint() -> None:
    desk = desk_with(("front", TECNICO))
    assert HINT not in refusal(desk, "escalate", "tecnico")
    assert HINT not in refusal(desk, "transfer", "Jose")


def test_an_escalation_rule_queue_in_nfd_is_skipped_with_the_hint() -> None:
    def policy(ctx: PolicyContext) -> PolicyResult[Escalation]:
        return PolicyResult(Escalation(queue=TECNICO_NFD), "move")

    config = DeskConfig.from_dict(
        {
            "calendars": {"24x7": {"timezone": "UTC", "always_open": True}},
            "sla_policies": [
                {"name": "std", "calendar": "24x7", "targets": {"first_response": "PT10M"}}
            ],
            "default_sla_policy": "std",
            "queues": [{"name": "front"}, {"name": TECNICO}],
        }
    )
    desk = Desk(attrs.evolve(config, escalation_policy=policy))
    desk.submit(Ticket("T-1", Customer("ayu", Tier("regular", 1)), "chat", T0), at=T0)
    late = [e for e in desk.advance(at=T0 + timedelta(minutes=15)) if isinstance(e, SlaEscalated)]
    assert late
    assert all(len(e.skipped) == 1 for e in late)
    assert (
        late[0]
        .skipped[0]
        .endswith(f"; differs from queue {TECNICO!r} only in Unicode normalisation (NFD vs NFC)")
    )
    assert desk.ticket("T-1").queue == "front"


def forms(name: str) -> str:
    if unicodedata.is_normalized("NFC", name):
        return "NFC"
    return "NFD" if unicodedata.is_normalized("NFD", name) else "neither NFC nor NFD"


# Letters, precomposed letters and combining marks: many spellings of few names.
PIECES = st.sampled_from(["e", "\u00e9", "\u0301", "c", "\u00e7", "\u0327", "o", "\u00f1", "n"])
NAMES = st.lists(PIECES, min_size=1, max_size=4).map("".join)


@settings(max_examples=60, deadline=None)
@given(NAMES, st.data())
def test_the_hint_is_given_exactly_when_the_names_read_alike(
    team: str, data: st.DataObject
) -> None:
    # Another spelling of the team's name (NFC, NFD) or any name at all.
    spellings = [unicodedata.normalize(form, team) for form in ("NFC", "NFD")]
    asked = data.draw(st.one_of(st.sampled_from(spellings), NAMES), label="asked")
    desk = desk_with(("front", team)) if team != "front" else desk_with(("front",))
    if asked in desk.config.teams:
        return  # a known team: no refusal to read
    message = refusal(desk, "escalate", asked)
    alike = unicodedata.normalize("NFC", asked) == unicodedata.normalize("NFC", team)
    if alike:
        assert message.endswith(
            f"; differs from team {team!r} only in Unicode normalisation "
            f"({forms(asked)} vs {forms(team)})"
        )
    else:
        assert HINT not in message
