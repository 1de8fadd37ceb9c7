"""Use cases that change data: one transaction each, each leaving its audit row.

The window, the command line and tests all change records through `Records`, so the rules
of `rules.py`, the role limits of `security/access.py` and the audit trail apply whichever
way a change arrives.
"""

from __future__ import annotations

from missing_app.core.records.base import Saved
from missing_app.core.records.episodes import (
    ASSESSMENT_FIELDS,
    EPISODE_FIELDS,
    INTERVIEW_FIELDS,
    RETURN_FIELDS,
    Episodes,
)
from missing_app.core.records.homes import (
    CHILD_FIELDS,
    HOME_FIELDS,
    PLACEMENT_FIELDS,
    PROFILE_FIELDS,
    HomesAndChildren,
)
from missing_app.core.records.meetings import ACTION_FIELDS, MEETING_FIELDS, Meetings, NewAction
from missing_app.core.records.settings import SettingsUseCases, read_settings

__all__ = [
    "ACTION_FIELDS",
    "ASSESSMENT_FIELDS",
    "CHILD_FIELDS",
    "EPISODE_FIELDS",
    "HOME_FIELDS",
    "INTERVIEW_FIELDS",
    "MEETING_FIELDS",
    "PLACEMENT_FIELDS",
    "PROFILE_FIELDS",
    "RETURN_FIELDS",
    "NewAction",
    "Records",
    "Saved",
    "read_settings",
]


class Records(HomesAndChildren, Episodes, Meetings, SettingsUseCases):
    """Every change a user can make, each in one transaction with an audit row.

    `username` is who acts. Once the database has accounts (a user with a password), it
    must be an active account and its role's limits apply to every use case (raising
    PermissionDenied); a database without accounts (demo, tests, older files) has none.
    """
