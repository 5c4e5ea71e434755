"""The account endpoints: sign-up, confirmation, sessions and passwords, over `AccountService`.

All under `/v1/account`, with the same `Printstall-Protocol` header rule as `/v1/sync`:

- `POST register` `{email, password}` → 202 (the same answer whether or not the address has an account);
- `POST verify/request` `{email}` → 202, a fresh confirmation code for an unconfirmed account;
- `POST verify` `{email, code, device_id}` → a `SessionResponse` (confirming signs the device in);
- `POST login` `{email, password, device_id}` → a `SessionResponse`;
- `POST refresh` `{refresh_token}` → a `SessionResponse` with the rotated refresh token;
- `POST logout` `{refresh_token}` → 204; `POST logout-all` (bearer) → 204, every device of the user;
- `POST password` `{current_password, new_password}` (bearer) → 204, every other session ends;
- `POST reset/request` `{email}` → 202; `POST reset` `{email, code, new_password}` → 204, every session ends.
- `GET audit` (bearer) → `{"events": [{at, event, device_id, address, detail}]}`, the latest 100, newest
  first (see `AccountService` for what is recorded);
- `POST export` (bearer) → `{export_id, url, expires_at, size}`: a presigned GET of a zip archive of all the
  user's rows and files, valid for an hour (sync.server.data_rights); 503 when the storage fails;
- `DELETE` (bearer) `{password}` → 204 after every file, row, session and the account itself went; 403 with
  nothing deleted for a wrong password; 503 when the storage or database failed midway (the account still
  works; try again).

An `AccountError` answers its `status_code` with `{"detail": sentence}` (`account_error_response`, which
`create_app` registers); 429 carries `Retry-After`. Rate limits count the client address
(`request.client.host`). The routes are plain functions: argon2 and the database block, so FastAPI runs them
on its thread pool.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sync.server import data_rights
from sync.server.access_tokens import Claims
from sync.server.accounts.errors import AccountError, RateLimited
from sync.server.accounts.repository import AuditEvent
from sync.server.accounts.service import AccountService, Session
from sync.server.blobs_api import blob_store

MAX_EMAIL = 320
MAX_PASSWORD = 4096  # the service refuses more than 1024 characters with a sentence; this bounds the body
MAX_CODE = 64
MAX_DEVICE_ID = 128
MAX_REFRESH_TOKEN = 512
UNKNOWN_ADDRESS = "unknown"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(_Body):
    email: str = Field(max_length=MAX_EMAIL)
    password: str = Field(max_length=MAX_PASSWORD)


class EmailRequest(_Body):
    email: str = Field(max_length=MAX_EMAIL)


class VerifyRequest(_Body):
    email: str = Field(max_length=MAX_EMAIL)
    code: str = Field(max_length=MAX_CODE)
    device_id: str = Field(min_length=1, max_length=MAX_DEVICE_ID)


class LoginRequest(_Body):
    email: str = Field(max_length=MAX_EMAIL)
    password: str = Field(max_length=MAX_PASSWORD)
    device_id: str = Field(min_length=1, max_length=MAX_DEVICE_ID)


class RefreshRequest(_Body):
    refresh_token: str = Field(max_length=MAX_REFRESH_TOKEN)


class ChangePasswordRequest(_Body):
    current_password: str = Field(max_length=MAX_PASSWORD)
    new_password: str = Field(max_length=MAX_PASSWORD)


class ResetRequest(_Body):
    email: str = Field(max_length=MAX_EMAIL)
    code: str = Field(max_length=MAX_CODE)
    new_password: str = Field(max_length=MAX_PASSWORD)


class DeleteAccountRequest(_Body):
    password: str = Field(max_length=MAX_PASSWORD)


class AuditEntry(BaseModel):
    at: datetime
    event: str
    device_id: str | None
    address: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEntry:
        return cls(
            at=event.at,
            event=event.event,
            device_id=event.device_id,
            address=event.address,
            detail=event.detail,
        )


class AuditResponse(BaseModel):
    events: list[AuditEntry]


class ExportResponse(BaseModel):
    """Where to download the export: a presigned GET, valid until `expires_at`; `size` in bytes."""

    export_id: str
    url: str
    expires_at: datetime
    size: int


class SessionResponse(BaseModel):
    """A signed-in device: a short-lived access token (bearer) and the refresh token that renews it."""

    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user_id: str

    @classmethod
    def of(cls, session: Session) -> SessionResponse:
        return cls(
            access_token=session.access_token,
            access_expires_at=session.access_expires_at,
            refresh_token=session.refresh_token,
            refresh_expires_at=session.refresh_expires_at,
            user_id=session.user_id,
        )


def account_error_response(_request: Request, error: Exception) -> JSONResponse:
    """Exception handler: an `AccountError` as its status and sentence (429 with `Retry-After`)."""
    if not isinstance(error, AccountError):  # pragma: no cover - registered for AccountError only
        raise error
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return JSONResponse({"detail": str(error)}, status_code=error.status_code, headers=headers)


def accounts_of(request: Request) -> AccountService:
    service: AccountService = request.app.state.accounts
    return service


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else UNKNOWN_ADDRESS


def make_router() -> APIRouter:
    """The account routes; errors are answered by `account_error_response`."""
    router = APIRouter(prefix="/v1/account", tags=["account"])

    @router.post("/register", status_code=202, response_class=Response)
    def register(body: RegisterRequest, request: Request) -> Response:
        accounts_of(request).register(body.email, body.password, address=client_address(request))
        return Response(status_code=202)

    @router.post("/verify/request", status_code=202, response_class=Response)
    def request_verification(body: EmailRequest, request: Request) -> Response:
        accounts_of(request).request_verification(body.email, address=client_address(request))
        return Response(status_code=202)

    @router.post("/verify", response_model=SessionResponse)
    def verify(body: VerifyRequest, request: Request) -> SessionResponse:
        session = accounts_of(request).verify_email(
            body.email, body.code, device_id=body.device_id, address=client_address(request)
        )
        return SessionResponse.of(session)

    @router.post("/login", response_model=SessionResponse)
    def login(body: LoginRequest, request: Request) -> SessionResponse:
        session = accounts_of(request).login(
            body.email, body.password, device_id=body.device_id, address=client_address(request)
        )
        return SessionResponse.of(session)

    @router.post("/refresh", response_model=SessionResponse)
    def refresh(body: RefreshRequest, request: Request) -> SessionResponse:
        return SessionResponse.of(
            accounts_of(request).refresh(body.refresh_token, address=client_address(request))
        )

    @router.post("/logout", status_code=204, response_class=Response)
    def logout(body: RefreshRequest, request: Request) -> Response:
        accounts_of(request).logout(body.refresh_token, address=client_address(request))
        return Response(status_code=204)

    @router.post("/logout-all", status_code=204, response_class=Response)
    def logout_all(claims: Claims, request: Request) -> Response:
        accounts_of(request).logout_all(claims, address=client_address(request))
        return Response(status_code=204)

    @router.post("/password", status_code=204, response_class=Response)
    def change_password(claims: Claims, body: ChangePasswordRequest, request: Request) -> Response:
        accounts_of(request).change_password(
            claims, body.current_password, body.new_password, address=client_address(request)
        )
        return Response(status_code=204)

    @router.post("/reset/request", status_code=202, response_class=Response)
    def request_reset(body: EmailRequest, request: Request) -> Response:
        accounts_of(request).request_reset(body.email, address=client_address(request))
        return Response(status_code=202)

    @router.post("/reset", status_code=204, response_class=Response)
    def reset(body: ResetRequest, request: Request) -> Response:
        accounts_of(request).reset_password(
            body.email, body.code, body.new_password, address=client_address(request)
        )
        return Response(status_code=204)

    @router.get("/audit", response_model=AuditResponse)
    def audit(claims: Claims, request: Request) -> AuditResponse:
        events = accounts_of(request).audit_log(claims.user_id)
        return AuditResponse(events=[AuditEntry.of(event) for event in events])

    @router.post("/export", response_model=ExportResponse)
    def export(claims: Claims, request: Request) -> ExportResponse:
        link = data_rights.export_account(
            request.app.state.engine,
            blob_store(request),
            accounts_of(request),
            claims,
            address=client_address(request),
        )
        return ExportResponse(
            export_id=link.export_id, url=link.url, expires_at=link.expires_at, size=link.size
        )

    @router.delete("", status_code=204, response_class=Response)
    def delete_account(claims: Claims, body: DeleteAccountRequest, request: Request) -> Response:
        data_rights.delete_account(
            request.app.state.engine, blob_store(request), accounts_of(request), claims, body.password
        )
        return Response(status_code=204)

    return router
