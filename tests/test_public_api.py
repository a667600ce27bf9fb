"""The public namespaces: ``csflow`` and ``csflow.lowlevel`` are pinned lists, and documented."""

from __future__ import annotations

import importlib
import inspect
import pathlib
import pkgutil
import subprocess
import sys
from types import ModuleType

import csflow
import csflow.lowlevel as lowlevel

# Modules whose names are public but live in their own namespace rather than ``csflow``'s.
_OWN_NAMESPACE = {"csflow.testing", "csflow.samples", "csflow.__main__", "csflow.cli"}


def _public_modules() -> list[ModuleType]:
    mods = []
    for info in pkgutil.iter_modules(csflow.__path__, "csflow."):
        leaf = info.name.rsplit(".", 1)[1]
        if leaf.startswith("_") or info.name in _OWN_NAMESPACE:
            continue
        mods.append(importlib.import_module(info.name))
    return mods


def test_every_module_has_an_explicit_all_and_a_docstring() -> None:
    for mod in _public_modules():
        assert isinstance(getattr(mod, "__all__", None), list), mod.__name__
        assert (mod.__doc__ or "").strip(), f"{mod.__name__} has no docstring"


# The exported names, pinned: adding, moving or removing a public name is a decision that
# changes this list (and the CHANGELOG), never a side effect of adding a helper to a module.
TOP_LEVEL = {
    "AgentPresenceChanged",
    "AgentProfileChanged",
    "AgentProfile",
    "BusinessCalendar",
    "CalendarError",
    "CallbackDue",
    "CallbackRequested",
    "CapacityExceededError",
    "Channel",
    "ClockView",
    "ConfigError",
    "CsflowError",
    "Customer",
    "Desk",
    "DeskConfig",
    "DuplicateAgentError",
    "DuplicateTicketError",
    "EscalationPolicy",
    "Event",
    "FeedbackRecorded",
    "GoodwillDeclined",
    "GoodwillGranted",
    "GoodwillLimitError",
    "GoodwillRequested",
    "IntervalReport",
    "IntervalSummarizer",
    "InvalidTransitionError",
    "InvariantError",
    "Metric",
    "PolicyContext",
    "Priority",
    "PriorityPolicy",
    "QueuePolicy",
    "QueueSlot",
    "QueueSpec",
    "RankingStrategy",
    "RecalcMode",
    "Relaxation",
    "RelaxationStep",
    "Report",
    "RoutingProfile",
    "RuleSet",
    "Scenario",
    "SimResult",
    "SkillRequirement",
    "SlaBreached",
    "SlaCancelled",
    "SlaDeadlineMoved",
    "SlaEscalated",
    "SlaMet",
    "SlaPolicy",
    "SlaSelectionPolicy",
    "SlaTarget",
    "SlaWarning",
    "Summarizer",
    "SurveyDue",
    "TeamSpec",
    "Ticket",
    "TicketAbandoned",
    "TicketAssigned",
    "TicketClosed",
    "TicketEscalated",
    "TicketOverflowed",
    "TicketPrioritized",
    "TicketQueued",
    "TicketRelaxed",
    "TicketReopened",
    "TicketRequeued",
    "TicketResolved",
    "TicketSlaPolicyChanged",
    "TicketStatus",
    "TicketStatusChanged",
    "TicketTransferred",
    "TicketView",
    "Tier",
    "TransferLimitError",
    "TransferLimitReached",
    "UndeclaredNameError",
    "UnknownAgentError",
    "UnknownTicketError",
    "__version__",
    "command_from_dict",
    "consistency",
    "cover",
    "erlang_a",
    "erlang_c",
    "forecast_from_history",
    "event_from_dict",
    "lint",
    "people_report",
    "run_sweep",
    "simulate",
    "staffing_plan",
    "summarize",
    "summarize_intervals",
    "verify_plan",
    "view_from_dict",
}
LOWLEVEL = {
    "Abandon",
    "AddAgent",
    "Advance",
    "AgentGroup",
    "AgentPool",
    "AgentStandard",
    "AgentState",
    "AgentStatus",
    "AgingKey",
    "AllOf",
    "AnyOf",
    "ApproveGoodwill",
    "Arrivals",
    "Assignment",
    "Attainment",
    "BatchPlan",
    "BatchScore",
    "BestProficiency",
    "BreakRule",
    "COMBINATORS",
    "CallbackOffer",
    "COMMANDS",
    "COMMAND_VERSION",
    "CONSISTENCY_MEASURES",
    "CapacityRules",
    "ClockAction",
    "ClockState",
    "Close",
    "Command",
    "Comparison",
    "Condition",
    "ConsistencyFlag",
    "ContactPolicy",
    "ContactSummary",
    "CustomerMessage",
    "DAY_KEYS",
    "DEFAULT_PAUSE_ON",
    "DEFAULT_WARNINGS",
    "DeadlineKey",
    "Decision",
    "DeclineGoodwill",
    "DeskEvent",
    "Distribution",
    "ESCALATION_POLICY_FAILED",
    "EVENT_VERSION",
    "Empirical",
    "ErlangAResult",
    "Escalate",
    "Escalation",
    "EscalationGraph",
    "EscalationRule",
    "Estimate",
    "Exponential",
    "FINAL_STATUSES",
    "Finding",
    "ForecastInterval",
    "HistoryForecast",
    "Forget",
    "GoodwillPolicy",
    "GoodwillTotal",
    "GrantGoodwill",
    "HandOver",
    "Instant",
    "IntervalCover",
    "IntervalStaffing",
    "KeyContext",
    "KeyPolicy",
    "LIFECYCLE",
    "LogNormal",
    "LongestIdle",
    "MAX_CACHED_DECISIONS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_NESTING",
    "MAX_OPTIMAL_PAIRS",
    "MAX_PATTERN_CHARS",
    "MAX_PROFICIENCY",
    "MAX_RULES",
    "MAX_STRING_CHARS",
    "MAX_SUBJECT_CHARS",
    "MIN_PROFICIENCY",
    "MetricMap",
    "Mode",
    "MostSpareCapacity",
    "Not",
    "OPERATORS",
    "Overflowed",
    "PAUSABLE_STATUSES",
    "PEAK_DAYS",
    "POLICY_FIELDS",
    "PeopleReport",
    "PinReleased",
    "PinningStrategy",
    "PolicyResult",
    "PreferredAgent",
    "PresenceStates",
    "QueueLengthSeries",
    "QueuedTicket",
    "RATING_SCALE",
    "RatePeriod",
    "RecordFeedback",
    "Relaxed",
    "RemoveAgent",
    "Reopen",
    "Reply",
    "RequestCallback",
    "Requeue",
    "Resolve",
    "Roster",
    "RosterRow",
    "RoundRobin",
    "Router",
    "RoutingChange",
    "RoutingReason",
    "Rule",
    "RuleEscalationPolicy",
    "RulePriorityPolicy",
    "RuleQueuePolicy",
    "RuleSlaSelectionPolicy",
    "SCHEMA",
    "SKILL_ACTIONS",
    "STANDARD_FIELDS",
    "Satisfaction",
    "SelectionContext",
    "SetPresence",
    "SetPriority",
    "SetSlaPolicy",
    "SetStatus",
    "Severity",
    "Shift",
    "ShiftTemplate",
    "Signature",
    "SimConfig",
    "SlaClock",
    "SlaEvent",
    "SlaInterval",
    "StaffingPlan",
    "Strategy",
    "Submit",
    "TICKET_STATES",
    "TICKET_STATUSES",
    "TRANSITIONS",
    "TicketQueue",
    "TicketSla",
    "Transfer",
    "TransferLedger",
    "TransferPolicy",
    "UpdateAgent",
    "VIEW_VERSION",
    "VerifiedInterval",
    "VerifiedPlan",
    "agents_for_asa",
    "agents_for_service_level",
    "agents_for_service_level_a",
    "average_speed_of_answer",
    "check_pattern",
    "default_batch_score",
    "describe",
    "erlang_b",
    "event_schema",
    "field_is_known",
    "format_duration",
    "implies",
    "mmc_scenario",
    "needs_journal",
    "next_state",
    "occupancy",
    "parse_duration",
    "resolve_policy",
    "run_scenario",
    "service_level",
    "templates_from_dict",
    "ticket_context",
    "ticket_from_dict",
    "ticket_to_dict",
    "transition_graph",
    "view_to_dict",
}


