"""verify_plan: a contact still waiting when the run ends counts against the service level."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from csflow.staffing import staffing_plan
from csflow.staffing.verify import verify_plan

START = datetime(2026, 3, 19, 9, tzinfo=UTC)
HALF = timedelta(minutes=30)
DESK = {"tiers": [{"name": "regular", "rank": 0}]}
PLAN = staffing_plan(
    [(START, HALF, 40), (START + HALF, HALF, 60)],
    timedelta(minutes=3),
    timedelta(seconds=20),
    0.8,
)


def test_contacts_never_answered_count_as_missed() -> None:
    # Half the traffic is email, which no agent takes and nobody abandons: it waits out the
    # day the agents stay on after the interval, never answered.
    half_email = {
        "arrivals": {"channels": {"phone": 1, "email": 1}},
        "agents": [{"name": "a", "capacity": {"phone": 1}}],
        "handle_time": {"default": {"exponential": 180}},
    }
    with ThreadPoolExecutor(2) as pool:
        verified = verify_plan(PLAN, DESK, half_email, seeds=(1, 2), max_steps=2, executor=pool)
    for i in verified.intervals:
        # At most the share that is not email (about a half) was answered at all.
        assert i.service_level.mean < 0.8, i
        assert i.erlang_service_level.mean < 0.8, i
        assert not i.met, i
