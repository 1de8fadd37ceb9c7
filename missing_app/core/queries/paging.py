"""Counting and paging a filtered, sorted query, for tables of any size.

Two ways to a page, chosen by the sort:
- a sort an index serves (`indexed`) reads the page with OFFSET: the ids alone (`ids_for`,
  without the joins only the display needs, so the OFFSET walks an index and nothing else),
  then their rows; a page far down the table is read backwards from the end, so the last rows
  of a million come back as fast as the first;
- any other sort fetches the sorted ids once (`ids`), and each page is then read by its ids,
  as Anki's browser does: one sort of a million ids instead of one per page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Sort:
    """Sort by `key` (a name the listing knows), ascending unless `descending`."""

    key: str
    descending: bool = False


# What a sort orders by: one column, or several (the row's id always breaks the last tie).
SortKey = SQLColumnExpression[Any] | tuple[SQLColumnExpression[Any], ...]


@dataclass(frozen=True)
class Listing:
    """A query's rows (`base`, whose first column is the row's id) and its sortable columns.

    A sortable key may order by several columns, so that an index (or a chain of them, down a
    join) serves the whole ORDER BY. `counted`, when given, counts the same rows more cheaply
    (without joins that cannot change the count); `indexed` names the sorts an index serves;
    `ids_for(key)`, when given, selects the same rows' ids with only the joins that sorting by
    `key` needs.
    """

    base: Select[Any]
    sortable: Mapping[str, SortKey]
    tiebreak: SQLColumnExpression[Any]
    counted: Select[Any] | None = None
    indexed: frozenset[str] = field(default_factory=frozenset)
    ids_for: Callable[[str], Select[Any]] | None = None  # the ids, joining only what a sort needs

    def count(self, session: Session) -> int:
        query = self.counted
        if query is None:
            query = select(func.count()).select_from(self.base.order_by(None).subquery())
        return int(session.execute(query).scalar_one())

    def _order(self, sort: Sort, reverse: bool = False) -> list[Any]:
        key = self.sortable.get(sort.key, ())
        columns = [*(key if isinstance(key, tuple) else (key,)), self.tiebreak]
        if sort.descending != reverse:
            return [column.desc() for column in columns]
        return columns

    def by_offset(self, sort: Sort) -> bool:
        """Whether pages in this order are best read with OFFSET (else by their ids)."""
        return sort.key in self.indexed or sort.key not in self.sortable

    def page(
        self, session: Session, sort: Sort, offset: int, limit: int, total: int | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows offset..offset+limit in `sort` order (ties broken by id), read with OFFSET."""
        if total is None:
            total = self.count(session)
        limit = max(0, min(limit, total - offset))
        if limit == 0:
            return []
        from_end = offset > total // 2
        start = total - offset - limit if from_end else offset
        order = self._order(sort, from_end)
        if self.ids_for is not None:
            ids_query = self.ids_for(sort.key).order_by(*order).offset(start).limit(limit)
            ids = list(session.scalars(ids_query))
            return self.rows(session, ids[::-1] if from_end else ids)
        query = self.base.order_by(*order).offset(start).limit(limit)
        rows = [tuple(row) for row in session.execute(query)]
        return rows[::-1] if from_end else rows

    def ids(self, session: Session, sort: Sort) -> list[int]:
        """Every row's id in `sort` order: one sort, for pages read by id after."""
        if self.ids_for is not None:
            query = self.ids_for(sort.key).order_by(*self._order(sort))
        else:
            query = self.base.with_only_columns(self.tiebreak).order_by(*self._order(sort))
        return [int(value) for value in session.scalars(query)]

    def rows(self, session: Session, ids: Sequence[int]) -> list[tuple[Any, ...]]:
        """The rows with these ids, in the order given."""
        found = {row[0]: tuple(row) for row in session.execute(
            self.base.where(self.tiebreak.in_(list(ids))))}  # fmt: skip
        return [found[row_id] for row_id in ids if row_id in found]
