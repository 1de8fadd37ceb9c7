"""A PCSO's pickers, look-ups, child page and figures hold their homes only: the home and
council pickers, the episode forms' child look-up, the child page's read and the Insights
reads refuse or leave out the rest. A database without accounts has no limits."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from missing_app.core.backups import DAILY_WHY, take_daily_backup
from missing_app.core.db import Database
from missing_app.core.metrics import Period
from missing_app.core.models import AuditEvent, CareHome
from missing_app.core.queries.areas import councils, home_choices, home_labels
from missing_app.core.queries.children import child_details
from missing_app.core.queries.today import child_choices
from missing_app.core.security.access import Actor, resolve_actor
from missing_app.core.security.errors import PermissionDenied
from missing_app.gui.pages.insights_reads import (
    Choice,
    read_areas,
    read_figures,
    read_previous,
)
from tests.conftest import NOW
from tests.security_helpers import World, as_user, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

OCTOBER = Period(date(2025, 10, 1), date(2025, 10, 31))


@pytest.fixture
def world(db: Database) -> World:
    """The security world, with Oakview in Wirral and Elm Lodge in Sefton, and a third home
    (Ash Court, Wirral) with no PCSO."""
    built = build_world(db)
    as_user(db, "admin.ada").create_home("SC100003", "Ash Court")
    with db.transaction() as session:
        for urn, council in (("SC100001", "Wirral"), ("SC100002", "Sefton"),
                             ("SC100003", "Wirral")):  # fmt: skip
            home = session.scalar(select(CareHome).where(CareHome.urn == urn))
            assert home is not None
            home.local_authority = council
    return built


def actor(db: Database, username: str) -> Actor:
    with db.session() as session:
        return resolve_actor(session, username)


def test_the_home_pickers_offer_a_pcso_their_homes_only(world: World) -> None:
    db = world.db
    jones, lee = actor(db, "pcso.jones"), actor(db, "sgt.lee")
    with db.session() as session:
        assert home_labels(session, actor=jones) == [(world.oak, "Oakview House (SC100001)")]
        assert [home.urn for home in home_choices(session, "Sefton", jones)] == []
        assert [home.urn for home in home_choices(session, actor=lee)] == [
            "SC100003", "SC100002", "SC100001",
        ]  # fmt: skip
        assert home_labels(session) == home_labels(session, actor=lee)
        assert councils(session, jones) == ["Wirral"]
        assert councils(session, actor(db, "pcso.smith")) == ["Sefton"]
        everyone = councils(session)
        assert councils(session, lee) == everyone and {"Wirral", "Sefton"} <= set(everyone)
        assert len(everyone) == 5  # the five Merseyside councils, no others recorded
        names, homes = read_areas(session, jones)
        assert names == ["Wirral"] and [home.urn for home in homes] == ["SC100001"]


def test_the_episode_forms_child_look_up_offers_a_pcso_their_children_only(
    world: World,
) -> None:
    db = world.db
    with db.session() as session:

        def found(text: str, who: Actor | None) -> list[int]:
            return [c.child_id for c in child_choices(session, text, NOW.date(), actor=who)]

        assert found("Ben", actor(db, "pcso.jones")) == []
        assert found("Amy", actor(db, "pcso.jones")) == [world.amy]
        assert found("Ben", actor(db, "pcso.smith")) == [world.ben]
        assert found("C2", actor(db, "pcso.jones")) == []  # by reference, too
        assert found("Ben", actor(db, "sgt.lee")) == [world.ben]
        assert found("C2", None) == [world.ben]


def test_the_child_page_read_refuses_a_pcso_another_homes_child(world: World) -> None:
    db = world.db
    with db.session() as session:
        with pytest.raises(PermissionDenied, match=r"pcso\.jones \(PCSO\) cannot see records"):
            child_details(session, world.ben, actor=actor(db, "pcso.jones"))
        mine = child_details(session, world.amy, actor=actor(db, "pcso.jones"))
        assert mine.child.first_name == "Amy" and len(mine.episodes) == 1
        assert child_details(session, world.ben, actor=actor(db, "sgt.lee")).child.id == world.ben
        assert child_details(session, world.ben).child.id == world.ben  # no actor: no limits


def test_the_insights_reads_refuse_a_pcso_all_homes_and_others_homes(world: World) -> None:
    db = world.db
    jones = actor(db, "pcso.jones")
    with db.session() as session:
        (oak,) = home_choices(session, actor=jones)
        elm = next(h for h in home_choices(session) if h.urn == "SC100002")
        for refused in (Choice(OCTOBER), Choice(OCTOBER, "Wirral"), Choice(OCTOBER, home=elm)):
            with pytest.raises(PermissionDenied, match="only for their own homes \\(SC100001\\)"):
                read_figures(session, refused, jones)
        figures = read_figures(session, Choice(OCTOBER, home=oak), jones)
        assert figures.current["episodes"] == 1
        with pytest.raises(PermissionDenied):
            read_previous(session, Choice(OCTOBER), figures.settings, jones)
        lee = actor(db, "sgt.lee")
        assert read_figures(session, Choice(OCTOBER), lee).current["episodes"] == 2
        assert read_figures(session, Choice(OCTOBER)).current["episodes"] == 2


def test_a_database_without_accounts_offers_everything(db: Database) -> None:
    records = as_user(db, "setup")
    oak = records.create_home("SC100001", "Oakview House").record.id
    child = records.create_child("C1", date(2010, 1, 1), first_name="Amy").record.id
    records.add_placement(child, oak, date(2024, 1, 1))
    who = actor(db, "pcso.jones")
    assert who.home_scope is None
    with db.session() as session:
        assert home_labels(session, actor=who) == [(oak, "Oakview House (SC100001)")]
        assert [c.child_id for c in child_choices(session, "Amy", NOW.date(), actor=who)] == [child]
        assert child_details(session, child, actor=who).child.id == child
        assert read_figures(session, Choice(OCTOBER), who).current["episodes"] == 0


def test_the_daily_backup_is_audited_under_the_signed_in_user(db: Database, tmp_path: Path) -> None:
    as_user(db, "setup").create_home("SC100001", "Oakview House")
    folder = tmp_path / "backups"
    taken = take_daily_backup(db, "pcso.jones", folder, now=NOW)
    assert taken is not None and taken.is_file() and taken.parent == folder.resolve()
    assert take_daily_backup(db, "pcso.jones", folder, now=NOW + timedelta(hours=2)) is None
    query = select(AuditEvent).where(AuditEvent.action == "backup")
    with db.session() as session:
        rows = [(e.username, e.entity, e.after, e.why) for e in session.scalars(query)]
    assert rows == [("pcso.jones", "database", f'{{"file": "{taken}"}}', DAILY_WHY)]
    assert DAILY_WHY == "daily automatic backup"
