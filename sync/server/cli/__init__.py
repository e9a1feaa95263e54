"""The ``uniondesk-server`` command (``main``); one module per group of subcommands."""

from sync.server.cli.main import main

__all__ = ["main"]
