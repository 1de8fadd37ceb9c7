"""Signing in on the command line, `missing-app encrypt` and `missing-app users ...`.

Who: `--user NAME` (else the computer's login name). The password: `MISSING_APP_PASSWORD`,
else a prompt, asked only when the database has accounts or is encrypted. A new password
(`users add`, `users passwd`, the first administrator of `encrypt`): `MISSING_APP_NEW_PASSWORD`,
else a prompt asked twice. Every command that opens the database through `cli._open` signs
in first, and the role must allow what the command does (`COMMAND_NEEDS`).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from missing_app.core.errors import HomewardError
from missing_app.core.security.access import Permission, require

if TYPE_CHECKING:
    from missing_app.core.db import Database
    from missing_app.core.security.access import Actor
    from missing_app.core.security.signin import SignedIn
    from missing_app.core.security.users import Users

PASSWORD_ENV = "MISSING_APP_PASSWORD"
NEW_PASSWORD_ENV = "MISSING_APP_NEW_PASSWORD"

# What each command's role must allow (checked once signed in); None: the core decides.
COMMAND_NEEDS: dict[str, Permission | None] = {
    "demo": Permission.IMPORT,
    "import": Permission.IMPORT,
    "stats": Permission.REPORT,
    "report": Permission.REPORT,
    "export": Permission.REPORT,
    "validate": Permission.READ,
    "backup": Permission.BACKUP,
    "restore": Permission.BACKUP,
}


@dataclass
class _Current:
    """This run's sign-in: who was asked for, what the command needs, who signed in."""

    user: str | None = None
    need: Permission | None = None
    signed: SignedIn | None = None


CURRENT = _Current()


def begin(user: str | None, command: str | None) -> None:
    """Start a command: who it runs as and what it needs (called by cli.main)."""
    CURRENT.user, CURRENT.signed = user, None
    CURRENT.need = COMMAND_NEEDS.get(command or "")


def finish() -> None:
    """Close the database the command signed in to (and release its lock)."""
    if CURRENT.signed is not None:
        CURRENT.signed.db.close()
        CURRENT.signed = None


def username() -> str:
    """The user named by --user, else the computer's login name."""
    return CURRENT.user or getpass.getuser()


def acting_user() -> str:
    """Who this command acts as, for audit rows (after signing in)."""
    return CURRENT.signed.username if CURRENT.signed else username()


def acting_actor() -> Actor:
    """The signed-in actor (sign in first, through cli._open)."""
    if CURRENT.signed is None:
        raise HomewardError("Not signed in.")
    return CURRENT.signed.actor


def ask_password() -> str:
    """The signing-in user's password: from the environment, else asked for."""
    given = os.environ.get(PASSWORD_ENV)
    if given is not None:
        return given
    _need_terminal(PASSWORD_ENV)
    return getpass.getpass(f"Password for {username()}: ")


def ask_new_password(whose: str) -> str:
    """A new password: from the environment, else asked for twice."""
    given = os.environ.get(NEW_PASSWORD_ENV)
    if given is not None:
        return given
    _need_terminal(NEW_PASSWORD_ENV)
    first = getpass.getpass(f"New password for {whose}: ")
    if getpass.getpass("The same again: ") != first:
        raise HomewardError("The two passwords differ; nothing was changed.")
    return first


def _need_terminal(variable: str) -> None:
    if not sys.stdin.isatty():
        raise HomewardError(
            f"A password is needed: set {variable}, or run the command in a terminal."
        )


def open_signed_in(target: str, *, exclusive: bool = False) -> Database:
    """Sign in to the database at `target`; refuse if the role may not run this command."""
    from missing_app.core.security.signin import sign_in

    signed = sign_in(target, username(), ask_password, exclusive=exclusive)
    if CURRENT.need is not None:
        try:
            require(signed.actor, CURRENT.need)
        except HomewardError:
            signed.db.close()
            raise
    CURRENT.signed = signed
    return signed.db


def key_provider(target: str) -> Callable[[Path], bytes]:
    """The key of an encrypted database or backup, for `backup` and `restore` (cli_safety).

    Signs in first to the database at `target` when it can be opened, encrypted or plain
    with accounts, and refuses all but administrators (`sign_in_to_back_up`). When it cannot
    be opened (a restore over a missing or damaged file), the key comes from the keyring
    beside the backup and the password of one of its users.
    """
    from missing_app.core.security.signin import unlock_key

    signed_key = sign_in_to_back_up(target)

    def provide(path: Path) -> bytes:
        if signed_key is not None:
            return signed_key
        return unlock_key(path, username(), ask_password())

    return provide


def sign_in_to_back_up(target: str) -> bytes | None:
    """Sign in to the live database at `target` as an administrator; returns its key, if
    encrypted. A plain database without accounts asks nothing; a missing or damaged one,
    or an encrypted one without a keyring, is left to the command."""
    from missing_app.core.db.cipher import is_encrypted
    from missing_app.core.db.errors import DatabaseDamaged
    from missing_app.core.security.keyring import has_keyring
    from missing_app.core.security.signin import database_file, sign_in

    live = database_file(target)
    if live is None or not live.is_file() or (is_encrypted(live) and not has_keyring(live)):
        return None
    try:
        signed = sign_in(target, username(), ask_password)
    except DatabaseDamaged:
        return None
    try:
        require(signed.actor, Permission.BACKUP)
        return signed.key
    finally:
        signed.db.close()


