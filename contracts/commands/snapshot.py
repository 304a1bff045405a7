"""Placeholder for the snapshot sub-command (not built yet)."""

from __future__ import annotations

import argparse

from contracts.errors import ContractsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs="*")


def run(args: argparse.Namespace) -> int:
    raise ContractsError("the snapshot sub-command is not available yet")
