"""The account dialog. Signed out: sign in (the server address under "Advanced"), create an account, type the
mailed code, reset a forgotten password. Signed in: who, sign out (here or everywhere), change the password,
download my data, delete my account.

Every call runs on the sync controller's account thread; while it runs the page's controls are disabled, and
what went wrong is the one sentence the service or the connection gave, shown on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.forms import ErrorLabel
from desktop.sync.controller import SyncController


def file_size(size: int) -> str:
    return QLocale().formattedDataSize(size)


class Page(QWidget):
    """One page: a form, an error line, a note line and a row of buttons."""

    def __init__(self, heading: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error = ErrorLabel()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.hide()
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        layout.addLayout(self.buttons)

    def field(self, label: str, name: str, *, secret: bool = False, text: str = "") -> QLineEdit:
        box = QLineEdit(text)
        box.setAccessibleName(name)
        if secret:
            box.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(label, box)
        return box

    def button(self, text: str, name: str, slot: Callable[[], None], *, default: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setAutoDefault(default)
        button.setDefault(default)
        button.clicked.connect(slot)
        self.buttons.addWidget(button)
        return button

    def say(self, error: str = "", note: str = "") -> None:
        self.error.show_error(error)
        self.note.setText(note)
        self.note.setVisible(bool(note))


class AccountDialog(QDialog):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(self.tr("Account"))
        self.setMinimumWidth(520)
        self.pending_email = ""  # the address a code was mailed to
        self.pages = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        close_row = QHBoxLayout()
        close_row.addStretch(1)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAccessibleName(self.tr("Close the account dialog"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        close_row.addWidget(self.close_button)
        layout.addLayout(close_row)
        self._build_sign_in()
        self._build_create()
        self._build_code()
        self._build_forgot()
        self._build_signed_in()
        self._build_delete()
        controller.session_changed.connect(self._session_changed)
        if controller.signed_in:
            self._show_signed_in()
        else:
            self._open_sign_in()

    # ---------------------------------------------------------------- pages

    def _build_sign_in(self) -> None:
        page = self.sign_in_page = Page(self.tr("Sign in to sync this computer with your other ones"))
        self.email = page.field(self.tr("&Email:"), self.tr("Email"), text=self.controller.email)
        self.password = page.field(self.tr("&Password:"), self.tr("Password"), secret=True)
        self.advanced = QToolButton()
        self.advanced.setText(self.tr("A&dvanced"))
        self.advanced.setAccessibleName(self.tr("Show the advanced settings"))
        self.advanced.setCheckable(True)
        self.advanced.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced.setAutoRaise(True)
        page.form.addRow(self.advanced)
        self.server = QLineEdit(self.controller.server_url)
        self.server.setAccessibleName(self.tr("Server address"))
        self.server_label = QLabel(self.tr("&Server address:"))
        self.server_label.setBuddy(self.server)
        page.form.addRow(self.server_label, self.server)
        self.advanced.toggled.connect(self._show_advanced)
        self._show_advanced(False)
        self.folder_hint = QLabel()
        self.folder_hint.setWordWrap(True)
        page.form.addRow(self.folder_hint)
        self.forgot_button = page.button(
            self.tr("&Forgot your password?"), self.tr("Forgot your password"), self._open_forgot
        )
        self.create_button = page.button(
            self.tr("&Create an account…"), self.tr("Create an account"), self._open_create
        )
        self.sign_in_button = page.button(
            self.tr("Sign &in"), self.tr("Sign in"), self._sign_in, default=True
        )
        self.pages.addWidget(page)

    def _build_create(self) -> None:
        page = self.create_page = Page(self.tr("Create an account"))
        self.new_email = page.field(self.tr("&Email:"), self.tr("Email for the new account"))
        self.new_password = page.field(
            self.tr("&Password:"), self.tr("Password for the new account"), secret=True
        )
        hint = QLabel(self.tr("The service mails a code to the address, to be sure it is yours."))
        hint.setWordWrap(True)
        page.form.addRow(hint)
        page.button(self.tr("&Back"), self.tr("Back to signing in"), self._back)
        self.create_account_button = page.button(
            self.tr("&Create account"), self.tr("Create account"), self._create, default=True
        )
        self.pages.addWidget(page)

    def _build_code(self) -> None:
        page = self.code_page = Page(self.tr("Confirm your email address"))
        self.code_hint = QLabel()
        self.code_hint.setWordWrap(True)
        page.form.addRow(self.code_hint)
        self.code = page.field(self.tr("Co&de:"), self.tr("Code from the email"))
        page.button(self.tr("&Back"), self.tr("Back to signing in"), self._back)
        page.button(self.tr("Send the code &again"), self.tr("Send the code again"), self._send_code_again)
        self.confirm_button = page.button(
            self.tr("&Confirm"), self.tr("Confirm the code"), self._confirm, default=True
        )
        self.pages.addWidget(page)

    def _build_forgot(self) -> None:
        page = self.forgot_page = Page(self.tr("Set a new password"))
        self.reset_email = page.field(self.tr("&Email:"), self.tr("Email of the account"))
        self.send_reset_button = QPushButton(self.tr("Send a &code"))
        self.send_reset_button.setAccessibleName(self.tr("Mail a code to set a new password"))
        self.send_reset_button.clicked.connect(self._request_reset)
        page.form.addRow("", self.send_reset_button)
        self.reset_code = page.field(self.tr("Co&de:"), self.tr("Code from the email"))
        self.reset_password = page.field(self.tr("&New password:"), self.tr("New password"), secret=True)
        page.button(self.tr("&Back"), self.tr("Back to signing in"), self._back)
        self.reset_button = page.button(
            self.tr("Set the password and sign &in"), self.tr("Set the password and sign in"), self._reset
        )
        self.pages.addWidget(page)

    def _build_signed_in(self) -> None:
        page = self.signed_in_page = Page("")
        self.who = page.heading
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        self.where = QLabel()
        self.where.setTextFormat(Qt.TextFormat.PlainText)
        self.where.setWordWrap(True)
        page.form.addRow(self.where)
        out_row = QHBoxLayout()
        self.sign_out_button = QPushButton(self.tr("Sign &out"))
        self.sign_out_button.setAccessibleName(self.tr("Sign out on this computer"))
        self.sign_out_button.clicked.connect(self._sign_out)
        self.everywhere_button = QPushButton(self.tr("Sign out &everywhere"))
        self.everywhere_button.setAccessibleName(self.tr("Sign out on every computer"))
        self.everywhere_button.clicked.connect(self._sign_out_everywhere)
        out_row.addWidget(self.sign_out_button)
        out_row.addWidget(self.everywhere_button)
        out_row.addStretch(1)
        page.form.addRow(out_row)
        self.current_password = page.field(
            self.tr("&Current password:"), self.tr("Current password"), secret=True
        )
        self.changed_password = page.field(self.tr("&New password:"), self.tr("New password"), secret=True)
        self.change_button = QPushButton(self.tr("C&hange password"))
        self.change_button.setAccessibleName(self.tr("Change password"))
        self.change_button.clicked.connect(self._change_password)
        page.form.addRow("", self.change_button)
        self.download_button = page.button(
            self.tr("&Download my data…"), self.tr("Download my data"), self._download
        )
        self.delete_button = page.button(
            self.tr("De&lete my account…"), self.tr("Delete my account"), self._open_delete
        )
        self.pages.addWidget(page)

    def _build_delete(self) -> None:
        page = self.delete_page = Page(self.tr("Delete my account"))
        explain = QLabel(
            self.tr(
                "Deleting your account removes it from the sync service for good: every record and file "
                "kept there, and every sign-in, on all your computers. The records on this computer stay "
                "here, as records of nobody signed in; your other computers keep theirs too, but stop "
                "syncing. Download your data first if you want a copy of what the service holds."
            )
        )
        explain.setWordWrap(True)
        page.form.addRow(explain)
        self.delete_password = page.field(
            self.tr("&Password:"), self.tr("Password, to confirm deleting the account"), secret=True
        )
        page.button(self.tr("&Back"), self.tr("Back to the account"), self._show_signed_in)
        self.confirm_delete_button = page.button(
            self.tr("&Delete my account"), self.tr("Delete my account for good"), self._delete
        )
        self.pages.addWidget(page)

    # ---------------------------------------------------------------- moving between pages

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.server.setVisible(shown)
        self.server_label.setVisible(shown)

    def _show(self, page: Page, focus: QWidget | None = None) -> None:
        page.say()
        self.pages.setCurrentWidget(page)
        if focus is not None:
            focus.setFocus()

    def _session_changed(self) -> None:
        """Follow a sign-in or sign-out that happened elsewhere (the menu, the service ending the session);
        a page that fits the state stays as it is."""
        signed_in_pages = (self.signed_in_page, self.delete_page)
        if self.controller.signed_in and self.pages.currentWidget() not in signed_in_pages:
            self._show_signed_in()
        elif not self.controller.signed_in and self.pages.currentWidget() in signed_in_pages:
            self._open_sign_in()

    def _open_sign_in(self) -> None:
        if self.controller.folder_has_account:
            self.folder_hint.setText(
                self.tr("This data folder belongs to the account {email}: sign in to it to sync.").format(
                    email=self.controller.email or self.tr("you signed in to before")
                )
            )
        else:
            self.folder_hint.setText(
                self.tr(
                    "What you made in Printstall so far becomes your account's and goes up with the first "
                    "sync."
                )
            )
        self._show(self.sign_in_page, self.email if not self.email.text() else self.password)

    def _show_signed_in(self) -> None:
        email = self.controller.email
        self.who.setText(
            self.tr("Signed in as {email}").format(email=email) if email else self.tr("Signed in")
        )
        self.where.setText(self.tr("Server: {url}").format(url=self.controller.server_url))
        self._show(self.signed_in_page)

    def _back(self) -> None:
        self._open_sign_in()

    def _open_create(self) -> None:
        self.new_email.setText(self.email.text())
        self._show(self.create_page, self.new_email if not self.new_email.text() else self.new_password)

    def _open_code(self, email: str) -> None:
        self.pending_email = email
        self.code_hint.setText(
            self.tr("A code is on its way to {email}. Type it here; it works for a limited time.").format(
                email=email
            )
        )
        self.code.clear()
        self._show(self.code_page, self.code)

    def _open_forgot(self) -> None:
        self.reset_email.setText(self.email.text())
        self._show(self.forgot_page, self.reset_email)

    def _open_delete(self) -> None:
        self.delete_password.clear()
        self._show(self.delete_page, self.delete_password)

    # ---------------------------------------------------------------- calls

    def _busy(self, page: Page) -> None:
        """Disable the page while its call runs."""
        page.say()
        page.setEnabled(False)

    def _failed(self, page: Page) -> Callable[[str], None]:
        def show(reason: str) -> None:
            page.setEnabled(True)
            page.say(error=reason)

        return show

    def _idle(self, page: Page, note: str = "") -> None:
        page.setEnabled(True)
        page.say(note=note)

    def _missing(self, page: Page, *boxes: QLineEdit) -> bool:
        for box in boxes:
            if not box.text().strip():
                page.say(error=self.tr("Fill in the {field}.").format(field=box.accessibleName().lower()))
                box.setFocus()
                return True
        return False

    def _signed_in_done(self, page: Page) -> Callable[[int], None]:
        def done(adopted: int) -> None:
            page.setEnabled(True)
            for box in (self.password, self.new_password, self.code, self.reset_code, self.reset_password):
                box.clear()
            self._show_signed_in()
            if adopted:
                note = self.tr(
                    "{count} record(s) made on this computer now belong to your account; they go up with the "
                    "first sync."
                ).format(count=adopted)
            else:
                note = self.tr("Signed in; this computer syncs in the background.")
            self.signed_in_page.say(note=note)

        return done

    def _sign_in(self) -> None:
        page = self.sign_in_page
        if self._missing(page, self.email, self.password):
            return
        self._busy(page)
        self.controller.sign_in(
            self.email.text().strip(),
            self.password.text(),
            self.server.text(),
            self._signed_in_done(page),
            self._failed(page),
        )

    def _create(self) -> None:
        page = self.create_page
        if self._missing(page, self.new_email, self.new_password):
            return
        email = self.new_email.text().strip()
        self._busy(page)

        def registered(_result: object) -> None:
            page.setEnabled(True)
            self._open_code(email)

        self.controller.register(
            email, self.new_password.text(), self.server.text(), registered, self._failed(page)
        )

    def _confirm(self) -> None:
        page = self.code_page
        if self._missing(page, self.code):
            return
        self._busy(page)
        self.controller.verify(
            self.pending_email,
            self.code.text(),
            self.server.text(),
            self._signed_in_done(page),
            self._failed(page),
        )

    def _send_code_again(self) -> None:
        page = self.code_page
        self._busy(page)
        self.controller.request_code(
            self.pending_email,
            self.server.text(),
            lambda _r: self._idle(page, self.tr("A new code is on its way.")),
            self._failed(page),
        )

    def _request_reset(self) -> None:
        page = self.forgot_page
        if self._missing(page, self.reset_email):
            return
        self._busy(page)

        def sent(_result: object) -> None:
            self._idle(page, self.tr("If the address has an account, a code is on its way to it."))
            self.reset_code.setFocus()

        self.controller.request_reset(
            self.reset_email.text().strip(), self.server.text(), sent, self._failed(page)
        )

    def _reset(self) -> None:
        page = self.forgot_page
        if self._missing(page, self.reset_email, self.reset_code, self.reset_password):
            return
        self._busy(page)
        self.controller.reset_password(
            self.reset_email.text().strip(),
            self.reset_code.text(),
            self.reset_password.text(),
            self.server.text(),
            self._signed_in_done(page),
            self._failed(page),
        )

    def _sign_out(self) -> None:
        page = self.signed_in_page
        self._busy(page)

        def done(_result: object) -> None:
            page.setEnabled(True)
            self._open_sign_in()
            self.sign_in_page.say(note=self.tr("Signed out. Your records stay on this computer."))

        def not_told(reason: str) -> None:
            page.setEnabled(True)
            self._open_sign_in()
            self.sign_in_page.say(error=reason)

        self.controller.sign_out(done, not_told)

    def _sign_out_everywhere(self) -> None:
        page = self.signed_in_page
        self._busy(page)

        def done(_result: object) -> None:
            page.setEnabled(True)
            self._open_sign_in()
            self.sign_in_page.say(note=self.tr("Signed out on every computer."))

        self.controller.sign_out_everywhere(done, self._failed(page))

    def _change_password(self) -> None:
        page = self.signed_in_page
        if self._missing(page, self.current_password, self.changed_password):
            return
        self._busy(page)

        def changed(_result: object) -> None:
            self.current_password.clear()
            self.changed_password.clear()
            self._idle(page, self.tr("Password changed. Your other computers stay signed in."))

        self.controller.change_password(
            self.current_password.text(), self.changed_password.text(), changed, self._failed(page)
        )

    def _download(self) -> None:
        page = self.signed_in_page
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save my data"),
            str(Path.home() / "printstall-data.zip"),
            self.tr("Zip archives (*.zip)"),
        )
        if not name:
            return
        target = Path(name)
        self._busy(page)
        page.say(note=self.tr("The service is packing your data; this can take a while…"))

        def saved(size: int) -> None:
            self._idle(
                page, self.tr("Saved {size} to {path}.").format(size=file_size(size), path=str(target))
            )

        self.controller.download_data(target, saved, self._failed(page))

    def _delete(self) -> None:
        page = self.delete_page
        if self._missing(page, self.delete_password):
            return
        self._busy(page)

        def deleted(_result: object) -> None:
            page.setEnabled(True)
            self.delete_password.clear()
            self._open_sign_in()
            self.sign_in_page.say(
                note=self.tr("Your account is deleted. The records stay on this computer, as local ones.")
            )

        self.controller.delete_account(self.delete_password.text(), deleted, self._failed(page))
