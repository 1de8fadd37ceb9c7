"""What each role may see: a PCSO reads only their homes' records, through every core read
(listings, search, Today, homes, meetings, the episodes behind a chart)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from missing_app.core.chart_drill import EpisodeQuery, episode_ids
from missing_app.core.db import Database
from missing_app.core.queries.children import ChildFilter, children_listing
from missing_app.core.queries.episodes import EpisodeFilter, episode_listing
from missing_app.core.queries.homes import HomeFilter, home_details, home_listing
from missing_app.core.queries.meetings import ActionFilter, action_listing, meeting_listing
from missing_app.core.queries.paging import Listing, Sort
from missing_app.core.queries.search import search_children
from missing_app.core.queries.today import (
    actions_due,
    missing_now,
    outstanding_returns,
    triggered_children,
)
from missing_app.core.records import NewAction, Records
from missing_app.core.security.access import Actor, Permission, require_child, resolve_actor
from missing_app.core.security.errors import PermissionDenied
from tests.conftest import NOW
from tests.security_helpers import World, as_user, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

TODAY = date(2025, 11, 15)


@dataclass(frozen=True)
class Scoped:
    """The security world, and more: a child moved from Oakview to Elm Lodge (Dan), a child
    with no home yet (Cal), returns and new episodes this week, a meeting with each home."""

    world: World
    dan: int
    cal: int
    dan_episode: int  # at Elm Lodge, after his move
    amy_new: int  # Oakview, missing now
    ben_new: int  # Elm Lodge, missing now
    oak_meeting: int
    elm_meeting: int


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def scoped(db: Database) -> Scoped:
    world = build_world(db)
    admin = as_user(db, "admin.ada")
    dan = admin.create_child("C3", date(2012, 1, 5), first_name="Dan", last_name="Dale").record
    cal = admin.create_child("C4", date(2013, 2, 6), first_name="Cal", last_name="Cole").record
    admin.add_placement(dan.id, world.oak, date(2024, 1, 1), end=date(2025, 6, 1))
    admin.add_placement(dan.id, world.elm, date(2025, 6, 1))
    dan_episode = admin.record_missing(dan.id, at(1, 20), police_ref="MP/25/0300").record.id
    admin.record_return(dan_episode, at(2, 9))
    admin.update_episode(world.ben_episode, police_ref="MP/25/0200")
    for episode in (world.amy_episode, world.ben_episode):
        admin.record_return(episode, at(12, 10))
    amy_new = admin.record_missing(world.amy, at(14, 20)).record.id
    ben_new = admin.record_missing(world.ben, at(14, 21)).record.id
    due = [NewAction("Search the park first", due_on=date(2025, 11, 14))]
    oak_meeting = admin.record_meeting(world.oak, date(2025, 11, 1), due).record.id
    elm_meeting = admin.record_meeting(world.elm, date(2025, 11, 2), due).record.id
    return Scoped(world, dan.id, cal.id, dan_episode, amy_new, ben_new, oak_meeting, elm_meeting)


def actor(db: Database, username: str) -> Actor:
    with db.session() as session:
        return resolve_actor(session, username)


def everything(session: Session, listing: Listing, sort: str) -> list[int]:
    """Every row's id, through both ways the window pages: by ids, and by offset."""
    ids = listing.ids(session, Sort(sort))
    total = listing.count(session)
    paged = [row[0] for row in listing.page(session, Sort(sort), 0, total + 5, total)]
    assert sorted(paged) == sorted(ids) and len(ids) == total
    return sorted(ids)


