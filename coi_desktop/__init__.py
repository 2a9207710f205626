"""COI Desk: the desktop workbench for reviewing certificates of insurance."""

__version__ = "0.1.0"
