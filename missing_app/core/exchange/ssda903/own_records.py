"""Homeward's own records as the 903 tables of one collection year, and the Department's
checks on them: what `export 903` would write, and what the Data quality page lists.

A year's Missing table holds every episode whose days overlap the year: one that started
before 1 April and was still missing then is returned with its start (rule 570 only
refuses starts after the year), and one still missing on 31 March is returned open (rule
571 refuses an end outside the year), as the Department expects an open period to be
returned again, with its end, the next year. Dates are London days. The Header and
Episodes tables are derived from the children and their placements, so that the checks
that need them (575, 577, 578, 581, INT04, INT13) run on Homeward's records too.

Use `check_own_records(session, year)` from a background read; it loads pandas when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from missing_app.core.exchange.ssda903.rulebook import RULES
from missing_app.core.exchange.ssda903.years import CollectionYear
from missing_app.core.times import local_midnight, to_storage

if TYPE_CHECKING:
    import pandas as pd

MISSING_COLUMNS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")

# Plain queries, sorted and joined in pandas: at force scale a year holds 400,000 episodes.
_EPISODES_SQL = """
SELECT id AS episode_id, child_id, type, last_seen_at, returned_at FROM missing_episodes
WHERE last_seen_at < :after AND (returned_at IS NULL OR returned_at >= :first)
"""
_CHILDREN_SQL = "SELECT id AS child_id, local_ref, dob, sex, ethnicity FROM children"
_PLACEMENTS_SQL = """
SELECT p.child_id, p.start, p."end", h.urn FROM placements p
JOIN care_homes h ON h.id = p.home_id WHERE p.start <= :last ORDER BY p.child_id, p.start
"""


@dataclass(frozen=True)
class RecordFailure:
    """One of the Department's rules broken by one of Homeward's episodes."""

    code: str
    message: str
    child_ref: str
    child_id: int
    episode_id: int
    line: int  # the episode's line in the Missing table `export 903` would write

    @property
    def rule(self) -> str:
        """What the rule asks, in brief."""
        return RULES[self.code]


@dataclass
class OwnReturn:
    """Homeward's records as the 903 tables of one year (pandas frames of text)."""

    year: CollectionYear
    missing: Any  # MISSING_COLUMNS, the line, episode_id and child_id
    header: Any
    episodes: Any


def check_own_records(session: Session, year: CollectionYear | str) -> list[RecordFailure]:
    """Every failure of the Department's checks on the year's episodes, by line."""
    if isinstance(year, str):
        year = CollectionYear.parse(year)
    return check_return(own_return(session, year))


def check_return(own: OwnReturn) -> list[RecordFailure]:
    from missing_app.core.exchange.ssda903.checks import check_missing

    failures = check_missing(own.missing, own.year, header=own.header, episodes=own.episodes)
    episode_ids = own.missing["episode_id"].to_numpy()
    child_ids = own.missing["child_id"].to_numpy()
    return [
        RecordFailure(
            failure.code,
            _in_our_words(failure.message),
            failure.child,
            int(child_ids[failure.row]),
            int(episode_ids[failure.row]),
            failure.line,
        )
        for failure in failures
    ]


def _in_our_words(message: str) -> str:
    """The Department's message as a PCSO reads it: a 903 "episode" is a placement here, and
    the line of a table built from our own records means nothing to them."""
    import re

    message = re.sub(r" \(Episodes line \d+\)$", "", message)
    return message.replace("but the episode from", "but the placement from")


def own_return(session: Session, year: CollectionYear) -> OwnReturn:
    """The year's Missing table from the episodes, with Header and Episodes beside it."""
    connection = session.connection()
    children = _frame(connection, _CHILDREN_SQL, {}).set_index("child_id")
    episodes = _year_episodes(connection, year, children)
    present = children[children.index.isin(episodes["child_id"])]
    placements = _frame(connection, _PLACEMENTS_SQL, {"last": year.end.isoformat()})
    placements = placements[placements["child_id"].isin(present.index)]
    placements = placements.join(children["local_ref"], on="child_id")
    stays = _stays(placements, year)
    return OwnReturn(year, _missing(episodes, year), _header(present, year), stays)


