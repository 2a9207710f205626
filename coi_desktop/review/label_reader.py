"""Best-effort reading of certificates that are not laid out as an ACORD 25.

Values are taken only where a label says what they are ("Named Insured:",
"Policy Number:", "Each Occurrence $1,000,000"); anything else stays null. Every
value gets a low confidence, so a reviewer confirms each one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from coi_desktop.review.endorsement_detect import PageLine
from coi_desktop.review.findings import Found, RawCertificate, RawPolicy, Source

LABEL_CONFIDENCE = 0.6  # below the pre-check's review line on purpose

CERTIFICATE_TITLES = re.compile(
    r"CERTIFICATE OF (LIABILITY )?INSURANCE|EVIDENCE OF (COMMERCIAL )?(LIABILITY )?INSURANCE"
)

_PARTY_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("producer.name", re.compile(r"^(PRODUCER|AGENCY|AGENT|BROKER)\b\s*:?\s*", re.I)),
    ("insured.name", re.compile(r"^(NAMED INSURED|INSURED)\b\s*:?\s*", re.I)),
    ("certificate_holder.name", re.compile(r"^(CERTIFICATE HOLDER|HOLDER)\b\s*:?\s*", re.I)),
)
_DATE = r"(\d{1,2}/\d{1,2}/\d{2,4})"
_ISSUED = re.compile(r"\b(DATE ISSUED|ISSUE DATE|DATE)\b\s*:?\s*" + _DATE, re.I)

_SECTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("gl", re.compile(r"GENERAL LIABILITY", re.I)),
    ("auto", re.compile(r"AUTO(MOBILE)? LIABILITY|BUSINESS AUTO", re.I)),
    ("umbrella", re.compile(r"UMBRELLA|EXCESS LIAB", re.I)),
    ("wc", re.compile(r"WORKERS'? COMP", re.I)),
    ("other", re.compile(r"PROFESSIONAL|POLLUTION|BUILDERS'? RISK|INLAND MARINE", re.I)),
)
_MONEY = r"\$?\s*(?P<amount>\d[\d,. ]*\d(?:\s*[KM])?)"
_LIMITS: dict[str, tuple[tuple[str, str], ...]] = {
    "gl": (
        ("each_occurrence", r"EACH OCCURRENCE"),
        ("damage_to_rented_premises", r"DAMAGE TO RENTED PREMISES|FIRE DAMAGE"),
        ("medical_expense", r"MED(ICAL)? EXP(ENSE)?"),
        ("personal_advertising_injury", r"PERSONAL (&|AND) ADV(ERTISING)? INJURY"),
        ("general_aggregate", r"GENERAL AGGREGATE"),
        ("products_completed_ops_aggregate", r"PRODUCTS\W+COMP(LETED)?\W*OP(ERATION)?S? AGG"),
    ),
    "auto": (
        ("combined_single_limit", r"COMBINED SINGLE LIMIT"),
        ("bodily_injury_per_person", r"BODILY INJURY \(?PER PERSON"),
        ("bodily_injury_per_accident", r"BODILY INJURY \(?PER ACCIDENT"),
        ("property_damage", r"PROPERTY DAMAGE"),
    ),
    "umbrella": (("each_occurrence", r"EACH OCCURRENCE"), ("aggregate", r"AGGREGATE")),
    "wc": (
        ("el_each_accident", r"E\.?L\.? EACH ACCIDENT|EACH ACCIDENT"),
        ("el_disease_each_employee", r"DISEASE\W+(EA|EACH) EMPLOYEE"),
        ("el_disease_policy_limit", r"DISEASE\W+POLICY LIMIT"),
    ),
    "other": (("limit", r"LIMIT|EACH CLAIM"),),
}
_STATUTORY = re.compile(r"\bSTATUTORY\b|\bPER STATUTE\b", re.I)
_POLICY_NUMBER = re.compile(
    # one token, or a prefix and a token with digits ("GL 123-4567"); a date ends it
    r"POLICY\s*(NUMBER|NO\.?|#)\s*:?\s*([A-Z0-9][A-Z0-9-]*(?: [A-Z0-9-]*\d[A-Z0-9-]*)?)",
    re.I,
)


def looks_like_certificate(lines: list[PageLine]) -> bool:
    return any(CERTIFICATE_TITLES.search(line.text.upper()) for line in lines[:40])


def read_labels(lines: list[PageLine], page_no: int, source: Source) -> RawCertificate:
    """Labelled values of a non-ACORD certificate page."""
    raw = RawCertificate()

    def found(text: str, line: PageLine) -> Found:
        return Found(text.strip(), page_no, line.rect, source, LABEL_CONFIDENCE)

    for i, line in enumerate(lines):
        for slot, pattern in _PARTY_LABELS:
            m = pattern.match(line.text)
            if m is None or slot in raw.slots:
                continue
            rest = line.text[m.end() :].strip()
            if rest:
                raw.slots[slot] = found(rest, line)
            elif i + 1 < len(lines):
                raw.slots[slot] = found(lines[i + 1].text, lines[i + 1])
        issued = _ISSUED.search(line.text)
        if issued and "certificate_date" not in raw.slots:
            raw.slots["certificate_date"] = found(issued.group(2), line)
    raw.policies = _policies(lines, found)
    raw.warnings.append("not laid out as an ACORD 25: values read by their labels; check each")
    return raw


def _policies(lines: list[PageLine], make: Callable[[str, PageLine], Found]) -> list[RawPolicy]:
    policies: list[RawPolicy] = []
    current: RawPolicy | None = None
    for line in lines:
        text = line.text
        section = next((name for name, p in _SECTIONS if p.search(text)), None)
        if section is not None and (current is None or current.section != section):
            current = RawPolicy(section)
            if section == "other":
                current.fields["description"] = make(text, line)
            if section == "umbrella" and re.search(r"EXCESS", text, re.I):
                current.fields["excess"] = make("X", line)
            policies.append(current)
        if current is None:
            continue
        number = _POLICY_NUMBER.search(text)
        if number and "policy_number" not in current.fields:
            current.fields["policy_number"] = make(number.group(2), line)
        for day in re.findall(_DATE, text):
            key = "eff" if "eff" not in current.fields else "exp"
            if key not in current.fields:
                current.fields[key] = make(day, line)
        statutory = current.section == "wc" and _STATUTORY.search(text)
        if statutory and "statutory" not in current.fields:
            current.fields["statutory"] = make("X", line)
        for name, label in _LIMITS.get(current.section, ()):
            m = re.search(f"(?:{label})" + r"[^$\d]{0,30}" + _MONEY, text, re.I)
            if m and f"limit.{name}" not in current.fields:
                current.fields[f"limit.{name}"] = make(m.group("amount"), line)
    return policies
