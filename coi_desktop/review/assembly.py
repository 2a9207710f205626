"""Turn raw findings into the extraction JSON: parse every value, keep its evidence.

Confidence starts from the reader's (form > text > OCR) and drops when a value
had to be repaired or could not be parsed cleanly, so the pre-check sends those
lines to a person (it treats < 0.8 as needs review).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from coi_desktop.acord_form import LIMIT_KEYS
from coi_desktop.review.findings import Found, RawCertificate, RawPolicy, join_found
from coi_desktop.review.parsing import (
    Reading,
    T,
    read_date,
    read_letter,
    read_mark,
    read_money,
    read_naic,
)

JSON = dict[str, Any]

REPAIRED_FACTOR = 0.72  # a repaired OCR value always lands below the 0.8 review line
OCR_FREE_TEXT = 0.75  # free text (names, addresses) read once by OCR: below the review line
OCR_CONFIRMED = 0.9  # ...unless two OCR readings of the box agreed


def _evidence(found: Found, confidence: float | None = None) -> JSON:
    conf = found.confidence if confidence is None else confidence
    return {
        "page": found.page,
        "rect": [round(v, 1) for v in found.rect],
        "source": found.source,
        "confidence": round(max(0.0, min(1.0, conf)), 2),
    }


def clean_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Builder:
    """Collects evidence while values are parsed."""

    def __init__(self) -> None:
        self.evidence: dict[str, JSON] = {}

    def text(self, key: str, found: Found | None) -> str | None:
        if found is None:
            return None
        value = clean_text(found.text)
        if found.source == "ocr":
            value = trim_ocr_edges(value)
            if key.endswith(".address"):
                value = _STATE_ZIP_END.sub(r", \1 \2", repair_ocr_address(value))
            elif key.endswith(".name") or key == "producer.contact":
                value = repair_ocr_name(value)
        if not value:
            return None
        conf = found.confidence
        if found.source == "ocr" and conf < OCR_CONFIRMED:
            # a name read once by OCR has no format to check it against, and scans drop
            # letters ("Casua ty"): a person confirms it
            conf = min(conf, OCR_FREE_TEXT)
        self.evidence[key] = _evidence(found, conf)
        return value

    def money(self, key: str, found: Found | None) -> int | None:
        if found is None:
            return None
        text = clean_text(found.text)
        reading = read_money(trim_ocr_edges(text) if found.source == "ocr" else text)
        if found.source == "ocr" and reading.value is not None and reading.value < 100:
            return None  # an OCR'd "limit" under $100 is a misread rule or speck
        return self._keep(key, found, reading)

    def _keep(self, key: str, found: Found, reading: Reading[T]) -> T | None:
        """Record the evidence of a parsed value; a repaired reading is trusted less."""
        if reading.value is None:
            return None
        factor = REPAIRED_FACTOR if reading.repaired else 1.0
        self.evidence[key] = _evidence(found, found.confidence * factor)
        return reading.value

    def date(self, key: str, found: Found | None) -> str | None:
        if found is None:
            return None
        day = self._keep(key, found, read_date(clean_text(found.text)))
        return day.isoformat() if day is not None else None

    def letter(self, key: str, found: Found | None) -> str | None:
        return (
            None if found is None else self._keep(key, found, read_letter(clean_text(found.text)))
        )

    def naic(self, key: str, found: Found | None) -> str | None:
        return None if found is None else self._keep(key, found, read_naic(clean_text(found.text)))

    def mark(self, key: str, found: Found | None, blank_means: bool | None) -> bool | None:
        """A box: X/Y/check → True, N → False, blank → ``blank_means`` (the box was read)."""
        if found is None:
            return None
        reading = read_mark(clean_text(found.text))
        value = reading.value if reading.value is not None else blank_means
        if value is None:
            return None
        factor = REPAIRED_FACTOR if reading.repaired else 1.0
        self.evidence[key] = _evidence(found, found.confidence * factor)
        return value


def _checked(found: Found | None) -> bool:
    return found is not None and read_mark(clean_text(found.text)).value is True


_STATE_ZIP_END = re.compile(r",?\s+([A-Z]{2})\s*,?\s+(\d{5}(?:-\d{4})?)$")


def _address(slots: dict[str, Found], prefix: str) -> Found | None:
    """Street lines, then "City, ST ZIP", as one line of text.

    Broker software moves the city line up when there is no second street line, so the
    city may be read from the line-two box: the comma before the state is restored here.
    """
    parts = [slots[f"{prefix}.{k}"] for k in ("line1", "line2") if f"{prefix}.{k}" in slots]
    city_line = join_found(
        [slots[f"{prefix}.{k}"] for k in ("city", "state", "zip") if f"{prefix}.{k}" in slots]
    )
    found = join_found([*parts, *([city_line] if city_line else [])], sep=", ")
    if found is None:
        return None
    text = _STATE_ZIP_END.sub(r", \1 \2", clean_text(found.text))
    return Found(text, found.page, found.rect, found.source, found.confidence)


def trim_ocr_edges(text: str) -> str:
    """Specks and rules OCR reads at the ends of a box: ‘“~|, and the like."""
    text = re.sub(r"^[^A-Za-z0-9(&$#]+", "", text.replace("¥", "Y"))
    text = re.sub(r"[^A-Za-z0-9).%]+$", "", text)
    if text.endswith(")") and "(" not in text:
        text = re.sub(r"[^A-Za-z0-9.%]+$", "", text)  # a table rule read as a bracket
    return text


_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
)
_STATES = frozenset(_STATE_CODES.split())


def repair_ocr_name(text: str) -> str:
    """Undo OCR's usual damage to a printed name: a rule glued to its first letter.

    "AUto-Owners" → "Auto-Owners", "lronshore" → "Ironshore",
    "Insurance. Company" → "Insurance Company" (a stray speck read as a full stop).
    """
    text = re.sub(r"\b([A-Z])U(?=[a-z])", r"\1u", text)
    text = re.sub(r"\bl(?=[bcdfgkmnprstvz][a-z])", "I", text)
    return re.sub(r"\b([A-Za-z]{5,})\.\s(?=[A-Z])", r"\1 ", text)


def repair_ocr_address(text: str) -> str:
    """A state code OCR read in lower case or with a speck: "Milwaukee wil 53225"."""

    def fix(m: re.Match[str]) -> str:
        code = m.group(2).upper()
        if code not in _STATES and len(code) == 3 and code[:2] in _STATES:
            code = code[:2]
        return f"{m.group(1)}{code} {m.group(3)}" if code in _STATES else m.group(0)

    return re.sub(r"([\s,])([A-Za-z]{2,3})\.?\s+(\d{5}(?:-\d{4})?)$", fix, text)


def tidy_policy_number(text: str) -> str:
    """An OCR'd policy number: capitals, no spaces around hyphens, no trailing specks.

    "810-x6003044-52" → "810-X6003044-52", "ZLP-37799641 -68" → "ZLP-37799641-68",
    "ACP BA 9458741 Cc" → "ACP BA 9458741" (a short letters-only token after the digits is
    a speck or rule, not part of the number).
    """
    text = re.sub(r"\s*-\s*", "-", trim_ocr_edges(clean_text(text))).upper()
    tokens = re.sub(r"[^A-Z0-9]+$", "", text).split()
    while len(tokens) > 1 and len(tokens[-1]) <= 2 and tokens[-1].isalpha():
        if not any(ch.isdigit() for ch in tokens[-2]):
            break
        tokens.pop()
    return " ".join(tokens)


def tidy_email(text: str) -> str:
    """The address itself: OCR splits it around "@" and drags label fragments in."""
    t = re.sub(r"\s*@\s*", "@", clean_text(text))
    t = re.sub(r"^@(\S+)\s+(\S+\.\w+)$", r"\1@\2", t)  # "@" read before its word
    m = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", t)
    return m.group(0) if m else t


def tidy_phone(text: str) -> str:
    """OCR reads specks after the area code: "(847). 897-3644" → "(847) 897-3644"."""
    return re.sub(r"\)\s*[.,:;]\s*", ") ", clean_text(text))


def _tidy_ocr(found: Found | None, tidy: Callable[[str], str]) -> Found | None:
    """Apply an OCR clean-up to OCR'd text only; printed and form text is taken as is."""
    if found is None or found.source != "ocr":
        return found
    return _tidy(found, tidy)


