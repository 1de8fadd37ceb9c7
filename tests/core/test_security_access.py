"""Each role's limits, enforced by the core's use cases (not only by the window's buttons)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from missing_app.core.db import Database
from missing_app.core.models import AuditEvent, MissingEpisode, Setting
from missing_app.core.records import Records
from missing_app.core.security.access import Actor, can_see_names, resolve_actor
from missing_app.core.security.errors import PermissionDenied
from missing_app.core.security.users import Users
from tests.conftest import NOW
from tests.security_helpers import PASSWORD, World, as_user, audited_views, build_world
from tests.security_helpers import cheap_kdf as cheap_kdf  # the fixture, used by every test

pytestmark = pytest.mark.usefixtures("cheap_kdf")

RETURNED = datetime(2025, 10, 3, 8, tzinfo=UTC)


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def audit_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_a_database_without_accounts_has_no_limits(records: Records, db: Database) -> None:
    home = records.create_home("SC100009", "Ash House").record
    records.set_setting("repeat_threshold", 4)
    with db.session() as session:
        assert resolve_actor(session, "anyone") == Actor("anyone")
        assert session.get_one(Setting, "repeat_threshold").value == "4"
    assert home.id is not None


def test_demo_officers_without_passwords_do_not_close_the_database(records: Records) -> None:
    """The demo lists PCSOs (no passwords): the database stays open to whoever uses it."""
    from missing_app.core.models import User

    with records.db.transaction() as session:
        session.add(User(username="demo.pcso001", display_name="PCSO", role="pcso", created_at=NOW))
    assert records.create_home("SC100009", "Ash House").record.urn == "SC100009"


def test_a_pcso_changes_records_of_their_homes_only(world: World) -> None:
    jones = as_user(world.db, "pcso.jones")
    jones.update_child(world.amy, social_worker="J Bloggs")
    jones.record_return(world.amy_episode, RETURNED)
    jones.update_home(world.oak, beds=4)
    before = audit_count(world.db)
    with pytest.raises(PermissionDenied) as denied:
        jones.record_return(world.ben_episode, RETURNED)
    assert str(denied.value) == (
        "pcso.jones (PCSO) cannot change records of Elm Lodge (SC100002): it is not one of "
        "their homes; ask a supervisor."
    )
    with pytest.raises(PermissionDenied, match=r"child .* has not been placed at one of their"):
        jones.update_child(world.ben, social_worker="X")
    with pytest.raises(PermissionDenied, match="Elm Lodge"):
        jones.record_meeting(world.elm, date(2025, 11, 1))
    with pytest.raises(PermissionDenied, match="Elm Lodge"):
        jones.record_missing(world.ben, datetime(2025, 11, 1, 20, tzinfo=UTC))
    # Nothing written but the four refusals, audited (issue 12).
    with world.db.session() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(e.username, e.action) for e in refused] == [("pcso.jones", "refused")] * 4
    assert refused[0].why == str(denied.value)
    with world.db.session() as session:
        assert session.get_one(MissingEpisode, world.ben_episode).returned_at is None


def test_a_pcso_cannot_move_an_episode_or_a_home_out_of_their_reach(world: World) -> None:
    jones = as_user(world.db, "pcso.jones")
    with pytest.raises(PermissionDenied, match="Elm Lodge"):
        jones.update_episode(world.amy_episode, home_id=world.elm)
    with pytest.raises(PermissionDenied, match="cannot add care homes or assign their PCSO"):
        jones.update_home(world.oak, pcso_id=None)
    with pytest.raises(PermissionDenied, match="cannot add care homes"):
        jones.create_home("SC100003", "Birch Court")
    jones.update_home(world.oak, name="Oakview", pcso_id=_id(world, "pcso.jones"))  # unchanged


def _id(world: World, username: str) -> int:
    from missing_app.core.models import User

    with world.db.session() as session:
        return session.scalars(select(User.id).where(User.username == username)).one()


def test_a_pcso_may_add_a_new_child_and_place_them_at_their_home(world: World) -> None:
    jones = as_user(world.db, "pcso.jones")
    child = jones.create_child("C3", date(2012, 1, 1), first_name="Cal").record
    jones.update_profile(child.id, description="tall")  # no home yet: theirs to fill in
    jones.add_placement(child.id, world.oak, date(2025, 11, 1))
    with pytest.raises(PermissionDenied, match="Elm Lodge"):
        jones.add_placement(child.id, world.elm, date(2025, 11, 10))


def test_a_pcso_cannot_change_settings(world: World) -> None:
    with pytest.raises(PermissionDenied) as denied:
        as_user(world.db, "pcso.jones").set_setting("repeat_threshold", 4)
    assert str(denied.value) == "pcso.jones (PCSO) cannot change settings; ask a supervisor."


def test_a_supervisor_works_on_every_home_and_changes_settings(world: World) -> None:
    lee = as_user(world.db, "sgt.lee")
    lee.record_return(world.ben_episode, RETURNED)
    lee.update_child(world.amy, social_worker="A Person")
    lee.set_setting("repeat_threshold", 4)
    lee.create_home("SC100003", "Birch Court")
    lee.update_home(world.oak, pcso_id=_id(world, "pcso.smith"))
    with pytest.raises(
        PermissionDenied, match=r"sgt.lee \(supervisor\) cannot manage users; ask an administrator"
    ):
        Users(world.db, "sgt.lee").add_user("pcso.new", "New", "pcso", PASSWORD)


def test_an_analyst_changes_nothing_at_all(world: World) -> None:
    kim = as_user(world.db, "analyst.kim")
    before = audit_count(world.db)
    attempts = [
        lambda: kim.create_child("C9", date(2012, 1, 1)),
        lambda: kim.update_child(world.amy, first_name="X"),
        lambda: kim.record_return(world.amy_episode, RETURNED),
        lambda: kim.record_meeting(world.oak, date(2025, 11, 1)),
        lambda: kim.set_setting("repeat_threshold", 4),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match=r"analyst.kim \(analyst\) cannot"):
            attempt()
    assert audit_count(world.db) == before + len(attempts)  # the refusals alone (issue 12)


def test_names_are_hidden_from_analysts_until_granted(world: World) -> None:
    def actor(username: str) -> Actor:
        with world.db.session() as session:
            return resolve_actor(session, username)

    assert not can_see_names(actor("analyst.kim"))
    assert can_see_names(actor("pcso.jones")) and can_see_names(actor("sgt.lee"))
    Users(world.db, "admin.ada").grant_names("analyst.kim")
    assert can_see_names(actor("analyst.kim"))
    Users(world.db, "admin.ada").grant_names("analyst.kim", granted=False)
    assert not can_see_names(actor("analyst.kim"))


def test_the_administrator_may_do_what_a_supervisor_may(world: World) -> None:
    ada = as_user(world.db, "admin.ada")
    ada.set_setting("unit_cost", 1325.44)
    ada.record_return(world.ben_episode, RETURNED)


def test_strangers_and_removed_users_are_refused_once_accounts_exist(world: World) -> None:
    with pytest.raises(PermissionDenied, match=r"pcso\.nobody is not a user of this database"):
        as_user(world.db, "pcso.nobody").update_child(world.amy, first_name="X")
    Users(world.db, "admin.ada").remove_user("pcso.smith")
    with pytest.raises(PermissionDenied, match=r"pcso\.smith is not a user"):
        as_user(world.db, "pcso.smith").record_return(world.ben_episode, RETURNED)


def test_a_view_of_a_childs_record_is_audited_and_limited(world: World) -> None:
    as_user(world.db, "analyst.kim").record_view("children", world.amy)
    as_user(world.db, "pcso.jones").record_view("missing_episodes", world.amy_episode)
    with pytest.raises(PermissionDenied, match="cannot see records of child"):
        as_user(world.db, "pcso.jones").record_view("children", world.ben)
    assert audited_views(world.db) == [
        ("analyst.kim", "children", world.amy),
        ("pcso.jones", "missing_episodes", world.amy_episode),
    ]
