"""Normalising and comparing company names and addresses as brokers type them.

Certificates spell the same company many ways ("Bulley Construction, L.L.C.",
"BULLEY CONSTRUCTION LLC"); these functions make such spellings compare equal
while still telling a different company apart.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from enum import StrEnum

# Legal-form words reduced to one spelling; they matter less than the rest of the name.
_WORD_FORMS: dict[str, str] = {
    "incorporated": "inc",
    "corporation": "corp",
    "company": "co",
    "limited": "ltd",
}
# Applied after _WORD_FORMS, so the phrases are written in their reduced spelling.
_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("ltd", "liability", "co"), "llc"),
    (("ltd", "liability", "partnership"), "llp"),
    (("ltd", "partnership"), "lp"),
)
LEGAL_FORMS: frozenset[str] = frozenset(
    {"llc", "inc", "corp", "co", "ltd", "lp", "llp", "lllp", "pllc", "pc", "plc", "pa"}
)

# Broker software moves the holder's address around; these make the common spellings equal.
_ADDRESS_WORDS: dict[str, str] = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "parkway": "pkwy",
    "highway": "hwy",
    "square": "sq",
    "terrace": "ter",
    "circle": "cir",
    "center": "ctr",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "floor": "fl",
    "building": "bldg",
}
_STATES: dict[str, str] = {
    "alabama": "al",
    "alaska": "ak",
    "arizona": "az",
    "arkansas": "ar",
    "california": "ca",
    "colorado": "co",
    "connecticut": "ct",
    "delaware": "de",
    "florida": "fl",
    "georgia": "ga",
    "hawaii": "hi",
    "idaho": "id",
    "illinois": "il",
    "indiana": "in",
    "iowa": "ia",
    "kansas": "ks",
    "kentucky": "ky",
    "louisiana": "la",
    "maine": "me",
    "maryland": "md",
    "massachusetts": "ma",
    "michigan": "mi",
    "minnesota": "mn",
    "mississippi": "ms",
    "missouri": "mo",
    "montana": "mt",
    "nebraska": "ne",
    "nevada": "nv",
    "new hampshire": "nh",
    "new jersey": "nj",
    "new mexico": "nm",
    "new york": "ny",
    "north carolina": "nc",
    "north dakota": "nd",
    "ohio": "oh",
    "oklahoma": "ok",
    "oregon": "or",
    "pennsylvania": "pa",
    "rhode island": "ri",
    "south carolina": "sc",
    "south dakota": "sd",
    "tennessee": "tn",
    "texas": "tx",
    "utah": "ut",
    "vermont": "vt",
    "virginia": "va",
    "washington": "wa",
    "west virginia": "wv",
    "wisconsin": "wi",
    "wyoming": "wy",
    "district of columbia": "dc",
}
# Unit markers differ ("Suite 200", "Ste. 200", "#200") while the number is what matters.
_UNIT_MARKERS: frozenset[str] = frozenset({"suite", "ste", "unit", "apt", "rm", "room"})
# State names as they read after the street words are reduced ("west virginia" -> "w
# virginia"), longest first so "w virginia" is replaced before "virginia".
_STATE_SPELLINGS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (
            (" " + " ".join(_ADDRESS_WORDS.get(word, word) for word in name.split()) + " ", abbr)
            for name, abbr in _STATES.items()
        ),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
)
_COUNTRY_TAILS: tuple[tuple[str, ...], ...] = (
    ("united", "states", "of", "america"),
    ("united", "states"),
    ("usa",),
    ("us",),
)

_SEGMENT_SPLIT = re.compile(r"[\r\n,;]+")
_PO_BOX = re.compile(r"^(p\.?\s*o\.?\s*box|post\s+office\s+box)\b", re.IGNORECASE)
_ATTENTION = re.compile(r"^(attn|attention|c/o)\b", re.IGNORECASE)
# A name this close to the other after normalising is probably a misreading or a typo.
_SIMILAR_RATIO = 0.9


class NameMatch(StrEnum):
    """How two company names compare after normalising."""

    SAME = "same"
    LEGAL_FORM_OMITTED = "legal_form_omitted"  # "Acme Drywall" vs "Acme Drywall LLC"
    LEGAL_FORM_DIFFERS = "legal_form_differs"  # "Acme Drywall Inc" vs "Acme Drywall LLC"
    PARTIAL = "partial"  # one name contains the other: "Acme LLC dba Acme Drywall"
    SIMILAR = "similar"  # a letter or two apart: a typo or a misread scan
    DIFFERENT = "different"

    @property
    def accepted(self) -> bool:
        """True when the names can be taken as the same company without a person looking."""
        return self in (NameMatch.SAME, NameMatch.LEGAL_FORM_OMITTED)


def _fold(text: str) -> str:
    """Case-fold and strip accents until stable (casefold can produce decomposable text)."""
    for _ in range(4):
        decomposed = unicodedata.normalize("NFKD", text)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
        if folded == text:
            break
        text = folded
    return text


def _tokens(text: str) -> list[str]:
    """Split folded text into alphanumeric words; periods and apostrophes join ("L.L.C.")."""
    chars: list[str] = []
    for ch in _fold(text):
        if ch in ".'\u2019":
            continue
        chars.append(ch if ch.isalnum() else " ")
    return "".join(chars).split()


def _join_single_letters(tokens: list[str]) -> list[str]:
    """ "A B C Drywall" and "ABC Drywall" are one name; so are "L L C" and "LLC"."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1:
            run.append(token)
            continue
        if run:
            out.append("".join(run))
            run = []
        if token:
            out.append(token)
    return out