def test_the_top_level_namespace_is_the_pinned_list() -> None:
    assert len(csflow.__all__) == len(set(csflow.__all__))
    assert set(csflow.__all__) == TOP_LEVEL
    for name in csflow.__all__:
        assert hasattr(csflow, name), name


def test_the_lowlevel_namespace_is_the_pinned_list() -> None:
    assert len(lowlevel.__all__) == len(set(lowlevel.__all__))
    assert set(lowlevel.__all__) == LOWLEVEL
    assert not TOP_LEVEL & LOWLEVEL, "a name is exported from both csflow and csflow.lowlevel"


def test_every_public_module_name_has_one_documented_home() -> None:
    # Each name a module declares public is reachable from csflow or csflow.lowlevel, as the
    # same object: no public name is orphaned in a module the reference does not lead to.
    homes = {
        **{n: getattr(lowlevel, n) for n in lowlevel.__all__},
        **{n: getattr(csflow, n) for n in csflow.__all__},
    }
    orphans = {
        f"{mod.__name__}.{name}"
        for mod in _public_modules()
        if mod.__name__ != "csflow.lowlevel"
        for name in mod.__all__
        if homes.get(name, _MISSING) is not getattr(mod, name)
    }
    assert not orphans, f"public but neither in csflow nor csflow.lowlevel: {sorted(orphans)}"