def _tidy(found: Found | None, tidy: Callable[[str], str]) -> Found | None:
    if found is None:
        return None
    return Found(tidy(found.text), found.page, found.rect, found.source, found.confidence)


def coverage_of(policy: RawPolicy) -> str:
    if policy.section == "gl":
        return "general_liability"
    if policy.section == "auto":
        return "automobile_liability"
    if policy.section == "wc":
        return "workers_compensation"
    if policy.section == "umbrella":
        if _checked(policy.fields.get("excess")) and not _checked(policy.fields.get("umbrella")):
            return "excess_liability"
        return "umbrella_liability"
    desc = (
        clean_text(policy.fields["description"].text).upper()
        if "description" in policy.fields
        else ""
    )
    if "PROFESSIONAL" in desc or "ERRORS" in desc or "E&O" in desc:
        return "professional_liability"
    if "POLLUTION" in desc or "ENVIRONMENTAL" in desc:
        return "pollution_liability"
    if "BUILDER" in desc:
        return "builders_risk"
    return "other"


def _occurrence(b: _Builder, key: str, policy: RawPolicy) -> bool | None:
    occur, claims = policy.fields.get("occur"), policy.fields.get("claims_made")
    if _checked(occur) and not _checked(claims):
        return b.mark(key, occur, None)
    if _checked(claims) and not _checked(occur):
        value = b.mark(key, claims, None)
        return None if value is None else not value
    return None


