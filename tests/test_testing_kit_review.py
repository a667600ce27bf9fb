"""The testing kit against an acceptance review: the same draws under every hash seed, replay
refusing what is not a list of commands, story steps in ASCII digits on one line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from csflow import ConfigError, DeskConfig
from csflow.testing import Command, Story, replay

WIB = timezone(timedelta(hours=7))
_VOCABULARY = """
from csflow import DeskConfig
from csflow.testing import Vocabulary
cfg = DeskConfig.from_dict({
    "channels": ["chat", "phone", "video", "voice", "email"],
    "languages": ["id", "en", "jv", "su"],
    "skills": ["refund", "courier", "billing"],
    "capacity": {"exclusive": ["phone", "video", "voice"]},
})
v = Vocabulary.of(cfg)
print(v.channels, v.languages, v.skills, v.categories, v.presence)
"""


def test_the_vocabulary_is_the_same_under_every_hash_seed() -> None:
    # A derandomized Hypothesis run draws by position in these lists: a set's order (which
    # PYTHONHASHSEED changes) would make a CI failure draw other tickets on another machine.
    seen = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _VOCABULARY], env=env, capture_output=True, text=True, check=True
        )
        seen.add(out.stdout)
    assert len(seen) == 1, seen


@pytest.mark.parametrize("commands", ["abc", b"x", 5, {"name": "submit"}, [1], [None]])
def test_replay_refuses_what_is_not_a_list_of_commands(commands: object) -> None:
    with pytest.raises(ConfigError, match="Command"):
        replay(DeskConfig(), commands)  # type: ignore[arg-type]


def test_replay_reads_any_iterable_of_commands() -> None:
    at = datetime(2026, 3, 2, 9, tzinfo=WIB)
    events = replay(DeskConfig(), (c for c in [Command("advance", at)]))
    assert events == []


@pytest.mark.parametrize("step", ["٠٩:٣٠", "+١d 09:00", "０９:３０", "09:00\n", "Mon 09:00\n"])
def test_a_story_step_is_ascii_digits_on_one_line(step: str) -> None:
    story = Story(DeskConfig(), datetime(2026, 3, 6, tzinfo=WIB))
    with pytest.raises(ConfigError, match="expected 'HH:MM"):
        story.at(step)
    assert story.at("+1d 09:30") == datetime(2026, 3, 7, 9, 30, tzinfo=WIB)
