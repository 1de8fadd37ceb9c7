"""Counting and paging a filtered, sorted query, for tables of any size.

A page far down a large table is read backwards from the end, so that the last rows of a
million come back as fast as the first (SQLite's OFFSET walks every row it skips).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Sort:
    """Sort by `key` (a name the listing knows), ascending unless `descending`."""

    key: str
    descending: bool = False


@dataclass(frozen=True)
class Listing:
    """A query's rows (`base`, whose first column is the row's id), its sortable columns."""

    base: Select[Any]
    sortable: dict[str, SQLColumnExpression[Any]]
    tiebreak: SQLColumnExpression[Any]

    def count(self, session: Session) -> int:
        query = select(func.count()).select_from(self.base.order_by(None).subquery())
        return int(session.execute(query).scalar_one())

    def page(
        self, session: Session, sort: Sort, offset: int, limit: int, total: int | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows offset..offset+limit in `sort` order (ties broken by id)."""
        if total is None:
            total = self.count(session)
        limit = max(0, min(limit, total - offset))
        if limit == 0:
            return []
        column = self.sortable.get(sort.key, self.tiebreak)
        from_end = offset > total // 2
        descending = sort.descending != from_end
        order = [column.desc(), self.tiebreak.desc()] if descending else [column, self.tiebreak]
        start = total - offset - limit if from_end else offset
        query = self.base.order_by(*order).offset(start).limit(limit)
        rows = [tuple(row) for row in session.execute(query)]
        return rows[::-1] if from_end else rows
