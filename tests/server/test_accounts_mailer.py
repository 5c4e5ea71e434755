"""What the mailers would send: .eml files, the console, and Resend's HTTP request (through MockTransport)."""

from __future__ import annotations

import email
import email.policy
import io
import json
from pathlib import Path

import httpx
import pytest

from sync.server.accounts.errors import MailError
from sync.server.accounts.mailer import (
    RESEND_KEY_ENV,
    ConsoleMailer,
    FileMailer,
    ResendMailer,
    reset_message,
    verification_message,
)


def test_file_mailer_writes_an_eml_per_message(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path / "mail")
    mailer.send(verification_message("anna@example.com", "ABCD2345"))
    mailer.send(reset_message("anna@example.com", "WXYZ6789"))
    assert [p.name.split("-")[-1] for p in mailer.sent] == ["verify_email.eml", "reset_password.eml"]
    parsed = email.message_from_bytes(mailer.sent[0].read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "anna@example.com"
    assert parsed["Subject"] == "Your Printstall code: ABCD2345"
    body = parsed.get_body()
    assert body is not None and "    ABCD2345\n" in body.get_content() and "30 minutes" in body.get_content()


def test_console_mailer_prints(tmp_path: Path) -> None:
    stream = io.StringIO()
    ConsoleMailer(stream).send(reset_message("anna@example.com", "WXYZ6789"))
    assert "email to anna@example.com" in stream.getvalue() and "WXYZ6789" in stream.getvalue()


def test_resend_mailer_posts_the_message() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"})

    mailer = ResendMailer(
        "re_test_key",
        "Printstall <codes@printstall.app>",
        client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    mailer.send(verification_message("anna@example.com", "ABCD2345"))
    (request,) = seen
    assert request.method == "POST" and str(request.url) == "https://api.resend.com/emails"
    assert request.headers["Authorization"] == "Bearer re_test_key"
    assert request.headers["Idempotency-Key"]
    assert json.loads(request.content) == {
        "from": "Printstall <codes@printstall.app>",
        "to": ["anna@example.com"],
        "subject": "Your Printstall code: ABCD2345",
        "text": verification_message("anna@example.com", "ABCD2345").text,
    }


def test_resend_refusals_and_outages_are_mail_errors() -> None:
    refused = ResendMailer(
        "re_k", client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(422, json={})))
    )
    with pytest.raises(MailError, match="answered 422"):
        refused.send(reset_message("anna@example.com", "WXYZ6789"))

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    unreachable = ResendMailer("re_k", client=httpx.Client(transport=httpx.MockTransport(down)))
    with pytest.raises(MailError, match="did not answer"):
        unreachable.send(reset_message("anna@example.com", "WXYZ6789"))


def test_resend_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RESEND_KEY_ENV, raising=False)
    with pytest.raises(MailError, match=RESEND_KEY_ENV):
        ResendMailer.from_env()
    monkeypatch.setenv(RESEND_KEY_ENV, "re_from_env")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json={"id": "x"})

    ResendMailer.from_env(client=httpx.Client(transport=httpx.MockTransport(handler))).send(
        reset_message("anna@example.com", "WXYZ6789")
    )
    assert seen == ["Bearer re_from_env"]