def test_a_pcso_lists_the_children_of_their_homes_only(scoped: Scoped) -> None:
    world, db = scoped.world, scoped.world.db
    with db.session() as session:

        def children(who: Actor | None) -> list[int]:
            return everything(session, children_listing(ChildFilter(), NOW, who), "name")

        # Dan was placed at Oakview before his move; Cal has no home yet (just added).
        assert children(actor(db, "pcso.jones")) == sorted([world.amy, scoped.dan, scoped.cal])
        assert children(actor(db, "pcso.smith")) == sorted([world.ben, scoped.dan, scoped.cal])
        all_children = sorted([world.amy, world.ben, scoped.dan, scoped.cal])
        for who in (actor(db, "sgt.lee"), actor(db, "analyst.kim"), None):
            assert children(who) == all_children
        jones = actor(db, "pcso.jones")
        filtered = children_listing(ChildFilter(text="Birch"), NOW, jones)
        assert filtered.count(session) == 0


def test_the_read_rule_and_the_write_rule_agree(scoped: Scoped) -> None:
    """One definition of a PCSO's children: whom they see is whom they may change."""
    world, db = scoped.world, scoped.world.db
    jones = actor(db, "pcso.jones")
    with db.session() as session:
        seen = set(children_listing(ChildFilter(), NOW, jones).ids(session, Sort("name")))
        for child in (world.amy, world.ben, scoped.dan, scoped.cal):
            try:
                require_child(session, jones, Permission.WRITE, child)
                allowed = True
            except PermissionDenied:
                allowed = False
            assert allowed == (child in seen), child


def test_a_pcso_lists_the_episodes_of_their_homes_only(scoped: Scoped) -> None:
    world, db = scoped.world, scoped.world.db
    oak = [world.amy_episode, scoped.amy_new]
    elm = [world.ben_episode, scoped.ben_new, scoped.dan_episode]
    with db.session() as session:

        def episodes(who: Actor | None, where: EpisodeFilter | None = None) -> list[int]:
            listing = episode_listing(where or EpisodeFilter(), who)
            by_offset = everything(session, listing, "last_seen_at")
            assert everything(session, listing, "child") == by_offset  # the ids_for path
            return by_offset

        # Dan's episode was at Elm Lodge: his old home's PCSO does not see it.
        assert episodes(actor(db, "pcso.jones")) == sorted(oak)
        assert episodes(actor(db, "pcso.smith")) == sorted(elm)
        assert episodes(actor(db, "sgt.lee")) == sorted(oak + elm)
        assert episodes(None) == sorted(oak + elm)
        # Asking for another home's episodes by filter finds none.
        jones = actor(db, "pcso.jones")
        assert episodes(jones, EpisodeFilter(home_id=world.elm)) == []


def test_a_pcso_finds_only_their_homes_children(scoped: Scoped) -> None:
    db = scoped.world.db
    jones, smith = actor(db, "pcso.jones"), actor(db, "pcso.smith")
    with db.session() as session:
        assert [m.name for m in search_children(session, "Birch", actor=jones)] == []
        assert [m.name for m in search_children(session, "Birch", actor=smith)] == ["Ben Birch"]
        # By an episode's police reference too.
        assert search_children(session, "MP/25/02", actor=jones) == []
        found = search_children(session, "MP/25/02", actor=smith)
        assert [(m.name, m.matched) for m in found] == [("Ben Birch", "MP/25/0200")]
        # Dan is Jones's (placed at Oakview once), wherever the episode was.
        assert [m.name for m in search_children(session, "MP/25/03", actor=jones)] == ["Dan Dale"]
        for everyone in (actor(db, "sgt.lee"), None):
            names = {m.name for m in search_children(session, "MP/25/0", actor=everyone)}
            assert names == {"Ben Birch", "Dan Dale"}


