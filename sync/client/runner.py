"""When the app syncs: a background thread that runs the engine on start, soon after a local change
(debounced, so typing a name is one sync, not twenty), every few minutes, and on demand; and waits longer
after each failure (exponential backoff with full jitter, or the wait the service asked for).

The runner knows nothing of Qt: it reports a `Status` through a callback (from its own thread; the window
moves it to the UI thread with a queued signal). A sync that fails leaves everything where it was (the engine
stores its batch and cursor), so the next attempt, or the next start of the app, carries on from there.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sync.client.engine import SyncEngine, SyncReport, pending_count, rejected_rows
from sync.client.transport import Offline, SignInNeeded, SyncError, TryLater, UpdateNeeded

log = logging.getLogger(__name__)

INTERVAL_S = 300.0
DEBOUNCE_S = 2.0
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0


class State(StrEnum):
    IDLE = "idle"  # not started yet
    SYNCING = "syncing"
    UP_TO_DATE = "up_to_date"
    OFFLINE = "offline"
    ERROR = "error"
    SIGNED_OUT = "signed_out"  # the service wants a new sign-in


@dataclass(frozen=True)
class Status:
    state: State
    message: str = ""
    last_synced_at: datetime | None = None
    pending: int = 0  # rows waiting to go up
    rejected: int = 0  # rows the service refused (listed in the sync panel)
    pulled: int = 0  # rows the last sync brought in (the window refreshes when > 0)
    next_attempt_s: float | None = None


def backoff_delay(failures: int, rng: Callable[[], float] = random.random) -> float:
    """Full jitter: a random wait up to base·2^(failures−1), capped."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * float(2 ** max(0, failures - 1)))
    return max(0.5, ceiling * rng())


@dataclass
class _Plan:
    due: float = 0.0  # monotonic time of the next run
    failures: int = 0
    stopping: bool = False


class SyncRunner:
    """One engine, one thread; `changed()` and `sync_now()` may be called from any thread."""

    def __init__(
        self,
        engine: SyncEngine,
        on_status: Callable[[Status], None],
        *,
        interval_s: float = INTERVAL_S,
        debounce_s: float = DEBOUNCE_S,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.engine = engine
        self._on_status = on_status
        self.interval_s = interval_s
        self.debounce_s = debounce_s
        self._clock = clock
        self._rng = rng
        self._plan = _Plan()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._last_synced: datetime | None = None
        self.status = Status(State.IDLE)

    # ---------------------------------------------------------------- control

    def start(self) -> None:
        """Sync at once, then as planned."""
        if self._thread is not None:
            return
        self._plan.due = self._clock()
        self._thread = threading.Thread(target=self._run, name="printstall-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the sync in progress (its state is stored either way)."""
        with self._wake:
            self._plan.stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def changed(self) -> None:
        """Something was written locally: sync soon, unless a sync is planned sooner (or failures wait)."""
        with self._wake:
            if self._plan.failures == 0:
                self._plan.due = min(self._plan.due, self._clock() + self.debounce_s)
                self._wake.notify_all()

    def sync_now(self) -> None:
        """The user asked: sync at once, even while backing off."""
        with self._wake:
            self._plan.due = self._clock()
            self._wake.notify_all()

    # ---------------------------------------------------------------- the thread

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._plan.stopping and self._clock() < self._plan.due:
                    self._wake.wait(timeout=max(0.0, self._plan.due - self._clock()))
                if self._plan.stopping:
                    return
                self._plan.due = float("inf")  # a change during the sync plans the next one
            self._once()

    def _once(self) -> None:
        self._report(State.SYNCING, "Syncing…")
        try:
            report = self.engine.sync()
        except SignInNeeded as error:
            self._failed(State.SIGNED_OUT, str(error), retry=False)
        except UpdateNeeded as error:
            self._failed(State.ERROR, str(error), retry=False)
        except Offline as error:
            self._failed(State.OFFLINE, str(error))
        except TryLater as error:
            self._failed(State.ERROR, str(error), wait=error.retry_after_s)
        except SyncError as error:
            self._failed(State.ERROR, str(error))
        except Exception as error:  # a bug must not kill the thread silently
            log.exception("sync failed")
            self._failed(State.ERROR, f"Sync failed: {error}")
        else:
            self._succeeded(report)

    def _succeeded(self, report: SyncReport) -> None:
        self._last_synced = datetime.now(UTC)
        with self._wake:
            self._plan.failures = 0
            self._plan.due = min(self._plan.due, self._clock() + self.interval_s)
        self._report(State.UP_TO_DATE, "Up to date.", pulled=report.pulled)

    def _failed(self, state: State, message: str, *, retry: bool = True, wait: float | None = None) -> None:
        with self._wake:
            self._plan.failures += 1
            if not retry:
                delay = None
                self._plan.due = float("inf")  # until the user signs in again or asks
            else:
                delay = wait if wait is not None else backoff_delay(self._plan.failures, self._rng)
                self._plan.due = self._clock() + delay
        self._report(state, message, next_attempt_s=delay)

    def _report(
        self, state: State, message: str, *, pulled: int = 0, next_attempt_s: float | None = None
    ) -> None:
        ws = self.engine.workspace
        rejected = len(rejected_rows(ws))
        if state is State.UP_TO_DATE and rejected:
            message = f"Up to date; {rejected} change(s) were refused."
        self.status = Status(
            state,
            message,
            last_synced_at=self._last_synced,
            pending=pending_count(ws),
            rejected=rejected,
            pulled=pulled,
            next_attempt_s=next_attempt_s,
        )
        try:
            self._on_status(self.status)
        except Exception:
            log.exception("the sync status could not be shown")
