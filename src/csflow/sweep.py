"""Sweeps: many simulations (policy variants × staffing levels × seeds) on any executor.

:func:`run_sweep` submits one :func:`csflow.sim.run_scenario` call per
:class:`~csflow.sim.Scenario` to a :class:`concurrent.futures.Executor` and returns the
results in the order of the scenarios.  The library starts no process or thread of its own
accord: the default executor is a local process pool that the call creates and shuts down, and
any other executor is the caller's.

Scenarios are plain data (the shapes of :meth:`csflow.DeskConfig.from_dict` and
:meth:`csflow.sim.SimConfig.from_dict`) and results are made of plain containers, so both
pickle across processes and machines.  When one machine is not enough:

* **Dask** -- ``client.get_executor()`` is a ``concurrent.futures.Executor`` over the
  cluster::

      from dask.distributed import Client
      client = Client("tcp://scheduler:8786")
      results = run_sweep(scenarios, executor=client.get_executor())

* **Ray** -- any ``concurrent.futures.Executor`` backed by Ray works: the ``RayExecutor``
  that Ray's ``concurrent.futures`` support provides (ray-project/ray#30826; check that your
  Ray release ships it), or a few lines of your own, since a Ray object reference turns into a
  ``concurrent.futures.Future`` with ``.future()``::

      import concurrent.futures, ray
      ray.init(address="auto")

      class RayPool(concurrent.futures.Executor):
          def submit(self, fn, /, *args, **kwargs):
              return ray.remote(fn).remote(*args, **kwargs).future()

      results = run_sweep(scenarios, executor=RayPool())

Every worker needs csflow installed.  Seeds make each run reproducible wherever it runs.
"""

from __future__ import annotations

import concurrent.futures
import itertools
from collections.abc import Iterable, Mapping
from typing import Final

from csflow._text import show
from csflow.errors import ConfigError
from csflow.sim import Scenario, SimResult, run_scenario

__all__ = ["run_sweep"]

#: The most scenarios :func:`run_sweep` takes in one call: 100,000.  Every scenario is checked
#: and kept before the first run; a grid past this size is split into several sweeps.  Not
#: exported: the number is the documented contract.
MAX_SWEEP_SCENARIOS: Final = 100_000


