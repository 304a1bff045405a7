"""Make sure the key never reaches a file or the terminal, whatever echoes it."""

from __future__ import annotations

from html import escape
from typing import TextIO

from contracts.runner.transport import KEY_PLACEHOLDER


class Redactor:
    def __init__(self, *secrets: str | None) -> None:
        plain = {s for s in secrets if s and len(s) >= 4}
        # the forms a secret takes inside HTML and XML reports, too
        forms = plain | {escape(s, quote=True) for s in plain} | {escape(s, quote=False) for s in plain}
        self._secrets = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, KEY_PLACEHOLDER)
        return text


class RedactingStream:
    """A text stream wrapper that redacts before writing."""

    def __init__(self, stream: TextIO, redactor: Redactor) -> None:
        self._stream = stream
        self._redact = redactor

    def write(self, text: str) -> int:
        return self._stream.write(self._redact(text))

    def flush(self) -> None:
        self._stream.flush()
