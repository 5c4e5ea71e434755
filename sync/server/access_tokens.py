"""Access tokens: the `current_owner` dependency every authenticated endpoint uses, and minting tokens.

An access token is a JWT signed with HS256 and the service's secret (PRINTSTALL_SERVER_JWT_SECRET), with
the claims `sub` (the user's id, a UUID), `aud` (PRINTSTALL_SERVER_JWT_AUDIENCE) and `exp`, all required.
Anything else (no token, a bad signature, another audience, expired, a subject that is not a UUID) is 401.
The accounts endpoints (sync/server/accounts/) issue tokens with `issue_access_token`; this check stays.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync.server.config import Settings

ALGORITHM = "HS256"

_bearer = HTTPBearer(auto_error=False)


def issue_access_token(settings: Settings, user_id: str, *, ttl_s: int | None = None) -> str:
    now = int(time.time())
    claims = {
        "sub": str(uuid.UUID(user_id)),
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + (settings.access_token_ttl_s if ttl_s is None else ttl_s),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def owner_of_token(settings: Settings, token: str) -> str:
    """The user id a valid access token names; raises jwt.InvalidTokenError or ValueError otherwise."""
    claims = jwt.decode(
        token,
        settings.jwt_secret.get_secret_value(),
        algorithms=[ALGORITHM],
        audience=settings.jwt_audience,
        options={"require": ["sub", "aud", "exp"]},
    )
    return str(uuid.UUID(str(claims["sub"])))


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def current_owner(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """FastAPI dependency: the authenticated user's id (the owner of every row the request touches)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorised("Sign in to sync.")
    settings: Settings = request.app.state.settings
    try:
        return owner_of_token(settings, credentials.credentials)
    except jwt.ExpiredSignatureError:
        raise _unauthorised("Your session has expired; sign in again.") from None
    except (jwt.InvalidTokenError, ValueError):
        raise _unauthorised("The sign-in token is not valid; sign in again.") from None


Owner = Annotated[str, Depends(current_owner)]
