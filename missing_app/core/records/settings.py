"""Use cases for the settings every figure uses, and reading them back."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from missing_app.config import SETTINGS_BY_KEY
from missing_app.core.audit import snapshot
from missing_app.core.errors import Problem, ValidationError
from missing_app.core.models import Setting
from missing_app.core.records.base import RecordsBase, Saved
from missing_app.core.security.access import Permission


class SettingsUseCases(RecordsBase):
    """Change the settings, within each one's limits."""

    def set_setting(self, key: str, value: float) -> Saved[Setting]:
        spec = SETTINGS_BY_KEY.get(key)
        if spec is None:
            raise ValidationError([Problem(key, "is not a setting")])
        if spec.integer and value != int(value):
            raise ValidationError([Problem(key, f"{spec.label} must be a whole number")])
        if not spec.minimum <= value <= spec.maximum:
            raise ValidationError(
                [Problem(key, f"{spec.label} must be from {spec.minimum:g} to {spec.maximum:g}")]
            )
        with self.db.transaction() as session:
            self._allow(session, Permission.SETTINGS)
            setting = session.get(Setting, key)
            before = snapshot(setting)
            stored = json.dumps(int(value) if spec.integer else float(value))
            if setting is None:
                setting = Setting(key=key, value=stored, updated_at=self.now())
                session.add(setting)
            else:
                setting.value, setting.updated_at = stored, self.now()
            session.flush()
            self._audit(session, "create" if before is None else "update", setting, before)
            return Saved(setting)


def read_settings(session: Session) -> dict[str, float]:
    """Every setting: the user's value where one is saved, else the default."""
    values: dict[str, float] = {key: spec.default for key, spec in SETTINGS_BY_KEY.items()}
    for setting in session.scalars(select(Setting)):
        if setting.key in values:
            values[setting.key] = json.loads(setting.value)
    return values
