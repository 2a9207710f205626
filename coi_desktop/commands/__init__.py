"""Subcommands of `coi-desktop`: one module each, with ``HELP``, ``configure`` and ``run``."""
