"""Offline emulation of the Madaster API: ``create_app(specs, ...)`` builds the Flask app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.app import create_app as create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # imported lazily so ``mockserver.auth.tokens`` and the CLI stay light
    if name == "create_app":
        from mockserver.app import create_app

        return create_app
    raise AttributeError(name)