def with_key(handler: Callable[..., int]) -> Callable[[argparse.Namespace, str], int]:
    """A backup or restore handler given the sign-in's key provider."""
    return lambda args, target: handler(args, target, key_provider(target))


# missing-app encrypt ---------------------------------------------------------------------------


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `encrypt` and `users` commands."""
    commands.add_parser(
        "encrypt",
        help="encrypt the database in place (its key kept in FILE.keys, wrapped per user)",
    )
    users = commands.add_parser("users", help="manage users (administrators)")
    actions = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every user, role and state")
    add = actions.add_parser("add", help="add a user (their password is asked for)")
    add.add_argument("name", metavar="USERNAME")
    add.add_argument("--role", required=True, choices=("pcso", "supervisor", "analyst",
                                                       "administrator"))  # fmt: skip
    add.add_argument("--display-name", metavar="TEXT", help="the person's name")
    add.add_argument("--see-names", action="store_true", help="an analyst who may see names")
    passwd = actions.add_parser("passwd", help="set a user's password (also unlocks)")
    passwd.add_argument("name", metavar="USERNAME")
    remove = actions.add_parser("remove", help="switch a user off and forget their password")
    remove.add_argument("name", metavar="USERNAME")
    actions.add_parser("rekey", help="give an encrypted database a new key (old ones stop working)")
    grant = actions.add_parser("grant-names", help="let an analyst see children's names")
    grant.add_argument("name", metavar="USERNAME")
    grant.add_argument("--revoke", action="store_true", help="take the grant back")


def run_encrypt(args: argparse.Namespace, target: str) -> int:
    from missing_app.cli_safety import finish_encryption
    from missing_app.core.db import is_encrypted, open_database
    from missing_app.core.security.access import accounts_exist
    from missing_app.core.security.encryption import (
        encrypt_existing_database,
        plain_database_file,
    )
    from missing_app.core.security.keyring import keyring_path
    from missing_app.core.security.signin import database_file, unlock_key

    found = database_file(target)
    if found is not None and is_encrypted(found):  # a run stopped half way: finish it
        return finish_encryption(found, unlock_key(found, username(), ask_password()))
    path = plain_database_file(target)
    db = open_database(target)
    try:
        with db.session() as session:
            first = not accounts_exist(session)
    finally:
        db.close()
    password = ask_new_password(username()) if first else ask_password()
    done = encrypt_existing_database(target, username(), password)
    made = " (its first administrator)" if done.created_administrator else ""
    print(f"Encrypted {path} for {done.administrator}{made}.")
    print(f"Its key is kept, wrapped, in {keyring_path(path)}: back the two files up together.")
    _say_without_key(done.without_key)
    return 0


# missing-app users ... -------------------------------------------------------------------------


def run_users(args: argparse.Namespace, target: str) -> int:
    from missing_app.core.security.users import Users

    db = open_signed_in(target, exclusive=args.action != "list")
    users = Users(db, acting_user())
    if args.action == "list":
        _print_users(users)
    elif args.action == "add":
        password = ask_new_password(args.name)
        name = args.display_name or args.name
        users.add_user(args.name, name, args.role, password, can_see_names=args.see_names)
        print(f"Added {args.name} ({args.role}).")
    elif args.action == "passwd":
        users.set_password(args.name, ask_new_password(args.name))
        print(f"Password set for {args.name}.")
    elif args.action == "remove":
        without = users.remove_user(args.name)
        print(f"Removed {args.name}: switched off, password and key forgotten.")
        _say_without_key(without)
    elif args.action == "rekey":
        done = users.rekey()
        print(f"{db.path} has a new key, sealed for {', '.join(done.kept)}; "
              "older copies of its key file no longer open it.")  # fmt: skip
        _say_without_key(done.without_key)
    else:
        users.grant_names(args.name, granted=not args.revoke)
        print(f"{args.name} {'may no longer' if args.revoke else 'may now'} see children's names.")
    return 0


def _say_without_key(usernames: tuple[str, ...]) -> None:
    if usernames:
        print(
            "These users need a new password before they can sign in: "
            + ", ".join(usernames)
            + " (missing-app users passwd USERNAME)."
        )


def _print_users(users: Users) -> None:
    from missing_app.core.times import local, utc_now

    rows = [("USERNAME", "NAME", "ROLE", "STATE", "HOMES")]
    for account in users.list_users():
        state = (
            "active" if account.can_sign_in else ("no password" if account.active else "removed")
        )
        if account.locked_until is not None and account.locked_until > utc_now():
            state = f"locked until {local(account.locked_until):%d/%m %H:%M}"
        if account.can_see_names and account.role == "analyst":
            state += ", sees names"
        rows.append((account.username, account.display_name, account.role_label, state,
                     " ".join(account.home_urns)))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
