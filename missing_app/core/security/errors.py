"""What goes wrong when signing in or acting beyond a role, worded for the person."""

from __future__ import annotations

from missing_app.core.errors import HomewardError


class PermissionDenied(HomewardError):
    """The user's role does not allow this; nothing was changed."""


class SignInFailed(HomewardError):
    """The user name or password was wrong, or the account cannot sign in.

    `reason` is what the audit log records: "wrong password", "account locked",
    "not a user" or "account switched off".
    """

    def __init__(self, message: str, reason: str = "wrong password") -> None:
        super().__init__(message)
        self.reason = reason


class AccountLocked(SignInFailed):
    """Too many failed sign-ins: the account is locked for a while."""
