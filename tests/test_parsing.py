"""Money, date, mark, NAIC and letter parsers: every broker format, and OCR damage."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coi_desktop.review.parsing import (
    parse_date,
    parse_letter,
    parse_mark,
    parse_money,
    parse_naic,
    read_date,
    read_letter,
    read_mark,
    read_money,
    read_naic,
)

amounts = st.integers(min_value=0, max_value=50_000_000)
round_millions = st.integers(min_value=1, max_value=50).map(lambda n: n * 1_000_000)
round_thousands = st.integers(min_value=1, max_value=9_999).map(lambda n: n * 1_000)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


def _grouped(amount: int, sep: str) -> str:
    return f"{amount:,}".replace(",", sep)


@given(amounts, st.sampled_from(["{:,}", "${:,}", "{:,}.00", "${:,}.00", "{}", "$ {:,}"]))
def test_money_round_trips_in_every_comma_format(amount: int, fmt: str) -> None:
    assert read_money(fmt.format(amount)) == (amount, False)


@given(amounts)
def test_money_with_spaces_as_thousands_separators(amount: int) -> None:
    assert parse_money(_grouped(amount, " ")) == amount


@given(round_millions)
def test_money_in_millions(amount: int) -> None:
    assert parse_money(f"{amount // 1_000_000}M") == amount
    assert parse_money(f"${amount // 1_000_000}MM") == amount


@given(round_thousands)
def test_money_in_thousands(amount: int) -> None:
    assert parse_money(f"{amount // 1_000:,}K") == amount


@given(st.integers(min_value=1_000, max_value=50_000_000))
def test_ocr_letter_o_for_zero_is_repaired_and_flagged(amount: int) -> None:
    damaged = f"{amount:,}".replace("0", "O")
    value, repaired = read_money(damaged)
    assert value == amount
    assert repaired == ("O" in damaged)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$1,000,000", 1_000_000),
        ("1,000,000.00", 1_000_000),
        ("1M", 1_000_000),
        ("1,000K", 1_000_000),
        ("1 000 000", 1_000_000),
        ("$1.5M", 1_500_000),
        ("2 Million", 2_000_000),
        ("N/A", None),
        ("", None),
        ("Statutory", None),
        ("1,00", None),
        ("12,34,567", None),
        ("abc", None),
    ],
)
def test_money_examples(text: str, value: int | None) -> None:
    assert parse_money(text) == value


@given(
    dates,
    st.sampled_from(
        [
            "{d:%m/%d/%Y}",
            "{d.month}/{d.day}/{d.year}",
            "{d:%m/%d/%y}",
            "{d:%m-%d-%Y}",
            "{d:%m.%d.%Y}",
        ]
    ),
)
def test_dates_round_trip_in_every_broker_format(day: dt.date, fmt: str) -> None:
    assert read_date(fmt.format(d=day)) == (day, False)


@given(dates)
def test_ocr_damaged_dates_are_repaired_and_flagged(day: dt.date) -> None:
    text = f"{day:%m/%d/%Y}"
    damaged = text.replace("0", "O").replace("1", "l")
    value, repaired = read_date(damaged)
    assert value == day
    assert repaired == (damaged != text)
    assert read_date(text.replace("/", "")) == (day, True)  # slashes dropped by OCR


@pytest.mark.parametrize("text", ["13/01/2026", "02/30/2026", "2026-01-15", "", "soon"])
def test_impossible_or_foreign_dates_are_none(text: str) -> None:
    assert parse_date(text) is None


@given(st.sampled_from(["X", "x", "Y", "y", "YES", "✓", "✔", "☒"]), st.sampled_from(["", " ", "."]))
def test_marks_that_mean_yes(mark: str, pad: str) -> None:
    assert read_mark(pad + mark + pad) == (True, False)


@pytest.mark.parametrize(("text", "value"), [("N", False), ("no", False), ("", None), ("?", None)])
def test_marks_that_mean_no_or_nothing(text: str, value: bool | None) -> None:
    assert parse_mark(text) is value


def test_ocr_marks_are_accepted_but_flagged() -> None:
    assert read_mark("Xx") == (True, True)


@given(st.integers(min_value=0, max_value=99_999))
def test_naic_round_trip(code: int) -> None:
    text = f"{code:05d}"
    assert read_naic(text) == (text, False)
    assert parse_naic(text.replace("0", "O")) == text


@pytest.mark.parametrize(
    ("text", "letter", "repaired"),
    [
        ("A", "A", False),
        ("f", "F", False),
        ("8", "B", True),
        ("|C|", "C", False),
        ("Cc", "C", True),  # OCR's doubled letter: kept, but a person checks it
    ],
)
def test_insurer_letters(text: str, letter: str, repaired: bool) -> None:
    assert read_letter(text) == (letter, repaired)
    assert parse_letter("G") is None
    assert parse_letter("AB") is None and parse_letter("CCC") is None
