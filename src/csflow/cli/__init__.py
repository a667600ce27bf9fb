"""The csflow command line (``python -m csflow`` or ``csflow``), a package because it grew:

* ``__init__`` -- the parser, the dispatch and the one-line errors (this module);
* ``documents`` -- config files (JSON, TOML, YAML) and their checks; event and arrival
  files, read line by line;
* ``durations`` -- ``6m``, ``6min``, ``PT6M``, ``360s``;
* ``schema`` -- the JSON Schema of a config file;
* ``commands`` -- ``simulate``, ``staff``, ``lint``, ``schema``; ``demo`` -- the demo;
* ``replay`` -- a host's snapshot and journal: the events and the state;
* ``report`` -- ``report``: the interval report of a desk's events;
* ``history`` -- ``forecast``: a day's forecast from arrival history, as ``staff`` reads it;
* ``planning`` -- ``staff --verify`` and ``staff --roster``;
* ``runs`` -- simulations in this process or on a local process pool, their tables;
* ``output`` -- ``--format table|json|csv``; ``progress`` -- the progress line on stderr;
* ``pictures`` -- ``--plot`` and ``--report``;
* ``plain`` -- the values in a library message as files write them (ISO 8601, not reprs).

This package is the only part of csflow that prints, reads and writes files, and reads a
clock (for the progress line).  ``csflow.__main__`` delegates to :func:`main`.

Every bad input is one line on stderr, ``csflow: error: <field>: <what was expected>``, exit
status 2, checked before any long run starts; ``--debug`` shows the traceback instead.  A
field of the config file ends the line with the file (``(in 'day.yaml')``); values in the
message are written as files write them (ISO 8601, not Python reprs: ``plain``).  So is an
output that cannot be written after the work (a full disk): stdout, or ``--plot`` and
``--report`` (whose command prints its tables first).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sys
import traceback
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn

from csflow.cli.durations import EXPECTED, parse_human_duration
from csflow.cli.output import FORMATS, printable
from csflow.cli.plain import plain_values
from csflow.errors import ConfigError, CsflowError
from csflow.sim import PEAK_DAYS

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["main"]


class _Defaults(argparse.HelpFormatter):
    """Each option's help with its default, once: ``(default: ...)`` is added only when the
    help does not state the default itself and there is one to show (not ``None``, and not
    for a flag such as ``--verify``, which is off unless given)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help
        if (
            text is None
            or "(default" in text
            or action.nargs == 0
            or action.default is None
            or action.default is argparse.SUPPRESS
        ):
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """Usage mistakes on one line, naming the option and pointing at ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        """As argparse's, but a ``--help`` or ``--version`` that cannot be written to stdout
        (``csflow --help > /dev/full``) is not passed over in silence with exit status 0:
        the error reaches :func:`main`, which reports it as any output it cannot write."""
        if not message:
            return
        stdout = sys.stdout
        if file is None or file is not stdout:
            super()._print_message(message, file)  # stderr: nowhere else to say it
            return
        sys.stdout.write(message)
        sys.stdout.flush()


def _duration(value: str, *, zero: bool = False) -> float:
    try:
        return parse_human_duration(value, "", zero=zero).total_seconds()
    except ConfigError as exc:
        if value.strip().startswith("-") or _NUMBER.fullmatch(value.strip()) or _is_zero(value):
            # A bare number that failed is zero (or below), as is "0s" or "PT0S" that failed:
            # the message says what the option takes, zero or not.
            what = "a duration >= 0" if zero else "a positive duration"
            raise argparse.ArgumentTypeError(
                f"expected {what} {EXPECTED.removeprefix('a duration ')}, got {value!r}"
            ) from None
        raise argparse.ArgumentTypeError(exc.detail) from None


def _is_zero(value: str) -> bool:
    """Whether *value* is a duration of zero (``0s``, ``0m``, ``PT0S``)."""
    try:
        return parse_human_duration(value, "", zero=True).total_seconds() == 0
    except ConfigError:
        return False


def _duration_or_zero(value: str) -> float:
    """A duration that may be zero (``--target 0s``: answered at once)."""
    return _duration(value, zero=True)


#: The options whose value may start with ``-``: a duration (``--aht -6m``) or seeds
#: (``--seeds -1,1``) is read as the option's value and refused with the value's message,
#: not taken for an unknown option.
_DURATION_OPTIONS: Final = (
    "--aht",
    "--target",
    "--asa",
    "--patience",
    "--interval",
    "--span",
    "--short-abandon",
)
_NEGATIVE_OPTIONS: Final = (*_DURATION_OPTIONS, "--seed", "--seeds")
_NUMBER: Final = re.compile(r"[+-]?\d+(?:\.\d*)?|[+-]?\.\d+", re.ASCII)
_NEGATIVE: Final = re.compile(r"-(?:\d|\.\d|P)", re.ASCII | re.IGNORECASE)


def _joined_durations(argv: Sequence[str]) -> list[str]:
    """*argv* with ``--aht -6m`` written ``--aht=-6m`` (and ``--seeds -1,1``
    ``--seeds=-1,1``): argparse takes any word that starts with ``-`` (other than a plain
    negative number) for an option, and would report a missing value instead of the bad
    duration or seed."""
    out: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            out.append(word)
            out.extend(words)
            break
        if word in _NEGATIVE_OPTIONS:
            value = next(words, None)
            if value is not None and _NEGATIVE.match(value):
                out.append(f"{word}={value}")
                continue
            out.append(word)
            if value is not None:
                out.append(value)
            continue
        out.append(word)
    return out


def _seed(value: str) -> int:
    """A seed: an integer >= 0, as the config file's ``seed`` (``random.Random(-s)`` is the
    same stream as ``random.Random(s)``: seed -2 would repeat the run of seed 2)."""
    try:
        seed = int(value)
    except ValueError:
        seed = -1
    if seed < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value!r}")
    return seed


def _seeds(value: str) -> list[int]:
    """Seeds ``1,2,3``: integers >= 0 (see :func:`_seed`)."""
    try:
        seeds = [int(v) for v in value.split(",")]
    except ValueError:
        seeds = [-1]
    if any(s < 0 for s in seeds):
        raise argparse.ArgumentTypeError(f"expected seeds >= 0 such as 1,2,3, got {value!r}")
    return seeds


def _version() -> str:
    try:
        return metadata.version("csflow")
    except metadata.PackageNotFoundError:
        return "unknown"


#: The help of a CONFIG argument: every suffix ``load_document`` reads.
_CONFIG_FILE: Final = "a .json, .toml or .yaml (.yml) config file"


def _common(p: argparse.ArgumentParser, default_format: str = "table") -> None:
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=default_format,
        help="output format (default: %(default)s)",
    )


def _pictures(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw service level, queue length and occupancy over time, as PNG, SVG or PDF "
        "by the file's suffix (needs csflow[plot])",
    )
    p.add_argument(
        "--report",
        metavar="FILE.html",
        help="write one self-contained HTML page: plot, tables, config (needs csflow[plot])",
    )


def _parser() -> argparse.ArgumentParser:
    fmt = _Defaults
    parser = _Parser(
        prog="csflow",
        description="Simulate and staff a customer-service desk from a config file "
        "(JSON, TOML or YAML; see `csflow schema`).",
    )
    parser.add_argument("--version", action="version", version=f"csflow {_version()}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    demo = sub.add_parser(
        "demo", help="an Indonesian e-commerce desk through the Lebaran peak", formatter_class=fmt
    )
    demo.add_argument(
        "--seed", type=_seed, default=1, metavar="N", help="the seed of the run (>= 0)"
    )
    demo.add_argument(
        "--peak", choices=sorted(PEAK_DAYS), default="lebaran", help="the peak-day multiplier"
    )
    _pictures(demo)
    _common(demo)

    sim = sub.add_parser("simulate", help="simulate the desk of a config file", formatter_class=fmt)
    sim.add_argument("config", metavar="CONFIG", help=_CONFIG_FILE)
    seeds = sim.add_mutually_exclusive_group()
    seeds.add_argument(
        "--seed",
        type=_seed,
        metavar="N",
        help="the first seed, >= 0 (default: the file's seed, else 0)",
    )
    seeds.add_argument(
        "--seeds", type=_seeds, metavar="N,N,...", help="run these seeds (each >= 0)"
    )
    sim.add_argument(
        "--replications",
        type=int,
        metavar="R",
        help="runs per configuration, seeds N, N+1, ...; not with --seeds "
        "(default: the file's, else 1)",
    )
    sim.add_argument(
        "--sweep",
        metavar="PARAM=V1,V2,...",
        help="run once per value, e.g. simulation.agents[0].count=20,25,30 (default: the file's sweep)",
    )
    sim.add_argument(
        "--jobs",
        type=int,
        metavar="J",
        help="processes of the local pool, >= 1 (default: one per CPU, at most one per run)",
    )
    _pictures(sim)
    _common(sim)

    staff = sub.add_parser(
        "staff",
        help="Erlang C / Erlang A staffing: one interval or a day plan",
        formatter_class=fmt,
    )
    staff.add_argument(
        "config",
        nargs="?",
        metavar="CONFIG",
        help="a config file with a staffing section (flags override it)",
    )
    staff.add_argument("--load", type=float, metavar="ERLANGS", help="offered load of one interval")
    staff.add_argument(
        "--rate",
        type=float,
        metavar="PER_HOUR",
        help="arrivals per hour of one interval (instead of --load)",
    )
    staff.add_argument(
        "--forecast",
        metavar="FILE.csv",
        help="a day plan from rows start,arrivals[,duration] (default: staffing.forecast, "
        "else the arrival profile of the file's simulation)",
    )
    staff.add_argument(
        "--aht",
        type=_duration,
        metavar="DURATION",
        help="average handle time (default: staffing.aht, else 6m)",
    )
    staff.add_argument(
        "--target",
        type=_duration_or_zero,
        metavar="DURATION",
        help="answer-time target (default: staffing.target, else 20s)",
    )
    staff.add_argument(
        "--level",
        type=float,
        metavar="FRACTION",
        help="service level wanted, 0-1 (default: staffing.level, else 0.8)",
    )
    staff.add_argument(
        "--asa",
        type=_duration_or_zero,
        metavar="DURATION",
        help="one interval: the fewest agents whose Erlang C average speed of answer is at "
        "most DURATION; with --target or --level too, the larger of both head counts; a day "
        "plan: every interval also meets --level (not with --patience or --verify)",
    )
    staff.add_argument(
        "--patience",
        type=_duration,
        metavar="DURATION",
        help="mean patience: Erlang A instead of C (default: staffing.patience, else none: "
        "Erlang C)",
    )
    staff.add_argument(
        "--agents",
        type=int,
        metavar="N",
        help="evaluate this many agents, >= 1, on one interval (default: the fewest that meet "
        "--level)",
    )
    staff.add_argument(
        "--shrinkage",
        type=float,
        metavar="FRACTION",
        help="time lost to breaks, training, absence (default: staffing.shrinkage, else 0)",
    )
    staff.add_argument(
        "--max-occupancy",
        type=float,
        metavar="FRACTION",
        help="highest occupancy allowed, 0-1 (0.85 is usual): at least load / FRACTION agents "
        "(default: staffing.max_occupancy, else no cap)",
    )
    staff.add_argument(
        "--peak",
        metavar="NAME|FACTOR",
        help="peak-day factor on the load or the forecast: a number, a factor written x2.5, "
        f"or {', '.join(PEAK_DAYS)} "
        "(default: staffing.peak, else the simulation's peak for a plan from its arrival "
        "profile, else 1)",
    )
    staff.add_argument(
        "--interval",
        type=_duration,
        metavar="DURATION",
        help="length of a forecast row (default: staffing.interval, else 30m)",
    )
    staff.add_argument(
        "--day", metavar="YYYY-MM-DD", help="the day of HH:MM forecast rows (default: staffing.day)"
    )
    staff.add_argument(
        "--timezone",
        metavar="ZONE",
        help="the IANA time zone of HH:MM forecast rows, and the clock of shift windows for "
        "--roster (default: staffing.timezone)",
    )
    staff.add_argument(
        "--verify",
        action="store_true",
        help="simulate each interval on the config file's desk and correct its agents "
        "(targets in staffing.verify)",
    )
    staff.add_argument(
        "--roster",
        action="store_true",
        help="the least-cost shifts from staffing.shifts that cover the plan (the verified "
        "plan with --verify)",
    )
    staff.add_argument(
        "--seeds",
        type=_seeds,
        metavar="N,N,...",
        help="--verify: one run per seed for every candidate (default: staffing.verify.seeds, "
        "else 1,2,3)",
    )
    staff.add_argument(
        "--span",
        type=_duration,
        metavar="DURATION",
        help="--verify: how long each interval's steady state is simulated "
        "(default: staffing.verify.span, else the interval)",
    )
    staff.add_argument(
        "--jobs",
        type=int,
        metavar="J",
        help="--verify: processes of the local pool (default: one per CPU, at most one per run of a round)",
    )
    _common(staff)

    lint = sub.add_parser(
        "lint", help="check a config file: every finding with its path", formatter_class=fmt
    )
    lint.add_argument("config", metavar="CONFIG", help=_CONFIG_FILE)
    _common(lint)

    rep = sub.add_parser(
        "replay",
        help="a desk from a host's snapshot and journal: the journal's events and the state",
        formatter_class=fmt,
    )
    rep.add_argument("config", metavar="CONFIG", help="the config file whose desk section it runs")
    rep.add_argument(
        "--snapshot", required=True, metavar="SNAPSHOT.json", help="what Desk.snapshot() returned"
    )
    rep.add_argument(
        "--journal",
        metavar="JOURNAL.jsonl",
        help="the commands since the snapshot: one to_dict() per line, or a JSON array",
    )
    _common(rep)

    report = sub.add_parser(
        "report",
        help="an interval report of a desk's events: offered, answered, SL, ASA, AHT per interval",
        formatter_class=fmt,
    )
    report.add_argument(
        "events",
        metavar="EVENTS",
        help="the desk's events: one to_dict() per line (JSON Lines), or a JSON array",
    )
    report.add_argument(
        "--interval",
        type=_duration,
        default=1800.0,
        metavar="DURATION",
        help="length of an interval: at least 1m, dividing a day (default: 30m)",
    )
    report.add_argument(
        "--zone",
        "--timezone",
        default="UTC",
        metavar="ZONE",
        help="the IANA time zone of the desk's local day, e.g. Asia/Jakarta",
    )
    report.add_argument(
        "--target",
        type=_duration_or_zero,
        default=20.0,
        metavar="DURATION",
        help="answer-time target of the service level; 0s: answered at once (default: 20s)",
    )
    report.add_argument(
        "--short-abandon",
        type=_duration_or_zero,
        metavar="DURATION",
        help="abandons after a shorter wait are short abandons, left out of the service level "
        "and the abandonment rate (default: none)",
    )
    report.add_argument(
        "--until",
        metavar="INSTANT",
        help="when the observation ends, ISO 8601 with an offset: handling still open is cut "
        "there (default: the latest event)",
    )
    _common(report)

    forecast = sub.add_parser(
        "forecast",
        help="a day's forecast from arrival history: the CSV that staff --forecast reads",
        formatter_class=fmt,
    )
    forecast.add_argument(
        "arrivals",
        metavar="ARRIVALS",
        help="past arrivals: CSV of ISO 8601 instants (header created_at or at optional), "
        "or a desk's events, one to_dict() per line (JSON Lines) or a JSON array (an "
        "arrival is a ticket's first TicketQueued)",
    )
    forecast.add_argument("--day", required=True, metavar="YYYY-MM-DD", help="the day to forecast")
    forecast.add_argument(
        "--zone",
        "--timezone",
        required=True,
        metavar="ZONE",
        help="the IANA time zone of the days and intervals, e.g. Asia/Jakarta",
    )
    forecast.add_argument(
        "--interval",
        type=_duration,
        default=1800.0,
        metavar="DURATION",
        help="length of an interval: at least 1m, dividing a day (default: 30m)",
    )
    forecast.add_argument(
        "--lookback",
        type=int,
        metavar="N",
        help="how many past days to average, 1-366 (default: 4)",
    )
    forecast.add_argument(
        "--daily",
        action="store_true",
        help="average the N days before --day (default: the same weekday of the N weeks before)",
    )
    forecast.add_argument(
        "--exclude",
        action="append",
        metavar="YYYY-MM-DD,...",
        help="past days to leave out (an outage, a past peak), each replaced by one further "
        "back; may be given more than once",
    )
    forecast.add_argument(
        "--days",
        action="append",
        metavar="YYYY-MM-DD,...",
        help="the past days to average, chosen instead of --lookback, --daily and --exclude "
        "(the same day of a moving feast in past years, e.g. Lebaran); may be given more "
        "than once",
    )
    _common(forecast, "csv")

    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of config files (or, with --events, of the events)",
        formatter_class=fmt,
    )
    schema.add_argument(
        "--events",
        action="store_true",
        help="the schema of the events a desk returns, as their to_dict() writes them "
        "(for consumers of the events on the wire)",
    )
    _common(schema, "json")
    return parser


def _run(args: argparse.Namespace) -> tuple[str, int]:
    from csflow.cli import commands, demo

    if args.command == "demo":
        from csflow.cli.commands import check_pictures

        check_pictures(args)
        return demo.demo(args), 0
    if args.command == "simulate":
        return commands.simulate(args), 0
    if args.command == "staff":
        return commands.staff(args), 0
    if args.command == "lint":
        return commands.lint(args)
    if args.command == "replay":
        from csflow.cli.replay import replay

        return replay(args), 0
    if args.command == "report":
        from csflow.cli.report import report

        return report(args), 0
    if args.command == "forecast":
        from csflow.cli.history import forecast

        return forecast(args), 0
    return commands.print_schema(args), 0


#: The exit status of a defect in csflow (an exception that is not a CsflowError):
#: EX_SOFTWARE of sysexits.h, distinct from lint's 1 (an error finding) and a bad input's 2.
INTERNAL_ERROR = 70

# The exit status of a process that wrote to a pipe nobody reads any more (128 + SIGPIPE), as
# a shell reports ``yes | head -1``'s ``yes``; 130 (128 + SIGINT) is an interrupt.
_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the csflow command line and return the exit status.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 1 when ``lint`` finds an error, 2 on a bad input or an output that
        cannot be written -- stdout on a full disk, say -- (one line on stderr), 70 on an
        internal error (a defect in csflow: please report it), 130 when interrupted, 141
        when the reader of stdout went away (``csflow ... | head -1``; nothing is printed
        then).
    """
    try:
        try:
            return _main(argv)
        finally:
            # Output still buffered is written here, not at exit, where a closed pipe would
            # be reported as an ignored exception.
            if sys.stdout is None:  # started with stdout closed (>&-): nothing was printed
                raise OSError(errno.EBADF, "stdout is closed")
            sys.stdout.flush()
    except BrokenPipeError:
        # The Python docs' way (signal, "Note on SIGPIPE"): stdout to devnull, so that the
        # flush at exit does not fail again, and exit quietly.
        _stdout_to_devnull()
        return _BROKEN_PIPE
    except OSError as exc:
        # stdout cannot be written (``> /dev/full``, a full disk, a file past its size
        # limit): a bad output, as an unwritable --plot is -- one line, status 2.  What
        # is still buffered goes nowhere, so that the flush at exit does not fail again.
        _stdout_to_devnull()
        reason = exc.strerror or " ".join(str(exc).split())
        with contextlib.suppress(OSError):
            print(f"csflow: error: stdout: cannot write: {reason}", file=sys.stderr)
        return 2


