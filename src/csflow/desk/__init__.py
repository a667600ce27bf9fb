"""The desk: the sans-I/O engine a helpdesk embeds -- commands in, events out.

One concept per module:

- :mod:`csflow.desk.lifecycle` -- a ticket's states, the commands that move it, the one
  transition table and the one function that applies it (:data:`LIFECYCLE`,
  :data:`TICKET_STATES`, :func:`~csflow.desk.lifecycle.lifecycle_graph`);
- :mod:`csflow.desk.config` -- :class:`DeskConfig`, :class:`QueueSpec`, :class:`TeamSpec` and
  reading them from plain data;
- :mod:`csflow.desk.serialisation` -- tickets, agent profiles and the snapshot envelope as
  plain data (and the replay of old command-log snapshots);
- :mod:`csflow.desk.state` -- the state snapshot: every ticket not forgotten, and the agents;
- :mod:`csflow.desk.commands` -- every desk command as a value, for a host's journal;
- :mod:`csflow.desk.durable` and :mod:`csflow.desk.fingerprint` -- restoring a snapshot and a
  journal under a config checked against the snapshot's fingerprint;
- :mod:`csflow.desk.views` -- :class:`TicketView` and :class:`ClockView`;
- :mod:`csflow.desk.record` and :mod:`csflow.desk.timers` -- the desk's per-ticket record and
  its SLA and survey timers;
- :mod:`csflow.desk.feedback`, :mod:`csflow.desk.contacts` and :mod:`csflow.desk.goodwill`
  -- customers' ratings, the memory of repeat customers, agents' goodwill allowances;
- :mod:`csflow.desk.desk` -- :class:`Desk`, its commands and their one skeleton.

Every name below is importable from ``csflow.desk`` (and from ``csflow``).
"""

from csflow.desk.config import DeskConfig, QueueSpec, TeamSpec
from csflow.desk.contacts import ContactPolicy, ContactSummary
from csflow.desk.desk import Desk
from csflow.desk.feedback import RATING_SCALE
from csflow.desk.goodwill import GoodwillPolicy
from csflow.desk.lifecycle import LIFECYCLE, TICKET_STATES
from csflow.desk.serialisation import ticket_from_dict, ticket_to_dict
from csflow.desk.views import ClockView, TicketView

__all__ = [
    "LIFECYCLE",
    "RATING_SCALE",
    "TICKET_STATES",
    "ClockView",
    "ContactPolicy",
    "ContactSummary",
    "Desk",
    "DeskConfig",
    "GoodwillPolicy",
    "QueueSpec",
    "TeamSpec",
    "TicketView",
    "ticket_from_dict",
    "ticket_to_dict",
]