def _statutory(b: _Builder, key: str, policy: RawPolicy) -> bool | None:
    """PER STATUTE box → True, OTH-ER box → False, neither → unknown."""
    statute, other = policy.fields.get("statutory"), policy.fields.get("other_indicator")
    if _checked(statute) and statute is not None:
        b.evidence[key] = _evidence(statute)
        return True
    if _checked(other) and other is not None:
        b.evidence[key] = _evidence(other)
        return False
    return None


def _aggregate_per(b: _Builder, key: str, policy: RawPolicy) -> str | None:
    for name, value in (
        ("agg_policy", "policy"),
        ("agg_project", "project"),
        ("agg_location", "location"),
    ):
        found = policy.fields.get(name)
        if _checked(found) and found is not None:
            b.evidence[key] = _evidence(found)
            return value
    return None


def _policy_json(b: _Builder, i: int, policy: RawPolicy) -> JSON:
    k = f"policies[{i}]"
    f = policy.fields
    letter = b.letter(f"{k}.insurer_letter", f.get("letter"))
    # Every limit box of the row is reported, null when empty, so a missing limit is visible.
    limits: JSON = {}
    if policy.section == "wc":
        limits["statutory"] = _statutory(b, f"{k}.limits.statutory", policy)
    for name in LIMIT_KEYS.get(policy.section, ()):
        limits[name] = b.money(f"{k}.limits.{name}", f.get(f"limit.{name}"))
    return {
        "coverage": coverage_of(policy),
        "insurer_letter": letter,
        "policy_number": b.text(
            f"{k}.policy_number", _tidy_ocr(f.get("policy_number"), tidy_policy_number)
        ),
        "effective_date": b.date(f"{k}.effective_date", f.get("eff")),
        "expiration_date": b.date(f"{k}.expiration_date", f.get("exp")),
        # the WC row prints "N / A" in the ADDL INSD column
        "additional_insured": (
            None
            if policy.section == "wc"
            else b.mark(f"{k}.additional_insured", f.get("addl"), False)
        ),
        "waiver_of_subrogation": b.mark(f"{k}.waiver_of_subrogation", f.get("subr"), False),
        "occurrence": (
            _occurrence(b, f"{k}.occurrence", policy)
            if policy.section in ("gl", "umbrella")
            else None
        ),
        "aggregate_applies_per": (
            _aggregate_per(b, f"{k}.aggregate_applies_per", policy)
            if policy.section == "gl"
            else None
        ),
        "limits": limits,
    }


def _is_policy_number(found: Found) -> bool:
    text = clean_text(found.text)
    if found.source == "ocr":  # specks and rules read as text are not a policy number
        return sum(ch.isdigit() for ch in text) >= 3
    return sum(ch.isalnum() for ch in text) >= 2


def has_content(policy: RawPolicy) -> bool:
    """A coverage row counts when it shows a policy number, a date or a limit."""
    f = policy.fields
    if "policy_number" in f and _is_policy_number(f["policy_number"]):
        return True
    if any(k in f and read_date(clean_text(f[k].text)).value is not None for k in ("eff", "exp")):
        return True
    if policy.section == "wc" and _checked(f.get("statutory")):
        return True  # "PER STATUTE" is the workers' compensation limit
    return any(
        k.startswith("limit.") and (read_money(clean_text(v.text)).value or 0) >= 100
        for k, v in f.items()
    )


def assemble_certificate(raw: RawCertificate) -> JSON:
    """The certificate part of the extraction JSON (everything but file-level keys)."""
    b = _Builder()
    s = raw.slots
    insurers: list[JSON] = []
    for letter in "ABCDEF":
        idx = len(insurers)
        name = b.text(f"insurers[{idx}].name", s.get(f"insurers.{letter}.name"))
        naic = b.naic(f"insurers[{idx}].naic", s.get(f"insurers.{letter}.naic"))
        if name or naic:
            insurers.append({"letter": letter, "name": name, "naic": naic})
    policies = [p for p in raw.policies if has_content(p)]
    return {
        "certificate_date": b.date("certificate_date", s.get("certificate_date")),
        "producer": {
            "name": b.text("producer.name", s.get("producer.name")),
            "contact": b.text("producer.contact", s.get("producer.contact")),
            "phone": b.text("producer.phone", _tidy(s.get("producer.phone"), tidy_phone)),
            "email": b.text("producer.email", _tidy(s.get("producer.email"), tidy_email)),
        },
        "insured": {
            "name": b.text("insured.name", s.get("insured.name")),
            "address": b.text("insured.address", _address(s, "insured")),
        },
        "insurers": insurers,
        "policies": [_policy_json(b, i, p) for i, p in enumerate(policies)],
        "description_of_operations": b.text("description_of_operations", s.get("description")),
        "certificate_holder": {
            "name": b.text("certificate_holder.name", s.get("certificate_holder.name")),
            "address": b.text("certificate_holder.address", _address(s, "certificate_holder")),
        },
        "evidence": b.evidence,
    }
