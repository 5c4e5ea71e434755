"""Access tokens: the `current_claims` and `current_owner` dependencies every authenticated endpoint uses.

A token is checked by the app's `AccountService` (`app.state.accounts`, see sync.server.accounts.tokens):
HS256 with the access key derived from PRINTSTALL_SERVER_JWT_SECRET, the claims `sub` (the user's id, a
UUID), `aud`, `iss`, `iat`, `exp`, `jti`, `did` and `sid`. Anything else (no token, a bad signature, another
audience, expired, a subject that is not a UUID) is 401 with `WWW-Authenticate: Bearer`. Tokens come from the
accounts endpoints (sync.server.accounts_api); `issue_access_token` mints one directly (tests, tools).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync.server.accounts.errors import InvalidAccessToken
from sync.server.accounts.service import AccountKeys, AccountService
from sync.server.accounts.tokens import AccessClaims, AccessTokens
from sync.server.config import Settings

_bearer = HTTPBearer(auto_error=False)


def account_keys(settings: Settings) -> AccountKeys:
    """The accounts' keys, all derived from the JWT secret (and the previous one while it is rotated out)."""
    previous = settings.jwt_previous_secret
    return AccountKeys.from_secret(
        settings.jwt_secret.get_secret_value().encode("utf-8"),
        (previous.get_secret_value().encode("utf-8"),) if previous is not None else (),
    )


def access_tokens(settings: Settings) -> AccessTokens:
    """Access tokens as the configured service issues and checks them (keys, audience, lifetime)."""
    keys = account_keys(settings)
    return AccessTokens(
        keys.access,
        audience=settings.jwt_audience,
        lifetime=timedelta(seconds=settings.access_token_ttl_s),
        previous_keys=keys.previous_access,
    )


def issue_access_token(
    settings: Settings, user_id: str, *, device_id: str = "tool", session_id: str | None = None
) -> str:
    """An access token for `user_id` that the app built from `settings` accepts (without any session row)."""
    session = session_id or str(uuid.uuid4())
    token, _expires = access_tokens(settings).issue(str(uuid.UUID(user_id)), device_id, session)
    return token


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def current_claims(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> AccessClaims:
    """FastAPI dependency: the claims of the request's valid access token (401 otherwise)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorised("Sign in to sync.")
    accounts: AccountService = request.app.state.accounts
    try:
        claims = accounts.authenticate(credentials.credentials)
        uuid.UUID(claims.user_id)
    except InvalidAccessToken as error:
        raise _unauthorised(str(error)) from None
    except ValueError:
        raise _unauthorised("The sign-in token is not valid; sign in again.") from None
    return claims


Claims = Annotated[AccessClaims, Depends(current_claims)]


def current_owner(claims: Claims) -> str:
    """FastAPI dependency: the authenticated user's id (the owner of every row the request touches)."""
    return str(uuid.UUID(claims.user_id))


Owner = Annotated[str, Depends(current_owner)]
