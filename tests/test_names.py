"""Company names and addresses as brokers type them: normalising and matching."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coi_desktop.review.names import (
    NameMatch,
    addresses_match,
    compare_names,
    normalize_address,
    normalize_name,
    split_name_address,
)

WORDS = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12)
NAMES = st.lists(WORDS, min_size=1, max_size=6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bulley Construction LLC", "bulley construction llc"),
        ("BULLEY CONSTRUCTION, L.L.C.", "bulley construction llc"),
        ("Bulley Construction L L C", "bulley construction llc"),
        ("Bulley\nConstruction   LLC", "bulley construction llc"),
        ("The Bulley Construction Company", "bulley construction co"),
        ("Smith & Jones Limited Liability Company", "smith and jones llc"),
        ("Acme Incorporated", "acme inc"),
        ("A.B.C. Drywall Corp.", "abc drywall corp"),
        ("O\u2019Brien Plumbing", "obrien plumbing"),
        ("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale", "societe generale"),
        (None, ""),
        ("", ""),
    ],
)
def test_normalize_name_examples(text: str | None, expected: str) -> None:
    assert normalize_name(text) == expected


@given(st.text())
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@given(st.text(alphabet=string.printable))
def test_normalize_name_ignores_case(text: str) -> None:
    assert normalize_name(text.upper()) == normalize_name(text.lower()) == normalize_name(text)


@given(NAMES, st.sampled_from([" ", ", ", " - ", "\n", "\r\n", "  ", " / ", "; ", " (", ") "]))
def test_normalize_name_ignores_separators(words: list[str], separator: str) -> None:
    assert normalize_name(separator.join(words)) == normalize_name(" ".join(words))


@given(st.text(alphabet=string.ascii_letters + " ", max_size=30), st.data())
def test_normalize_name_ignores_periods_and_apostrophes(text: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(text)))
    mark = data.draw(st.sampled_from([".", "'", "\u2019"]))
    assert normalize_name(text[:position] + mark + text[position:]) == normalize_name(text)


@given(NAMES)
def test_a_name_matches_itself_in_any_case(words: list[str]) -> None:
    name = " ".join(words)
    assert compare_names(name.upper(), name.lower()) is NameMatch.SAME


@pytest.mark.parametrize(
    ("found", "required", "expected"),
    [
        ("BULLEY CONSTRUCTION, L.L.C.", "Bulley Construction LLC", NameMatch.SAME),
        ("Bulley Construction", "Bulley Construction LLC", NameMatch.LEGAL_FORM_OMITTED),
        ("Acme Drywall Inc.", "Acme Drywall LLC", NameMatch.LEGAL_FORM_DIFFERS),
        ("Acme Holdings LLC dba Acme Drywall", "Acme Drywall LLC", NameMatch.PARTIAL),
        ("Bulley Constuction LLC", "Bulley Construction LLC", NameMatch.SIMILAR),
        ("Bailey Construction LLC", "Bulley Construction LLC", NameMatch.DIFFERENT),
        ("First National Bank", "Bulley Construction LLC", NameMatch.DIFFERENT),
        ("", "Bulley Construction LLC", NameMatch.DIFFERENT),
        (None, "Bulley Construction LLC", NameMatch.DIFFERENT),
    ],
)
def test_compare_names(found: str | None, required: str, expected: NameMatch) -> None:
    assert compare_names(found, required) is expected


def test_only_same_and_legal_form_omitted_are_accepted() -> None:
    accepted = {m for m in NameMatch if m.accepted}
    assert accepted == {NameMatch.SAME, NameMatch.LEGAL_FORM_OMITTED}


@pytest.mark.parametrize(
    ("text", "name", "address"),
    [
        (
            "Bulley Construction LLC, 100 Main St, Chicago IL 60601",
            "Bulley Construction LLC",
            "100 Main St Chicago IL 60601",
        ),
        (
            "Bulley Construction, LLC\nAttn: Risk Management\n100 Main Street\nChicago, IL 60601",
            "Bulley Construction LLC",
            "100 Main Street Chicago IL 60601",
        ),
        (
            "Bulley Construction LLC 100 Main St Chicago IL 60601",
            "Bulley Construction LLC",
            "100 Main St Chicago IL 60601",
        ),
        ("84 Lumber Co, PO Box 5, Eighty Four PA", "84 Lumber Co", "PO Box 5 Eighty Four PA"),
        ("Bulley Construction LLC", "Bulley Construction LLC", ""),
        ("", "", ""),
    ],
)
def test_split_name_address(text: str, name: str, address: str) -> None:
    assert split_name_address(text) == (name, address)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "100 Main Street, Suite 200, Chicago, Illinois 60601-1234",
            "100 MAIN ST STE 200 CHICAGO IL 60601",
        ),
        ("100 Main St #200\nChicago IL 60601", "100 Main St., Ste. 200, Chicago, IL 60601"),
        ("1 North Avenue, Raleigh, North Carolina 27601, USA", "1 N Ave Raleigh NC 27601"),
        ("P.O. Box 12, Austin, Texas 78701", "PO Box 12 Austin TX 78701"),
    ],
)
def test_addresses_that_match(a: str, b: str) -> None:
    assert addresses_match(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("200 Main St Chicago IL 60601", "100 Main St Chicago IL 60601"),
        ("100 Main St Chicago IL 60601", "100 Main St Chicago IL 60602"),
        ("100 Oak Ave Chicago IL 60601", "100 Main St Chicago IL 60601"),
    ],
)
def test_addresses_that_differ(a: str, b: str) -> None:
    assert not addresses_match(a, b)


@given(st.text())
def test_normalize_address_is_idempotent(text: str) -> None:
    once = normalize_address(text)
    assert normalize_address(once) == once
