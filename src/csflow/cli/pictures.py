"""Pictures of a run: the ``--plot`` PNG and the self-contained ``--report`` HTML page.

The plot has three panels over the simulated time (the x-axis spans the simulated horizon,
in the simulation's own time zone, so a one-day run spans one day):

* SLA attainment per interval (the share of SLA cycles met among those decided then);
* tickets in line (the queue-length step function);
* agent occupancy: the occupancy each run measured per interval (the time agents spent on
  contacts over the time they were on shift, in capacity slots:
  :attr:`csflow.sim.SimResult.occupancy_series`), as a dashed line the occupancy measured over
  the whole run, and, dotted, the planned occupancy per interval (offered load in Erlangs over
  the contacts the agents on duty can hold at once: their capacity slots, as the measured
  series counts them), to compare.

The HTML page embeds the plot as a base64 PNG, the tables and the config file as written,
with no external resource: a planner can mail it.  A small script marks the page once the
browser has decoded every image (``data-images-ok``), which the browser test reads.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from csflow.cli.forecast import format_duration
from csflow.cli.output import Table
from csflow.errors import ConfigError
from csflow.routing import CapacityRules
from csflow.sim import SimConfig, SimResult

__all__ = [
    "PLOT_FORMATS",
    "REPORT_SUFFIXES",
    "check_matplotlib",
    "check_report_name",
    "plot_format",
    "plot_png",
    "report_html",
]


def check_matplotlib(option: str) -> None:
    """Refuse *option* at once when matplotlib (the ``plot`` extra) is missing.

    Raises:
        ConfigError: matplotlib is not installed.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ConfigError("needs matplotlib: pip install 'csflow[plot]'", option) from None


def _mean_aht_seconds(sim: SimConfig) -> float:
    by_channel = dict(sim.handle_time)
    mix = sim.arrivals.channels
    weight = sum(w for _, w in mix) or 1.0
    return (
        sum(w * by_channel.get(ch, by_channel["default"]).mean_seconds() for ch, w in mix) / weight
    )


def _slot_changes(sim: SimConfig, rules: CapacityRules | None) -> list[tuple[timedelta, int]]:
    """When the capacity slots of the agents on duty (on shift, not on a break) change, and
    by how much: the presence the simulator gives each agent, in the slots its occupancy is
    measured in (:meth:`~csflow.sim.scenario.AgentGroup.slots`).

    Agents of a group differ only by their break wave (agent ``i`` takes each break
    ``(i % break_waves) * break_gap`` later), so each wave is followed once: its presence
    changes applied in the simulator's order (a shift's start, its breaks, its end), the
    state after the last change at an instant counting from that instant on.
    """
    changes: list[tuple[timedelta, int]] = []
    for g in sim.agents:
        if g.count == 0:
            continue
        slots = g.slots(rules)
        breaks = any(s.breaks for s in g.shifts)
        waves = min(g.count, g.break_waves) if breaks else 1
        for w in range(waves):
            agents = len(range(w, g.count, g.break_waves)) if breaks else g.count
            lag = g.break_gap * w
            events: list[tuple[timedelta, int, bool]] = []
            for s in g.shifts:
                events.append((s.start, len(events), True))
                for b, d in s.breaks:
                    b0, b1 = b + lag, b + lag + d
                    if s.end is not None:
                        b1 = min(b1, s.end)
                    if b0 < b1:
                        events.append((b0, len(events), False))
                        events.append((b1, len(events), True))
                if s.end is not None:
                    events.append((s.end, len(events), False))
            events.sort()
            on = False
            for k, (at, _, state) in enumerate(events):
                if k + 1 < len(events) and events[k + 1][0] == at:
                    continue  # a later change at the same instant decides the state
                if state != on:
                    changes.append((at, agents * slots if state else -agents * slots))
                    on = state
    changes.sort(key=lambda c: c[0])
    return changes


def planned_occupancy(
    sim: SimConfig, rules: CapacityRules | None = None
) -> list[tuple[datetime, float | None]]:
    """Offered load over the capacity slots on duty, per interval of the simulated horizon.

    The offered load is the interval's arrival rate (times the peak factor) times the mean
    handle time over the channel mix, in Erlangs; the slots are the contacts the agents on
    duty at the interval's middle can hold at once under the desk's capacity *rules*
    (default: ``CapacityRules()``), as the measured occupancy counts them.  ``None`` where
    no agent is on duty; at most 1.5, so that an overloaded interval stays on the chart.
    """
    aht = _mean_aht_seconds(sim)
    changes = _slot_changes(sim, rules)
    out: list[tuple[datetime, float | None]] = []
    on_duty = 0
    k = 0
    t = timedelta(0)
    while t < sim.duration:
        middle = t + sim.interval / 2
        while k < len(changes) and changes[k][0] <= middle:
            on_duty += changes[k][1]
            k += 1
        load = sim.arrivals.per_hour_at(t) * sim.peak * aht / 3600
        out.append((sim.start + t, min(load / on_duty, 1.5) if on_duty > 0 else None))
        t += sim.interval
    return out


#: The picture formats ``--plot`` writes, by the file's suffix.
PLOT_FORMATS: Final = ("png", "svg", "pdf")