def test_a_pcso_sees_their_homes_rows_of_today(scoped: Scoped) -> None:
    world, db = scoped.world, scoped.world.db
    with db.session() as session:

        def today(who: Actor | None) -> tuple[list[int], ...]:
            return (
                sorted(row.episode_id for row in missing_now(session, NOW, who)),
                sorted(row.episode_id for row in outstanding_returns(session, NOW, 72, who)),
                sorted(row.child_id for row in triggered_children(session, NOW, 2, 60, who)),
                sorted(row.meeting_id for row in actions_due(session, TODAY, who)),
            )

        assert today(actor(db, "pcso.jones")) == (
            [scoped.amy_new], [world.amy_episode], [world.amy], [scoped.oak_meeting],
        )  # fmt: skip
        assert today(actor(db, "pcso.smith")) == (
            [scoped.ben_new], sorted([world.ben_episode, scoped.dan_episode]), [world.ben],
            [scoped.elm_meeting],
        )  # fmt: skip
        everyone = (
            sorted([scoped.amy_new, scoped.ben_new]),
            sorted([world.amy_episode, world.ben_episode, scoped.dan_episode]),
            sorted([world.amy, world.ben]),
            sorted([scoped.oak_meeting, scoped.elm_meeting]),
        )
        assert today(actor(db, "sgt.lee")) == everyone
        assert today(actor(db, "analyst.kim")) == everyone
        assert today(None) == everyone


def test_a_pcso_sees_their_homes_meetings_and_homes_only(scoped: Scoped) -> None:
    world, db = scoped.world, scoped.world.db
    jones, lee = actor(db, "pcso.jones"), actor(db, "sgt.lee")
    with db.session() as session:
        assert everything(session, home_listing(HomeFilter(), NOW, jones), "name") == [world.oak]
        assert everything(session, home_listing(HomeFilter(), NOW, lee), "name") == sorted(
            [world.oak, world.elm]
        )
        assert everything(session, meeting_listing(actor=jones), "held_on") == [scoped.oak_meeting]
        assert everything(session, meeting_listing(world.elm, jones), "held_on") == []
        assert len(everything(session, meeting_listing(actor=lee), "held_on")) == 2
        actions = action_listing(ActionFilter(status="all"), TODAY, jones)
        assert actions.count(session) == 1
        assert actions.page(session, Sort("status"), 0, 5)[0][5] == "Oakview House"
        details = home_details(session, world.oak, NOW, actor=jones)
        assert details is not None and details.home.name == "Oakview House"
        with pytest.raises(PermissionDenied, match="Elm Lodge"):
            home_details(session, world.elm, NOW, actor=jones)
        assert home_details(session, world.elm, NOW, actor=lee) is not None


def test_the_episodes_behind_a_chart_are_the_pcsos_only(scoped: Scoped) -> None:
    world, db = scoped.world, scoped.world.db
    november = EpisodeQuery("November", date(2025, 11, 1), date(2025, 11, 30))
    with db.session() as session:
        jones_ids = episode_ids(session, november, actor=actor(db, "pcso.jones"))
        assert jones_ids == [scoped.amy_new]
        assert episode_ids(session, november, actor=actor(db, "pcso.smith")) == [
            scoped.dan_episode, scoped.ben_new,
        ]  # fmt: skip
        assert episode_ids(session, november) == [
            scoped.dan_episode, scoped.amy_new, scoped.ben_new,
        ]  # fmt: skip
        assert episode_ids(session, november, actor=actor(db, "sgt.lee")) == [
            scoped.dan_episode, scoped.amy_new, scoped.ben_new,
        ]  # fmt: skip
    assert world.oak != world.elm


def test_a_database_without_accounts_shows_everything(records: Records, db: Database) -> None:
    """No user has a password (demo, tests): whoever opens it reads every record."""
    oak = records.create_home("SC100001", "Oakview House").record.id
    elm = records.create_home("SC100002", "Elm Lodge").record.id
    for ref, home in (("C1", oak), ("C2", elm)):
        child = records.create_child(ref, date(2010, 1, 1)).record.id
        records.add_placement(child, home, date(2024, 1, 1))
        records.record_missing(child, at(14, 20))
    who = actor(db, "pcso.jones")
    assert who.home_scope is None
    with db.session() as session:
        assert children_listing(ChildFilter(), NOW, who).count(session) == 2
        assert episode_listing(EpisodeFilter(), who).count(session) == 2
        assert len(missing_now(session, NOW, who)) == 2
        assert home_listing(HomeFilter(), NOW, who).count(session) == 2
