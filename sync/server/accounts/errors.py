"""The typed errors of the accounts slice: one sentence a user can read each, and its HTTP status."""

from __future__ import annotations

import math

from core.errors import PrintstallError


class AccountError(PrintstallError):
    """Base class of every accounts error; `status_code` is what the HTTP layer answers with."""

    status_code = 400


class InvalidEmail(AccountError):
    """The text given as an email address cannot be one."""

    status_code = 422

    def __init__(self) -> None:
        super().__init__("Enter an email address such as name@example.com.")


class WeakPassword(AccountError):
    """A new password breaks one of the password rules (the message says which)."""

    status_code = 422


class InvalidCredentials(AccountError):
    """Wrong email or password; deliberately does not say which."""

    status_code = 401

    def __init__(self) -> None:
        super().__init__("The email address or password is not right.")


class EmailNotVerified(AccountError):
    """The password was right but the address has not been confirmed with its code yet."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__("Confirm your email address with the code we sent before signing in.")


class InvalidCode(AccountError):
    """A one-time code that is wrong, expired, used up or was never sent."""

    status_code = 400


class InvalidAccessToken(AccountError):
    """An access token that is malformed, tampered with, expired, or meant for another service."""

    status_code = 401

    def __init__(self) -> None:
        super().__init__("Your session has expired; sign in again.")


class AccountClosed(InvalidAccessToken):
    """An access token of an account that has been deleted (it may not have expired yet)."""

    def __init__(self) -> None:
        AccountError.__init__(self, "This account has been deleted; sign up again to sync.")


class WrongPassword(AccountError):
    """The current password, asked again before deleting the account, is not right. 403, not 401: the session
    is fine, so the app must not sign the user out."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__("The password is not right, so nothing was deleted.")


class InvalidRefreshToken(AccountError):
    """A refresh token that is unknown, expired, revoked, or was reused (its whole session is then ended)."""

    status_code = 401

    def __init__(self, reused: bool = False) -> None:
        message = (
            "This session was ended because its sign-in was used twice; sign in again."
            if reused
            else "Your session has ended; sign in again."
        )
        super().__init__(message)
        self.reused = reused


class RateLimited(AccountError):
    """Too many attempts in the current window; `retry_after` is the whole seconds to wait."""

    status_code = 429

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        minutes = math.ceil(self.retry_after / 60)
        wait = f"{self.retry_after} seconds" if self.retry_after < 120 else f"{minutes} minutes"
        super().__init__(f"Too many attempts; try again in {wait}.")


class MailError(AccountError):
    """The email provider refused or could not be reached."""

    status_code = 503


class DeletionFailed(AccountError):
    """Deleting the account stopped before the account itself went (storage or database unreachable); the
    account still works, so the user can try again."""

    status_code = 503


class ExportFailed(AccountError):
    """The export could not be built or stored; nothing was changed."""

    status_code = 503