def plot_format(path: str, option: str = "--plot") -> str:
    """The format *path*'s suffix asks for.

    Raises:
        ConfigError: A suffix other than ``.png``, ``.svg`` or ``.pdf``.
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        raise ConfigError(
            f"expected a file name ending in .png, .svg or .pdf, got {path!r}", option
        )
    return suffix


#: The suffixes ``--report`` writes its HTML page to.
REPORT_SUFFIXES: Final = (".html", ".htm")


def check_report_name(path: str, option: str = "--report") -> None:
    """Refuse a ``--report`` file whose name does not say it is an HTML page (a page written
    into ``report.png`` opens as a broken picture).

    Raises:
        ConfigError: A suffix other than ``.html`` or ``.htm``.
    """
    if Path(path).suffix.lower() not in REPORT_SUFFIXES:
        raise ConfigError(f"expected a file name ending in .html or .htm, got {path!r}", option)


def plot_png(
    results: list[tuple[str, SimResult]],
    sim: SimConfig,
    image: str = "png",
    *,
    rules: CapacityRules | None = None,
) -> bytes:
    """The three panels for the runs given (label, result), as PNG bytes (or *image*: ``svg``,
    ``pdf``); runs with the same label (replications of a swept value) share one legend
    entry and one colour.  *rules* are the desk's capacity rules, which the planned
    occupancy counts the agents' slots under."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    zone = sim.start.tzinfo
    end = sim.start + sim.duration
    fig, (sl, queue, occ) = plt.subplots(3, 1, figsize=(10, 8), sharex=True)
    colours: dict[str, str] = {}
    for label, result in results:
        rows = [r for r in result.sla_series if r.rate is not None and r.start < end]
        first = label not in colours
        colour = colours.setdefault(label, f"C{len(colours) % 10}")
        sl.plot(
            [r.start.astimezone(zone) for r in rows],
            [100 * (r.rate or 0.0) for r in rows],
            marker=".",
            color=colour,
            label=label if first else None,
        )
        # The step function lists changes only: the line is empty from the start until the
        # first change, and holds its last length to the end of the horizon.
        q = [(sim.start, 0)] + [(at, n) for at, n in result.report.queue_length if at <= end]
        q.append((end, q[-1][1]))
        queue.step([at.astimezone(zone) for at, _ in q], [n for _, n in q], where="post")
        measured = [(at, v) for at, v in result.occupancy_series if v is not None and at < end]
        if measured:
            measured.append((end, measured[-1][1]))  # the last interval runs to the horizon
            occ.step(
                [at.astimezone(zone) for at, _ in measured],
                [100 * v for _, v in measured],
                where="post",
                color=colour,
                label=f"measured per interval ({label})" if len(results) > 1 and first else None,
            )
        if result.report.occupancy is not None:
            occ.axhline(100 * result.report.occupancy, linestyle="--", color="grey")
    planned = [(at, v) for at, v in planned_occupancy(sim, rules) if v is not None]
    if planned:
        planned.append((end, planned[-1][1]))  # the last interval runs to the horizon
    occ.step(
        [at.astimezone(zone) for at, _ in planned],
        [100 * v for _, v in planned],
        where="post",
        linestyle=":",
        color="black",
    )
    sl.set_ylabel(f"SLA met per {format_duration(sim.interval)} (%)")
    sl.set_ylim(0, 105)
    sl.set_title("Service level, queue length and agent occupancy over the simulated time")
    if 1 < len(colours) <= 8:
        sl.legend(fontsize="small")
    queue.set_ylabel("tickets in line")
    occ.set_ylabel("occupancy (%)")
    occ.legend(
        handles=[
            Line2D([], [], color="C0", label="measured per interval"),
            Line2D([], [], color="grey", linestyle="--", label="measured over the run"),
            Line2D([], [], color="black", linestyle=":", label="planned per interval"),
        ],
        fontsize="small",
    )
    occ.set_xlim(sim.start, end)
    fmt = "%H:%M" if sim.duration <= timedelta(days=1) else "%a %d %b"
    occ.xaxis.set_major_formatter(mdates.DateFormatter(fmt, tz=zone))  # type: ignore[no-untyped-call]
    occ.set_xlabel(f"simulated time ({zone})")
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=image, dpi=90)
    plt.close(fig)
    return buf.getvalue()


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in (
            [("" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)) for v in r]
            for r in t.rows
        )
    )
    return (
        f'<h2>{html.escape(t.title)}</h2>\n<table class="data" id="table-{html.escape(t.name)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table.data { border-collapse: collapse; margin-bottom: 1.5em; }
table.data td, table.data th { border: 1px solid #bbb; padding: 2px 8px; text-align: right; }
table.data th { background: #eee; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }
img { max-width: 100%; }
"""

# Marks the page once every image is decoded: the browser test reads these attributes.
_CHECK = """
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute("data-images", String(imgs.length));
  document.body.setAttribute("data-images-ok", String(ok));
  document.body.setAttribute("data-tables", String(document.querySelectorAll("table.data").length));
});
"""


def report_html(
    title: str,
    tables: list[Table],
    *,
    png: bytes | None,
    config_name: str,
    config_text: str,
    notes: list[str] | None = None,
) -> str:
    """One self-contained HTML page: the plot, the tables, the config used."""
    parts: list[Any] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>",
        f"<script>{_CHECK}</script></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for note in notes or []:
        parts.append(f"<p>{html.escape(note)}</p>")
    if png is not None:
        data = base64.b64encode(png).decode("ascii")
        parts.append(
            f'<img id="plot" alt="service level, queue length and occupancy over time" '
            f'src="data:image/png;base64,{data}">'
        )
    for t in tables:
        parts.append(_html_table(t))
    parts.append(f"<h2>Config used: {html.escape(config_name)}</h2>")
    parts.append(f'<pre id="config">{html.escape(config_text)}</pre>')
    parts.append("</body></html>")
    return "\n".join(parts)