def _year_episodes(connection: Any, year: CollectionYear, children: pd.DataFrame) -> pd.DataFrame:
    """The episodes overlapping the year with their children's columns, in the order of the
    file: by child reference, then time last seen."""
    import numpy as np

    bounds = {
        "first": to_storage(local_midnight(year.start)),
        "after": to_storage(local_midnight(year.end + timedelta(days=1))),
    }
    episodes = _frame(connection, _EPISODES_SQL, bounds)
    episodes["seen"] = _moments(episodes["last_seen_at"])
    episodes["back"] = _moments(episodes["returned_at"])
    rank = children["local_ref"].astype(str).rank(method="first")
    order = np.lexsort(
        (
            episodes["episode_id"].to_numpy(),
            episodes["seen"].to_numpy(),
            rank.reindex(episodes["child_id"]).to_numpy(),
        )
    )
    return episodes.iloc[order].join(children, on="child_id").reset_index(drop=True)


def _missing(episodes: pd.DataFrame, year: CollectionYear) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from missing_app.core.exchange.ssda903.tables import LINE

    missing = pd.DataFrame(
        {
            "CHILD": episodes["local_ref"].astype(str),
            "DOB": _dmy(episodes["dob"]),
            "MISSING": episodes["type"].map({"missing": "M", "absent": "A"}),
            "MIS_START": _dmy(_local_days(episodes["seen"])),
            "MIS_END": _dmy(_until(_local_days(episodes["back"]), year)),
            "episode_id": episodes["episode_id"],
            "child_id": episodes["child_id"],
        }
    )
    missing[LINE] = np.arange(2, len(missing) + 2)
    return missing


def _frame(connection: Any, sql: str, parameters: dict[str, str]) -> pd.DataFrame:
    """The rows of a query as a frame, through the driver's own cursor (plain tuples)."""
    import pandas as pd

    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, parameters)
        columns = [description[0] for description in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
    finally:
        cursor.close()


def _moments(stored: pd.Series) -> pd.Series:
    """Stored UTC text as naive UTC date-times (NaT where blank)."""
    import pandas as pd

    moments = pd.to_datetime(stored, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    odd = moments.isna() & stored.notna()
    if odd.any():  # fractions of a second
        moments[odd] = pd.to_datetime(stored[odd], format="ISO8601")
    return moments


def _local_days(moments: pd.Series) -> pd.Series:
    """UTC date-times as London days (NaT where blank)."""
    local = moments.dt.tz_localize("UTC").dt.tz_convert("Europe/London")
    return local.dt.tz_localize(None).dt.normalize()


def _until(days: pd.Series, year: CollectionYear) -> pd.Series:
    """The days up to the end of the year; later ones are not yet known to the return (NaT)."""
    import pandas as pd

    return days.where(days <= pd.Timestamp(year.end))


def _dmy(days: pd.Series) -> pd.Series:
    """Days (or ISO date text) as dd/mm/YYYY text, blank where missing; each day formatted once."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(days, sort=False)
    formatted = pd.DatetimeIndex(pd.to_datetime(uniques)).strftime("%d/%m/%Y")
    labels = np.append(formatted.to_numpy(dtype=object), "")
    return pd.Series(labels[codes], index=days.index, dtype=object)


def _header(children: pd.DataFrame, year: CollectionYear) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from missing_app.core.exchange.ssda903.tables import COLUMNS, HEADER, LINE

    sexes = {"M": "M", "F": "F", "U": "U"} if year.letter_sex_codes else {"M": "1", "F": "2"}
    header = pd.DataFrame({column: "" for column in COLUMNS[HEADER]}, index=children.index)
    header["CHILD"] = children["local_ref"].astype(str)
    header["SEX"] = children["sex"].map(sexes).fillna("")
    header["DOB"] = _dmy(children["dob"])
    header["ETHNIC"] = children["ethnicity"].fillna("")
    header[LINE] = np.arange(2, len(header) + 2)
    return header


def _stays(placements: pd.DataFrame, year: CollectionYear) -> pd.DataFrame:
    """The children's placements as Episodes rows; an end after the year is not yet known."""
    import numpy as np
    import pandas as pd

    from missing_app.core.exchange.ssda903.tables import COLUMNS, EPISODES, LINE

    stays = pd.DataFrame({column: "" for column in COLUMNS[EPISODES]}, index=placements.index)
    stays["CHILD"] = placements["local_ref"].astype(str)
    stays["DECOM"] = _dmy(placements["start"])
    stays["DEC"] = _dmy(_until(pd.to_datetime(placements["end"]), year))
    stays["URN"] = placements["urn"].astype(str)
    stays[LINE] = np.arange(2, len(stays) + 2)
    return stays