def _replace_phrases(
    tokens: list[str], phrases: tuple[tuple[tuple[str, ...], str], ...]
) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase, replacement in phrases:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.append(replacement)
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _name_tokens(text: str | None) -> list[str]:
    if not text:
        return []
    tokens = _join_single_letters(_tokens(text.replace("&", " and ")))
    tokens = [_WORD_FORMS.get(token, token) for token in tokens]
    tokens = _replace_phrases(tokens, _PHRASES)
    while tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return tokens


def normalize_name(text: str | None) -> str:
    """A company name reduced for comparison: "The Bulley Construction, L.L.C." -> "bulley
    construction llc". Case, accents, punctuation, line breaks and spacing do not count."""
    return " ".join(_name_tokens(text))


def _split_legal_form(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Separate trailing legal-form words ("co inc") from the rest of the name."""
    end = len(tokens)
    while end > 1 and tokens[end - 1] in LEGAL_FORMS:
        end -= 1
    return tokens[:end], tokens[end:]


def _contains(longer: list[str], shorter: list[str]) -> bool:
    width = len(shorter)
    return any(longer[i : i + width] == shorter for i in range(len(longer) - width + 1))


def compare_names(found: str | None, required: str | None) -> NameMatch:
    """Compare a name read from a certificate with the name it should be."""
    a, b = _name_tokens(found), _name_tokens(required)
    if not a or not b:
        # A name made only of words the comparison skips ("The") still equals itself.
        raw_a, raw_b = _tokens(found or ""), _tokens(required or "")
        return NameMatch.SAME if raw_a and raw_a == raw_b else NameMatch.DIFFERENT
    if a == b:
        return NameMatch.SAME
    core_a, form_a = _split_legal_form(a)
    core_b, form_b = _split_legal_form(b)
    if core_a == core_b:
        return (
            NameMatch.LEGAL_FORM_OMITTED
            if not form_a or not form_b
            else (NameMatch.LEGAL_FORM_DIFFERS)
        )
    shorter, longer = sorted((core_a, core_b), key=len)
    if _contains(longer, shorter):
        return NameMatch.PARTIAL
    if SequenceMatcher(None, " ".join(core_a), " ".join(core_b)).ratio() >= _SIMILAR_RATIO:
        return NameMatch.SIMILAR
    return NameMatch.DIFFERENT


def normalize_address(text: str | None) -> str:
    """An address reduced for comparison: "100 Main Street, Suite 200, Chicago, Illinois
    60601-1234" and "100 MAIN ST STE 200 CHICAGO IL 60601" both give "100 main st 200
    chicago il 60601"."""
    if not text:
        return ""
    tokens = _tokens(text.replace("#", " "))
    tokens = _replace_phrases(tokens, ((("p", "o", "box"), "po box"),))
    tokens = [_ADDRESS_WORDS.get(token, token) for token in tokens]
    joined = " " + " ".join(token for token in tokens if token not in _UNIT_MARKERS) + " "
    for spelled, abbreviation in _STATE_SPELLINGS:
        joined = joined.replace(spelled, f" {abbreviation} ")
    tokens = joined.split()
    for tail in _COUNTRY_TAILS:
        if len(tokens) > len(tail) and tuple(tokens[-len(tail) :]) == tail:
            tokens = tokens[: -len(tail)]
            break
    # ZIP+4: the four-digit extension is often left off one side.
    out: list[str] = []
    for token in tokens:
        if len(token) == 4 and token.isdigit() and out and len(out[-1]) == 5 and out[-1].isdigit():
            continue
        out.append(token)
    return " ".join(out)


def addresses_match(found: str | None, required: str | None) -> bool:
    """True when two addresses are the same after normalising."""
    return normalize_address(found) == normalize_address(required)


def split_name_address(text: str | None) -> tuple[str, str]:
    """Split a holder written as one string ("Bulley Construction LLC, 100 Main St, Chicago
    IL 60601", or the same on several lines) into its name and its address.

    The address starts at the first later part that begins with a street number or a PO
    box; "Attn:" and "c/o" lines belong to neither.
    """
    if not text:
        return "", ""
    segments = [s.strip() for s in _SEGMENT_SPLIT.split(text) if s.strip()]
    segments = [s for i, s in enumerate(segments) if i == 0 or not _ATTENTION.match(s)]
    for i, segment in enumerate(segments):
        if i >= 1 and (segment[0].isdigit() or _PO_BOX.match(segment)):
            return " ".join(segments[:i]), " ".join(segments[i:])
    # No separators: the first all-digit word after the name is taken as the street number.
    words = " ".join(segments).split()
    for i, word in enumerate(words):
        if i >= 1 and (word.isdigit() or _PO_BOX.match(" ".join(words[i : i + 3]))):
            return " ".join(words[:i]), " ".join(words[i:])
    return " ".join(words), ""
