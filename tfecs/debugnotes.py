"""TFECS_DEBUG notes (why an HCL value is unknown) on stderr, through the same
redaction and control-character escaping as every other channel: the notes are held
until the scan has found its secrets, then printed. Notes name values from the
input, and a debug log in CI is as public as the report."""

from __future__ import annotations

import logging
import os
from typing import Callable

from .textsafe import escape_control

LOGGER = "tfecs.hcl"


class _Held(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(record.getMessage())
        except Exception:  # noqa: BLE001 - a note that cannot be formatted is dropped
            pass


class DebugNotes:
    """Installed before a scan when TFECS_DEBUG is set (else inert)."""

    def __init__(self) -> None:
        self._handler: _Held | None = None
        if os.environ.get("TFECS_DEBUG"):
            log = logging.getLogger(LOGGER)
            self._handler = _Held()
            log.addHandler(self._handler)  # the HCL reader adds its own only without one
            log.setLevel(logging.DEBUG)
            log.propagate = False

    def lines(self, redact: Callable[[str], str]) -> list[str]:
        """The held notes as `tfecs: debug:` lines, redacted and escaped; emptied."""
        if self._handler is None:
            return []
        held, self._handler.lines = self._handler.lines, []
        return [f"tfecs: debug: {escape_control(redact(line))}" for line in held]
