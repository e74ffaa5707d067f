"""A daemon thread that does one round of work every few seconds until stopped: the local AWS's clocks.

The ECS agent, the Scheduler clock and the alarm evaluator each run one. A round that raises is reported
and the loop goes on: a transient emulator error must not stop a clock that ``make up`` left running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class BackgroundLoop:
    """``start()`` runs ``round_()`` now and then every ``poll_seconds`` (``wait_first``: only after the first
    wait); ``stop()`` ends it. Errors go to ``report`` with the loop's name."""

    def __init__(
        self,
        name: str,
        round_: Callable[[], object],
        *,
        poll_seconds: float,
        report: Callable[[str], object],
        wait_first: bool = False,
    ) -> None:
        self.name, self._round, self.poll_seconds, self._report = name, round_, poll_seconds, report
        self._wait_first = wait_first
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        if self._wait_first and self._stop.wait(self.poll_seconds):
            return
        while not self._stop.is_set():
            try:
                self._round()
            except Exception as error:  # a transient emulator error must not stop the clock
                self._report(f"{self.name}: {error}")
            self._stop.wait(self.poll_seconds)
