"""A sweep whose run fails cancels the runs it has not started: their results would be thrown
away with the error."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pytest

from csflow.errors import ConfigError
from csflow.sim import Scenario, mmc_scenario, run_scenario
from csflow.sweep import run_sweep
from desks import FRONT_FIN_TECH, THREE_TEAMS

# A desk whose triage picks the queue, so that where tickets wait is only known during the
# run, and whose escalation graph lets the front line escalate to "fin" only: the desk
# refuses the first escalation mid-run.
_DESK: dict[str, Any] = THREE_TEAMS | {
    "escalation": FRONT_FIN_TECH,
    "triage": [
        {"name": "all", "when": {"field": "channel", "eq": "chat"}, "then": {"queue": "front"}}
    ],
}
_REFUSED: dict[str, Any] = {
    "start": "2026-03-16T00:00:00+07:00",
    "duration": "PT1H",
    "arrivals": {"rates": [["00:00", 60]], "channels": {"chat": 1}},
    "escalations": [{"category": "general", "team": "tech", "probability": 1.0}],
    "agents": [
        {"name": "front", "count": 2, "capacity": {"chat": 1}, "teams": ["front"]},
        {"name": "tech", "count": 1, "capacity": {"chat": 1}, "teams": ["tech"]},
        {"name": "fin", "count": 1, "capacity": {"chat": 1}, "teams": ["fin"]},
    ],
}


class _FirstNow(Executor):
    """Runs the first call at once; keeps every later one waiting (a busy cluster)."""

    def __init__(self) -> None:
        self.waiting: list[Future[Any]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        if self.waiting or getattr(self, "ran", False):
            self.waiting.append(future)
            return future
        self.ran = True
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to the caller, as a pool does
            future.set_exception(exc)
        return future


def test_a_failed_run_cancels_the_runs_not_started() -> None:
    failing = Scenario("refused", _DESK, _REFUSED, seed=1)
    with pytest.raises(ConfigError, match="refused to escalate"):
        run_scenario(failing)  # the refusal comes during the run, not before
    later = [mmc_scenario(3, 2.0, customers=50, seed=s) for s in range(4)]
    pool = _FirstNow()
    with pytest.raises(ConfigError) as caught:
        run_sweep([failing, *later], executor=pool)
    assert caught.value.path == "scenarios[0].simulation.escalations[0].team"
    assert len(pool.waiting) == 4
    assert all(f.cancelled() for f in pool.waiting)


def test_a_sweep_that_succeeds_cancels_nothing() -> None:
    grid = [mmc_scenario(3, 2.0, customers=50, seed=s) for s in range(3)]

    class _Now(Executor):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            future: Future[Any] = Future()
            future.set_result(fn(*args, **kwargs))
            return future

    assert run_sweep(grid, executor=_Now()) == [run_scenario(s) for s in grid]


@pytest.mark.parametrize(
    "cls", [ThreadPoolExecutor, ProcessPoolExecutor], ids=lambda c: str(c.__name__)
)
def test_an_executor_class_for_an_executor_is_refused_before_any_run(
    cls: type[ThreadPoolExecutor] | type[ProcessPoolExecutor],
) -> None:
    grid = [mmc_scenario(3, 2.0, customers=20, seed=1)]
    with pytest.raises(ConfigError, match=rf"not the class {cls.__name__}: pass an instance"):
        run_sweep(grid, executor=cls)  # type: ignore[arg-type]
    with cls(max_workers=1) as pool:  # the instance runs
        assert run_sweep(grid, executor=pool) == [run_scenario(grid[0])]


def test_an_executor_that_refuses_a_run_has_the_runs_submitted_cancelled() -> None:
    class _Shuts(Executor):
        """Keeps the first two calls waiting, then is shut down."""

        def __init__(self) -> None:
            self.waiting: list[Future[Any]] = []

        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            if len(self.waiting) == 2:
                raise RuntimeError("cannot schedule new futures after shutdown")
            future: Future[Any] = Future()
            self.waiting.append(future)
            return future

    pool = _Shuts()
    grid = [mmc_scenario(3, 2.0, customers=20, seed=s) for s in range(4)]
    with pytest.raises(RuntimeError, match="after shutdown"):
        run_sweep(grid, executor=pool)
    assert len(pool.waiting) == 2
    assert all(f.cancelled() for f in pool.waiting)
