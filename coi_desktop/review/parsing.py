"""Pure parsers for the values printed on certificates: money, dates, check marks, NAIC codes.

Each ``parse_*`` returns the value or ``None``; each ``read_*`` also says whether the
text had to be repaired (OCR damage such as ``O`` for ``0``), so callers can lower
their confidence instead of trusting a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")

__all__ = [
    "Reading",
    "parse_date",
    "parse_mark",
    "parse_money",
    "parse_naic",
    "read_date",
    "read_mark",
    "read_money",
    "read_naic",
    "repair_digits",
]


class Reading(NamedTuple, Generic[T]):
    """A parsed value and whether OCR-style repair was needed to get it."""

    value: T | None
    repaired: bool


# Letters OCR confuses with digits, applied only inside tokens that are mostly digits.
_DIGIT_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "Q": "0",
        "U": "0",
        "D": "0",
        "l": "1",
        "I": "1",
        "i": "1",
        "|": "1",
        "!": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "Z": "2",
        "z": "2",
        "G": "6",
        "g": "9",
    }
)


def repair_digits(text: str) -> str:
    """Replace digit look-alike letters, e.g. ``1,OOO,OOO`` → ``1,000,000``."""
    return text.translate(_DIGIT_LOOKALIKES)


# ---------------------------------------------------------------- money

_MONEY_WORDS_NONE = {"", "N/A", "NA", "NONE", "STATUTORY", "STAT", "INCLUDED", "INCL", "-"}
_SUFFIX = {"K": 1_000, "M": 1_000_000, "MM": 1_000_000, "MIL": 1_000_000, "B": 1_000_000_000}
_MONEY_RE = re.compile(
    r"""^\$?
        (?P<num>\d{1,3}(?:[,\s.']\d{3})+|\d+)     # grouped or plain digits
        (?P<frac>[.,]\d{1,2})?                    # cents or a decimal for 1.5M
        \s*(?P<suffix>K|MM|M|MIL|B)?$""",
    re.VERBOSE | re.IGNORECASE,
)


def _parse_money_clean(text: str) -> int | None:
    s = text.strip().upper().replace("USD", "").strip()
    s = s.replace("$", "").strip()
    s = re.sub(r"\s*(MILLION)$", "M", s)
    if s in _MONEY_WORDS_NONE:
        return None
    m = _MONEY_RE.match(s)
    if m is None:
        return None
    num, frac, suffix = m.group("num"), m.group("frac"), m.group("suffix")
    groups = re.split(r"[,\s.']", num)
    if len(groups) > 1 and any(len(g) != 3 for g in groups[1:]):
        return None
    digits = "".join(groups)
    if suffix:
        mult = _SUFFIX[suffix.upper()]
        # "1.5M" — the fraction is a decimal of the multiplier, not cents.
        whole = float(digits + ("." + frac[1:] if frac else ""))
        return round(whole * mult)
    if frac and len(frac) == 3 and frac[0] == ",":
        return None  # "1,00" is not a money format any broker prints
    return int(digits)


def read_money(text: str) -> Reading[int]:
    """Parse a dollar amount in any broker format; repair OCR look-alikes if needed."""
    value = _parse_money_clean(text)
    if value is not None or text.strip().upper() in _MONEY_WORDS_NONE:
        return Reading(value, False)
    core = text.strip()
    # keep a trailing K/M suffix as a suffix, repair everything before it
    m = re.match(r"^(.*?)(\s*(?:K|MM|M|MIL))?$", core, re.IGNORECASE)
    head, tail = (m.group(1), m.group(2) or "") if m else (core, "")
    repaired = repair_digits(head).replace(" ,", ",").replace(", ", ",")
    value = _parse_money_clean(repaired + tail)
    if value is not None:
        return Reading(value, True)
    # OCR junk beside the amount ("500,000.00 FAR AN"): the one token that is an amount
    for token in core.split():
        if sum(ch.isdigit() for ch in token) >= 3:
            amount = _parse_money_clean(token) or _parse_money_clean(repair_digits(token))
            if amount:  # "000)" alone is a piece of an amount, not $0
                return Reading(amount, True)
    return Reading(None, False)


def parse_money(text: str) -> int | None:
    return read_money(text).value


# ---------------------------------------------------------------- dates

_DATE_RE = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4}|\d{2})$")
_COMPACT_RE = re.compile(r"^(\d{2})(\d{2})(\d{4})$")


def _make_date(month: str, day: str, year: str) -> dt.date | None:
    y = int(year)
    if len(year) == 2:
        y += 2000  # certificates are recent; a 2-digit year is never the 1900s here
    try:
        return dt.date(y, int(month), int(day))
    except ValueError:
        return None


def _parse_date_clean(text: str) -> dt.date | None:
    m = _DATE_RE.match(text.strip())
    if m is None:
        return None
    return _make_date(*m.groups())


def read_date(text: str) -> Reading[dt.date]:
    """Parse ``MM/DD/YYYY``, ``M/D/YYYY`` or ``MM/DD/YY`` (also ``-`` and ``.``)."""
    value = _parse_date_clean(text)
    if value is not None:
        return Reading(value, False)
    s = repair_digits(text.strip()).replace(" ", "")
    s = s.replace("\\", "/").replace("|", "/")
    value = _parse_date_clean(s)
    if value is None:
        m = _COMPACT_RE.match(s)  # slashes dropped by OCR: 01152026
        if m:
            value = _make_date(*m.groups())
    return Reading(value, value is not None)


def parse_date(text: str) -> dt.date | None:
    return read_date(text).value


# ---------------------------------------------------------------- check marks

_MARK_YES = {
    *("X", "Y", "YES", "V", "1", "ON", "TRUE"),
    *("✓", "✔", "☑", "☒", "■", "✗", "✘", "✖", "✕", "❌", "☓", "✅", "●"),
}
_MARK_NO = {"N", "NO", "OFF", "0", "FALSE", "☐", "□"}
# OCR reads a printed X or check as one of these; accepted, but flagged as repaired.
_MARK_OCR_YES = {"K", "*", "%", "x×", "×", "¥", "VV", "XX", "4", "/"}


def read_mark(text: str) -> Reading[bool]:
    """An ADDL INSD / SUBR WVD box: X, Y or a check → True; N → False; blank → None."""
    s = text.strip().upper().strip(".:;,")
    if not s:
        return Reading(None, False)
    if s in _MARK_YES:
        return Reading(True, False)
    if s in _MARK_NO:
        return Reading(False, False)
    if s in _MARK_OCR_YES or s.lower() in _MARK_OCR_YES:
        return Reading(True, True)
    return Reading(None, False)


def parse_mark(text: str) -> bool | None:
    return read_mark(text).value


# ---------------------------------------------------------------- NAIC


def read_naic(text: str) -> Reading[str]:
    """A 5-digit NAIC company code."""
    s = text.strip().replace(" ", "")
    if re.fullmatch(r"\d{5}", s):
        return Reading(s, False)
    r = repair_digits(s)
    if re.fullmatch(r"\d{5}", r):
        return Reading(r, True)
    return Reading(None, False)


def parse_naic(text: str) -> str | None:
    return read_naic(text).value


# ---------------------------------------------------------------- insurer letters

_LETTER_LOOKALIKES = {"8": "B", "0": "D", "O": "D", "Q": "D", "4": "A", "€": "E", "£": "E"}


def read_letter(text: str) -> Reading[str]:
    """An INSR LTR box: one of A–F (OCR look-alikes such as 8 for B are repaired)."""
    s = re.sub(r"[^0-9A-Za-z€£]", "", text).upper()
    doubled = len(s) == 2 and s[0] == s[1]  # OCR reads a lone "C" as "Cc" now and then
    if doubled:
        s = s[0]
    if len(s) != 1:
        return Reading(None, False)
    if s in "ABCDEF":
        return Reading(s, doubled)
    if s in _LETTER_LOOKALIKES:
        return Reading(_LETTER_LOOKALIKES[s], True)
    return Reading(None, False)


def parse_letter(text: str) -> str | None:
    return read_letter(text).value