_MISSING = object()


def _members(obj: type) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for name, member in vars(obj).items():
        if name.startswith("_"):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if isinstance(member, property):
            member = member.fget
        if inspect.isfunction(member):
            out.append((name, member))
    return out


def test_every_public_name_and_method_is_documented() -> None:
    undocumented = []
    exported = [(n, getattr(csflow, n)) for n in csflow.__all__]
    exported += [(n, getattr(lowlevel, n)) for n in lowlevel.__all__]
    for name, obj in exported:
        if name.isupper() or name.startswith("__") or not callable(obj):
            continue
        if not (inspect.getdoc(obj) or "").strip():
            undocumented.append(name)
        if inspect.isclass(obj):
            for member_name, member in _members(obj):
                if not (inspect.getdoc(member) or "").strip():
                    undocumented.append(f"{name}.{member_name}")
    assert not undocumented, f"undocumented: {undocumented}"


def test_package_ships_py_typed() -> None:
    assert (pathlib.Path(csflow.__file__).parent / "py.typed").exists()


def test_demo_runs_and_prints_the_lebaran_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "csflow", "demo"], capture_output=True, text=True, check=True
    )
    assert "Idul Fitri 1447 H" in done.stdout
    # Tue 17 Mar 15:30 + 8 business hours, over the closing, is Wed 25 Mar 15:30.
    assert "platinum  Tue 17 Mar 15:30 Tue 17 Mar 16:30     Wed 25 Mar 15:30" in done.stdout
    # The standards morning: budi, the slow one, is outside the team's band.
    assert "budi (cs-jakarta): first_response_median_s" in done.stdout


def test_the_reference_lists_every_exported_name() -> None:
    # docs/reference/api.md and lowlevel.md are the map from a name to its module's page.
    reference = pathlib.Path(__file__).resolve().parent.parent / "docs" / "reference"
    for page, names in (("api.md", TOP_LEVEL - {"__version__"}), ("lowlevel.md", LOWLEVEL)):
        text = (reference / page).read_text()
        missing = sorted(n for n in names if f"| `{n}` |" not in text)
        assert not missing, f"{page} does not list {missing}"
