"""Sending the accounts' emails: the `Mailer` Protocol, a console and a file mailer for development, and
Resend.

`ResendMailer` posts to Resend's HTTP API (`POST https://api.resend.com/emails`, `Authorization: Bearer
<key>`, JSON `{from, to: [...], subject, text}`, answered by `{"id": ...}`), with an `Idempotency-Key`
header so a retried request never sends twice. The key comes from the environment (`RESEND_API_KEY`). Tests
give it an `httpx.Client` over an `httpx.MockTransport`: the email provider is the one thing we mock.

The texts of the messages live here too (`verification_message`, `reset_message`,
`already_registered_message`).
"""

from __future__ import annotations

import itertools
import os
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol, TextIO

import httpx

from sync.server.accounts.errors import MailError

RESEND_URL = "https://api.resend.com/emails"
RESEND_KEY_ENV = "RESEND_API_KEY"
DEFAULT_SENDER = "Printstall <no-reply@printstall.app>"


@dataclass(frozen=True, slots=True)
class Message:
    """One plain-text email. `kind` names the template (for logs and tests), never shown to the user."""

    to: str
    subject: str
    text: str
    kind: str


class Mailer(Protocol):
    def send(self, message: Message) -> None:
        """Hands the message over for delivery; raises `MailError` when that is impossible."""
        ...


def verification_message(to: str, code: str) -> Message:
    return Message(
        to=to,
        subject=f"Your Printstall code: {code}",
        text=(
            "Welcome to Printstall.\n\n"
            f"To confirm this email address, type this code into the app:\n\n    {code}\n\n"
            "The code works for 30 minutes. If you did not create a Printstall account, ignore this email.\n"
        ),
        kind="verify_email",
    )


def reset_message(to: str, code: str) -> Message:
    return Message(
        to=to,
        subject=f"Reset your Printstall password: {code}",
        text=(
            "Someone (we hope you) asked to reset the password of your Printstall account.\n\n"
            f"To choose a new password, type this code into the app:\n\n    {code}\n\n"
            "The code works for 30 minutes. If you did not ask for it, ignore this email: "
            "your password stays as it is.\n"
        ),
        kind="reset_password",
    )


def already_registered_message(to: str) -> Message:
    return Message(
        to=to,
        subject="You already have a Printstall account",
        text=(
            "Someone (we hope you) tried to create a Printstall account with this email address, "
            "but it already has one.\n\n"
            'Sign in with your password, or choose "Forgot password" in the app to set a new one. '
            "If it was not you, ignore this email: nothing has changed.\n"
        ),
        kind="already_registered",
    )


class ConsoleMailer:
    """Prints each message (development)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(self, message: Message) -> None:
        stream = self._stream or sys.stderr
        stream.write(f"--- email to {message.to}: {message.subject}\n{message.text}---\n")
        stream.flush()


class FileMailer:
    """Writes each message as an .eml file into a folder (development, tests); `sent` lists them in order."""

    def __init__(self, folder: Path, sender: str = DEFAULT_SENDER) -> None:
        self.folder = folder
        self.sender = sender
        self.sent: list[Path] = []
        self._counter = itertools.count(1)

    def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = format_datetime(datetime.now(UTC))
        email["X-Printstall-Kind"] = message.kind
        email.set_content(message.text)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            path = self.folder / f"{stamp}-{next(self._counter):04d}-{message.kind}.eml"
            path.write_bytes(email.as_bytes())
        except OSError as error:
            raise MailError(f"The email could not be written to {self.folder}.") from error
        self.sent.append(path)


class ResendMailer:
    """Sends through Resend's HTTP API."""

    def __init__(
        self,
        api_key: str,
        sender: str = DEFAULT_SENDER,
        *,
        client: httpx.Client | None = None,
        url: str = RESEND_URL,
        timeout: float = 10.0,
    ) -> None:
        if not api_key:
            raise ValueError("a Resend API key is needed")
        self._api_key = api_key
        self.sender = sender
        self.url = url
        self._client = client or httpx.Client(timeout=timeout)

    @classmethod
    def from_env(cls, sender: str = DEFAULT_SENDER, *, client: httpx.Client | None = None) -> ResendMailer:
        key = os.environ.get(RESEND_KEY_ENV, "")
        if not key:
            raise MailError(f"The mail service is not configured: set {RESEND_KEY_ENV}.")
        return cls(key, sender, client=client)

    def send(self, message: Message) -> None:
        payload = {"from": self.sender, "to": [message.to], "subject": message.subject, "text": message.text}
        headers = {"Authorization": f"Bearer {self._api_key}", "Idempotency-Key": str(uuid.uuid4())}
        try:
            response = self._client.post(self.url, json=payload, headers=headers)
        except httpx.HTTPError as error:
            raise MailError("The email could not be sent; the mail service did not answer.") from error
        if response.status_code >= 300:
            raise MailError(f"The email could not be sent; the mail service answered {response.status_code}.")
