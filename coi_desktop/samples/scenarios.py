"""Realistic certificate contents for a requirement profile: compliant, or with chosen defects.

`random_spec` writes what a broker would put on the ACORD 25 for a subcontractor who meets the
profile (tracker-api.md shape); each defect then breaks exactly one thing a reviewer checks.
The names and figures it draws from are in `market`; the endorsement pages that back a
certificate are chosen in `backing`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from coi_desktop.acord_form import (
    AUTO,
    COVERAGE_LIMIT_KEYS,
    EXCESS,
    FORM_ROWS,
    GL,
    OTHER_COVERAGES,
    UMBRELLA,
    WC,
)

from .market import (
    BROKERS,
    CARRIERS,
    CITIES,
    FIRST_NAMES,
    LADDERS,
    LAST_NAMES,
    OTHER_GENERAL_CONTRACTORS,
    STREETS,
    TRADES,
)
from .operations_text import operations_description
from .spec import Address, CertificateSpec, Insurer, Limits, Policy

DEFECTS = frozenset(
    {
        "low_limit",
        "expired",
        "expiring_soon",
        "missing_addl_insd",
        "missing_subr_wvd",
        "wrong_holder",
        "missing_coverage",
        "insured_mismatch",
    }
)


@dataclass(frozen=True)
class _Placed:
    """A policy before insurer letters are given out: it knows its carrier, not its letter."""

    policy: Policy
    carrier: tuple[str, str]


def random_spec(
    rng: random.Random,
    *,
    vendor_name: str,
    holder_name: str,
    holder_address: str,
    profile: dict[str, Any],
    today: date,
    defects: frozenset[str] = frozenset(),
    insured_address: Address | None = None,
    project: str | None = None,
) -> CertificateSpec:
    """A certificate meeting `profile` for `vendor_name`, unless `defects` say otherwise.

    `today` is the day the certificate is issued (never later than when it is received).
    `project` (e.g. "Riverside Tower, 100 River Rd, Chicago, IL 60601") goes into the
    description of operations.
    """
    unknown = set(defects) - DEFECTS
    if unknown:
        raise ValueError(f"unknown defects {sorted(unknown)}; known: {sorted(DEFECTS)}")
    lines = {line["coverage"]: line for line in profile.get("lines", [])}
    min_days = int(profile.get("min_days_remaining", 30))
    start = _term_start(rng, today, min_days)
    placed = _same_carrier_for_auto(
        rng, [_place(rng, c, lines.get(c), start) for c in _coverages_to_show(rng, lines)]
    )
    holder = Address.parse(holder_address)
    insured = vendor_name
    placed = _apply_policy_defects(rng, placed, lines, defects, today, min_days)
    if "wrong_holder" in defects:
        holder_name, other_address = _other_holder(rng, holder_name)
        holder = Address.parse(other_address)
    if "insured_mismatch" in defects:
        insured = _mismatched_name(rng, vendor_name)
    issued = today - timedelta(days=rng.randint(0, 3))
    if "expired" in defects:
        # An old certificate sent again: issued during the term that has now ended.
        issued = min(p.policy.effective_date for p in placed) + timedelta(days=rng.randint(1, 20))
    return _assemble(
        rng,
        placed=placed,
        insured=insured,
        insured_address=insured_address or random_address(rng),
        holder_name=holder_name,
        holder=holder,
        issued=issued,
        description=operations_description(
            [p.policy for p in placed], holder_name, project, lines, defects
        ),
    )


# ---------------------------------------------------------------------------------------
# Which policies, with what


def _coverages_to_show(rng: random.Random, lines: dict[str, dict[str, Any]]) -> list[str]:
    """Required lines, plus the everyday lines a contractor carries anyway."""
    shown = [c for c in lines if c in COVERAGE_LIMIT_KEYS]
    for extra, chance in ((GL, 0.95), (AUTO, 0.7), (WC, 0.8), (UMBRELLA, 0.3)):
        clashes = extra == UMBRELLA and EXCESS in shown
        if extra not in shown and not clashes and rng.random() < chance:
            shown.append(extra)
    if not any(c in OTHER_COVERAGES for c in shown) and rng.random() < 0.1:
        shown.append(rng.choice(("professional_liability", "pollution_liability")))
    # The form has one "other" row: keep the first such coverage only.
    first_other = next((c for c in shown if c in OTHER_COVERAGES), None)
    return [c for c in shown if c not in OTHER_COVERAGES or c == first_other]


def _term_start(rng: random.Random, today: date, min_days: int) -> date:
    """Start of a one-year term that still has comfortably more than `min_days` to run."""
    latest_start = today - timedelta(days=14)
    earliest_start = today + timedelta(days=min_days + 10) - timedelta(days=365)
    span = max(0, (latest_start - earliest_start).days)
    return earliest_start + timedelta(days=rng.randint(0, span))


def _place(rng: random.Random, coverage: str, line: dict[str, Any] | None, start: date) -> _Placed:
    required = line or {}
    effective = start
    expiration = _add_year(effective)
    policy = Policy(
        coverage=coverage,
        insurer_letter="?",  # given out in _assemble
        policy_number=policy_number(rng, coverage),
        effective_date=effective,
        expiration_date=expiration,
        limits=_limits(rng, coverage, required),
        # Workers compensation has no additional insureds: the form prints "N / A" there.
        additional_insured=coverage != WC
        and (bool(required.get("additional_insured")) or rng.random() < 0.4),
        waiver_of_subrogation=bool(required.get("waiver_of_subrogation")) or rng.random() < 0.3,
        occurrence=rng.random() < 0.95,
        aggregate_applies_per=_aggregate_per(rng, required),
        auto_types=rng.choice((("any",), ("any",), ("owned", "hired", "non_owned"))),
    )
    return _Placed(policy, _carrier_for(rng, coverage))


def _same_carrier_for_auto(rng: random.Random, placed: list[_Placed]) -> list[_Placed]:
    """GL and auto are usually written by the same carrier (a package policy)."""
    gl = next((p for p in placed if p.policy.coverage == GL), None)
    if gl is None or rng.random() < 0.4:
        return placed
    return [replace(p, carrier=gl.carrier) if p.policy.coverage == AUTO else p for p in placed]


def _add_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + timedelta(days=365)


def _aggregate_per(rng: random.Random, required: dict[str, Any]) -> str:
    if required.get("per_project_aggregate"):
        return "project"
    return rng.choice(("policy", "policy", "project", "location"))


def _carrier_for(rng: random.Random, coverage: str) -> tuple[str, str]:
    if coverage in (UMBRELLA, EXCESS):
        return rng.choice(CARRIERS["excess"])
    if coverage == WC:
        return rng.choice(CARRIERS["workers"] + CARRIERS["casualty"][:3])
    if coverage in OTHER_COVERAGES:
        return rng.choice(CARRIERS["specialty"])
    return rng.choice(CARRIERS["casualty"])


def _at_least(rng: random.Random, required: int | None, ladder: Sequence[int]) -> int:
    """The smallest usual limit meeting `required`, sometimes one step more."""
    floor = required or ladder[0]
    fitting = [value for value in ladder if value >= floor] or [floor]
    if len(fitting) > 1 and rng.random() < 0.2:
        return fitting[1]
    return fitting[0]


def _limits(rng: random.Random, coverage: str, line: dict[str, Any]) -> Limits:
    """Usual limits for the coverage, raised wherever the profile asks for more."""
    need = {
        key: amount
        for key, amount in (line.get("limits") or {}).items()
        if isinstance(amount, int) and not isinstance(amount, bool)
    }
    limits = _usual_limits(rng, coverage, need)
    for key, required in need.items():
        current = limits.get(key)
        short = not isinstance(current, int) or current < required
        if key in COVERAGE_LIMIT_KEYS[coverage] and key != "statutory" and short:
            limits[key] = required
    return limits


def _usual_limits(rng: random.Random, coverage: str, need: dict[str, int]) -> Limits:
    if coverage == GL:
        each = _at_least(rng, need.get("each_occurrence") or 1_000_000, LADDERS["each_occurrence"])
        aggregate = max(
            _at_least(rng, need.get("general_aggregate"), LADDERS["general_aggregate"]), 2 * each
        )
        return {
            "each_occurrence": each,
            "damage_to_rented_premises": _at_least(
                rng, need.get("damage_to_rented_premises"), LADDERS["damage_to_rented_premises"]
            ),
            "medical_expense": _at_least(
                rng, need.get("medical_expense"), LADDERS["medical_expense"]
            ),
            "personal_advertising_injury": max(each, need.get("personal_advertising_injury", 0)),
            "general_aggregate": aggregate,
            "products_completed_ops_aggregate": max(
                aggregate, need.get("products_completed_ops_aggregate", 0)
            ),
        }
    if coverage == AUTO:
        csl = need.get("combined_single_limit") or 1_000_000
        return {"combined_single_limit": _at_least(rng, csl, LADDERS["combined_single_limit"])}
    if coverage in (UMBRELLA, EXCESS):
        floor = max(need.get("each_occurrence", 0), need.get("aggregate", 0)) or 2_000_000
        amount = _at_least(rng, floor, LADDERS["umbrella"])
        retention = rng.choice((10_000, 10_000, 25_000, None))
        return {"each_occurrence": amount, "aggregate": amount, "retention": retention}
    if coverage == WC:
        el = max(need.values(), default=0) or 500_000
        amount = _at_least(rng, el, LADDERS["el"])
        return {
            "statutory": True,
            "el_each_accident": amount,
            "el_disease_each_employee": amount,
            "el_disease_policy_limit": amount,
        }
    # Profiles may name the "other" limit differently (each claim, per loss): meet the largest.
    other_floor = need.get("limit") or max(need.values(), default=None)
    return {"limit": _at_least(rng, other_floor, LADDERS["other"])}


_NUMBER_STYLES: dict[str, tuple[str, ...]] = {
    GL: ("CGL {7}-{2}", "GL-{1L}{7}", "{4}K{4}-TIL-{2}", "ZLP-{8}-{2}", "BKW {8}"),
    AUTO: ("BA-{1L}{1L}{6}", "810-{1L}{7}-{2}", "ACP BA {7}", "BAP {7}-{2}"),
    UMBRELLA: ("CUP-{1L}{6}-{2}", "AUC {7}-{2}", "XS {7}-{2}", "EXC {7}"),
    WC: ("UB-{1L}{6}-{2}", "WC {7}-{2}", "{2} WEC {2L}{4}", "WZP {8}"),
    "professional_liability": ("PRF {7}", "EO-{7}", "MPL {2L}{6}"),
    "pollution_liability": ("CPL {7}", "ENV-{7}-{2}", "PLC {2L}{6}"),
    "other": ("IM {7}", "CIM-{7}-{2}", "BR {2L}{6}"),
}


def policy_number(rng: random.Random, coverage: str) -> str:
    """A policy number in one of the shapes carriers use, e.g. "CGL 4471092-03"."""
    key = UMBRELLA if coverage == EXCESS else coverage if coverage in _NUMBER_STYLES else "other"
    pattern = rng.choice(_NUMBER_STYLES[key])

    def fill(match: re.Match[str]) -> str:
        count, letters = int(match[1]), match[2] == "L"
        alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ" if letters else "0123456789"
        return "".join(rng.choice(alphabet) for _ in range(count))

    return re.sub(r"\{(\d)(L?)\}", fill, pattern)


# ---------------------------------------------------------------------------------------
# Defects


def _apply_policy_defects(
    rng: random.Random,
    placed: list[_Placed],
    lines: dict[str, dict[str, Any]],
    defects: frozenset[str],
    today: date,
    min_days: int,
) -> list[_Placed]:
    if "missing_coverage" in defects:
        placed = _drop_required_line(rng, placed, lines)
    if "low_limit" in defects:
        placed = _lower_a_limit(rng, placed, lines)
    if "missing_addl_insd" in defects:
        placed = _unmark(placed, lines, "additional_insured")
    if "missing_subr_wvd" in defects:
        placed = _unmark(placed, lines, "waiver_of_subrogation")
    if "expired" in defects:
        ended = today - timedelta(days=rng.randint(1, 45))
        placed = [_with_term(p, ended - timedelta(days=365), ended) for p in placed]
    if "expiring_soon" in defects:
        placed = _expire_soon(rng, placed, lines, today, min_days)
    return placed


def _with_term(placed: _Placed, effective: date, expiration: date) -> _Placed:
    policy = replace(placed.policy, effective_date=effective, expiration_date=expiration)
    return replace(placed, policy=policy)


def _required(placed: list[_Placed], lines: dict[str, dict[str, Any]]) -> list[int]:
    return [i for i, p in enumerate(placed) if p.policy.coverage in lines]


def _drop_required_line(
    rng: random.Random, placed: list[_Placed], lines: dict[str, dict[str, Any]]
) -> list[_Placed]:
    candidates = _required(placed, lines)
    # Prefer dropping a line other than GL: a certificate with no GL at all is rare.
    not_gl = [i for i in candidates if placed[i].policy.coverage != GL]
    drop = rng.choice(not_gl or candidates)
    return [p for i, p in enumerate(placed) if i != drop]


def _lower_a_limit(
    rng: random.Random, placed: list[_Placed], lines: dict[str, dict[str, Any]]
) -> list[_Placed]:
    options = [
        (i, key, amount)
        for i, p in enumerate(placed)
        for key, amount in (lines.get(p.policy.coverage, {}).get("limits") or {}).items()
        if isinstance(amount, int) and amount >= 2 and key in p.policy.limits
    ]
    if not options:
        return placed
    index, key, required = rng.choice(options)
    low = _below(required)
    policy = placed[index].policy
    limits = dict(policy.limits)
    limits[key] = low
    if key == "each_occurrence" and policy.coverage == GL:
        limits["personal_advertising_injury"] = low
    if policy.coverage in (UMBRELLA, EXCESS) and key in ("each_occurrence", "aggregate"):
        limits["each_occurrence"] = limits["aggregate"] = low  # umbrellas print one figure
    out = list(placed)
    out[index] = replace(placed[index], policy=replace(policy, limits=limits))
    return out


def _below(required: int) -> int:
    """A usual limit clearly under `required` (half of it, rounded to what brokers write)."""
    half = required // 2
    magnitude = int(10 ** max(0, len(str(half)) - 1))
    return max(1, half // magnitude * magnitude)


def _unmark(placed: list[_Placed], lines: dict[str, dict[str, Any]], flag: str) -> list[_Placed]:
    """Clear the ADDL INSD / SUBR WVD mark on every line whose requirement asks for it."""
    out = []
    for p in placed:
        if lines.get(p.policy.coverage, {}).get(flag):
            policy = (
                replace(p.policy, additional_insured=False)
                if flag == "additional_insured"
                else replace(p.policy, waiver_of_subrogation=False)
            )
            p = replace(p, policy=policy)
        out.append(p)
    return out


def _expire_soon(
    rng: random.Random,
    placed: list[_Placed],
    lines: dict[str, dict[str, Any]],
    today: date,
    min_days: int,
) -> list[_Placed]:
    index = rng.choice(_required(placed, lines) or list(range(len(placed))))
    days_left = rng.randint(1, max(1, min_days - 1))
    expiration = today + timedelta(days=days_left)
    out = list(placed)
    out[index] = _with_term(placed[index], expiration - timedelta(days=365), expiration)
    return out


def _other_holder(rng: random.Random, holder_name: str) -> tuple[str, str]:
    choices = [gc for gc in OTHER_GENERAL_CONTRACTORS if gc[0] != holder_name]
    return rng.choice(choices)


def _mismatched_name(rng: random.Random, vendor_name: str) -> str:
    """A different legal entity: same first word, another trade, another suffix."""
    first = vendor_name.split()[0]
    while True:
        name = f"{first} {rng.choice(TRADES)} {rng.choice(('Inc', 'LLC', 'Group Inc', 'Co'))}"
        if name.lower() != vendor_name.lower():
            return name


# ---------------------------------------------------------------------------------------
# Assembly


def _assemble(
    rng: random.Random,
    *,
    placed: list[_Placed],
    insured: str,
    insured_address: Address,
    holder_name: str,
    holder: Address,
    issued: date,
    description: str,
) -> CertificateSpec:
    letters: dict[tuple[str, str], str] = {}
    policies = []
    rows = list(FORM_ROWS)
    # Letters are given out down the page, so INSURER A is the GL carrier as on most COIs.
    for p in sorted(placed, key=lambda p: rows.index(p.policy.row)):
        letter = letters.setdefault(p.carrier, "ABCDEF"[len(letters)])
        policies.append(replace(p.policy, insurer_letter=letter))
    contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    broker = rng.choice(BROKERS)
    domain = re.sub(r"[^a-z]", "", "".join(broker.lower().split()[:2]))
    area = rng.choice(("312", "630", "847", "773", "414", "219"))
    return CertificateSpec(
        certificate_date=issued,
        producer_name=broker,
        producer_address=random_address(rng, suite=True),
        producer_contact=contact,
        producer_phone=f"({area}) {rng.randint(200, 989)}-{rng.randint(1000, 9999)}",
        producer_fax=f"({area}) {rng.randint(200, 989)}-{rng.randint(1000, 9999)}",
        producer_email=rng.choice(("certs", "certificates", contact.split()[0].lower()))
        + f"@{domain}.com",
        insured_name=insured,
        insured_address=insured_address,
        insurers={letter: Insurer(*carrier) for carrier, letter in letters.items()},
        policies=tuple(policies),
        description_of_operations=description,
        holder_name=holder_name,
        holder_address=holder,
        certificate_number=rng.choice(("", f"{rng.randint(10, 99)}-{rng.randint(10**6, 10**7)}")),
        revision_number=rng.choice(("", "", "0", "1")),
        unmarked=rng.choice(("", "", "", "N")),
    )


def random_address(rng: random.Random, *, suite: bool = False) -> Address:
    city, state, zip_prefix = rng.choice(CITIES)
    line2 = f"Suite {rng.randint(1, 9)}{rng.randint(0, 2)}0" if suite and rng.random() < 0.6 else ""
    return Address(
        line1=f"{rng.randint(100, 9800)} {rng.choice(STREETS)}",
        line2=line2,
        city=city,
        state=state,
        postal_code=f"{zip_prefix}{rng.randint(1, 99):02d}",
    )