def _stdout_to_devnull() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a file (main in a program)
        pass


def _located(exc: CsflowError, args: argparse.Namespace) -> str:
    """*exc* as one line; a bad field of the config file the command read ends with the file
    (``desk.queues[2].name: expected ..., got 7 (in 'desk.yaml')``), whether the file's reader
    or the command refused it.  The fields of the other files a command reads (events, a
    snapshot, a journal, a forecast) are named with their file already, as options are by
    their flag."""
    config = getattr(args, "config", None)
    if isinstance(exc, ConfigError) and config:
        from csflow.cli.documents import in_document

        if in_document(exc):
            return f"{exc} (in {str(Path(config))!r})"
    return str(exc)


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(_joined_durations(sys.argv[1:] if argv is None else argv))
    try:
        text, status = _run(args)
    except CsflowError as exc:
        if args.debug:
            traceback.print_exc()
        # A file written after the work that could not be written: the work is printed.
        output = getattr(exc, "output", "")
        if output:
            print(output)
            sys.stdout.flush()  # before the error, as a terminal shows them
        message = printable(" ".join(plain_values(_located(exc, args)).split()))
        print(f"csflow: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("csflow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # main's: the reader went away, nothing to report
    except Exception as exc:
        if args.debug:
            raise
        message = printable(" ".join(f"{type(exc).__name__}: {exc}".split()))
        print(
            f"csflow: internal error: {message} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR
    if text:
        print(text)
    return status
