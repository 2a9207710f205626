"""Money as the reviewer reads it: whole US dollars with a dollar sign and thousands commas."""

from __future__ import annotations


def format_money(amount: int) -> str:
    """Format whole dollars the way the ACORD 25 prints them: 1000000 -> "$1,000,000"."""
    if amount < 0:
        return f"-${-amount:,}"
    return f"${amount:,}"