def run_sweep(
    scenarios: Iterable[Scenario],
    executor: concurrent.futures.Executor | None = None,
) -> list[SimResult]:
    """Run every scenario, in parallel on *executor*, and return the results in order.

    Args:
        scenarios: The scenarios (plain data, seeds included): a list, a tuple, a generator,
            any finite iterable of at most :data:`MAX_SWEEP_SCENARIOS` (100,000) of them, read
            once.  None at all is an empty sweep: it returns ``[]`` and starts no pool (a
            grid filtered down to nothing left to run).
        executor: Any :class:`concurrent.futures.Executor` -- a process or thread pool, a Dask
            ``client.get_executor()``, a Ray executor.  ``None`` runs a local
            :class:`~concurrent.futures.ProcessPoolExecutor` for the duration of the call.

    Returns:
        One :class:`~csflow.sim.SimResult` per scenario, in the order given (``[]`` for no
        scenario).

    Raises:
        ConfigError: *scenarios* is not an iterable of :class:`~csflow.sim.Scenario` (the
            error's path names a bad item; a mapping, such as a grid's ``{"agents": [...]}``
            or ``{}``, is refused whole: its keys are no scenarios), it gives more than
            :data:`MAX_SWEEP_SCENARIOS` (an endless iterator is refused once it gives one
            more, rather than read for ever), a scenario's data or seed is malformed (every
            scenario's configuration -- its simulation checked against its desk, such as an
            escalation to a team the desk does not have, path
            ``scenarios[i].simulation.escalations[j].team``, or a name the desk does not
            declare, an :class:`~csflow.errors.UndeclaredNameError` at a path such as
            ``scenarios[i].simulation.arrivals.tiers.vip`` -- and seed, an int ``>= 0``, are
            checked here, before any runs), or *executor* has no ``submit`` method or is an
            executor class rather than an executor (``ThreadPoolExecutor`` for
            ``ThreadPoolExecutor()``).  A run that fails (the staffing falls so far behind
            that ``MAX_SIM_OPEN`` tickets are open at once, or the desk refuses an
            escalation) raises its error when its result is read, with the scenario's path (``scenarios[i].simulation.agents``,
            ``scenarios[i].simulation.escalations[j].team``); the runs of the later scenarios
            that have not started then are cancelled (those already running finish, their
            results unread), as are the runs submitted when *executor* refuses one (its
            error, such as a shut-down pool's ``RuntimeError``, is raised as it is).

    Examples:
        >>> from concurrent.futures import ThreadPoolExecutor
        >>> from csflow.sim import mmc_scenario
        >>> grid = [mmc_scenario(c, 4.0, customers=200, seed=s) for c in (5, 6) for s in (1, 2)]
        >>> with ThreadPoolExecutor(2) as pool:
        ...     results = run_sweep(grid, executor=pool)
        >>> [r.seed for r in results]
        [1, 2, 1, 2]
    """
    given: object = scenarios
    if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable):
        raise ConfigError(
            f"'scenarios' must be an iterable of Scenario (a list), got {show(given)}"
        )
    if isinstance(executor, type):
        # The class itself has a submit method too, but no pool behind it.
        raise ConfigError(
            f"'executor' must be an executor, not the class {executor.__name__}: pass an "
            f"instance ({executor.__name__}(...)) or None"
        )
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ConfigError(
            f"'executor' must be an executor (with a submit method) or None, got {show(executor)}"
        )
    items = list(itertools.islice(scenarios, MAX_SWEEP_SCENARIOS + 1))
    if len(items) > MAX_SWEEP_SCENARIOS:
        raise ConfigError(
            f"a sweep runs at most {MAX_SWEEP_SCENARIOS:,} scenarios, got more (an endless "
            "iterable?): split the grid into several sweeps",
            "scenarios",
        )
    for i, s in enumerate(items):
        if not isinstance(s, Scenario):
            raise ConfigError(f"expected a Scenario, got {show(s)}", f"scenarios[{i}]")
        # Scenario checks its seed, but a run checks it again: check it here, before any run.
        if isinstance(s.seed, bool) or not isinstance(s.seed, int):
            raise ConfigError(f"expected an int, got {show(s.seed)}", f"scenarios[{i}].seed")
        if s.seed < 0:
            raise ConfigError(
                f"expected an int >= 0, got {s.seed} (random.Random seeds {s.seed} as {-s.seed})",
                f"scenarios[{i}].seed",
            )
        try:
            s.configs()
        except ConfigError as exc:  # (an UndeclaredNameError stays one)
            path = f"scenarios[{i}].{exc.path}" if exc.path else f"scenarios[{i}]"
            raise type(exc)(exc.detail, path) from None
    if not items:
        return []
    if executor is None:
        with concurrent.futures.ProcessPoolExecutor() as pool:
            return _run(items, pool)
    return _run(items, executor)


def _run(items: list[Scenario], executor: concurrent.futures.Executor) -> list[SimResult]:
    futures: list[concurrent.futures.Future[SimResult]] = []
    try:
        for s in items:
            futures.append(executor.submit(run_scenario, s))
    except BaseException:
        # The executor refused a run (shut down, say): the sweep fails, so the runs already
        # submitted are cancelled, as below.
        for f in futures:
            f.cancel()
        raise
    out = []
    for i, f in enumerate(futures):
        try:
            out.append(f.result())
        except BaseException as exc:
            # The sweep fails here: the runs not started yet would be thrown away, so they
            # are cancelled rather than left to run (on a cluster, for hours).
            for later in futures[i + 1 :]:
                later.cancel()
            if isinstance(exc, ConfigError):  # a run that failed: name the scenario
                path = f"scenarios[{i}].simulation.{exc.path}" if exc.path else f"scenarios[{i}]"
                raise type(exc)(exc.detail, path) from None
            raise
    return out
