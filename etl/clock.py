"""The clock: every "now" and "today" of the product comes from here, so tests and demos can fix it.

``DASHBOARD_NOW`` (ISO date or date-time) fixes the clock; unset, it is the system clock.
"""

from __future__ import annotations

import os
from datetime import date, datetime

NOW_ENV = "DASHBOARD_NOW"


def now() -> datetime:
    """The current local date and time (or $DASHBOARD_NOW)."""
    fixed = os.environ.get(NOW_ENV)
    return datetime.fromisoformat(fixed) if fixed else datetime.now()


def today() -> date:
    return now().date()
