"""The values of one ACORD 25 certificate, as a broker types them, and its ground truth.

Truth conventions (shared with the extraction engine):
- every limit key of a coverage (`acord_form.COVERAGE_LIMIT_KEYS`) is present; `null` when
  its box is empty;
- `additional_insured` is `null` for workers compensation (the form prints "N / A");
  `occurrence` is `null` except for general and umbrella/excess liability;
  `aggregate_applies_per` is `null` except for general liability;
- an ADDL INSD / SUBR WVD box marked "X" or "Y" is `true`; empty or "N" is `false`;
- `producer` has name, contact, phone and email only (the schema's keys), though the page
  also prints the producer's address and fax;
- workers compensation `statutory` is the PER STATUTE box; umbrella/excess `retention` is
  the amount after "RETENTION $"; the "other" row's `limit` is its one printed amount;
- `policies` are in the form's row order (GL, auto, umbrella/excess, WC, other), a row's
  own policy before any more printed on it (`realistic.Realism`: stacked, shared);
- addresses are one string: "line one, line two, City, ST 12345" (empty lines left out);
- the description of operations is one paragraph; wrapped lines join with a single space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from coi_desktop.acord_form import COVERAGE_LIMIT_KEYS, FORM_ROWS, SECTION_OF

if TYPE_CHECKING:
    from .realistic import Realism

Limits = dict[str, int | bool | None]


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    postal_code: str
    line2: str = ""

    def __str__(self) -> str:
        lines = [self.line1, self.line2, f"{self.city}, {self.state} {self.postal_code}"]
        return ", ".join(line for line in lines if line)

    @classmethod
    def parse(cls, text: str) -> Address:
        """Read "line one[, line two], City[,] ST 12345" (the tracker's holder format)."""
        match = re.fullmatch(
            r"\s*(?P<street>.+?),\s*(?P<city>[^,]+?),?\s+(?P<state>[A-Z]{2})\s+"
            r"(?P<zip>\d{5}(?:-\d{4})?)\s*",
            text,
        )
        if match is None:
            raise ValueError(f"not a US address: {text!r}")
        street = [part.strip() for part in match["street"].split(",") if part.strip()]
        return cls(
            line1=street[0],
            line2=", ".join(street[1:]),
            city=match["city"].strip(),
            state=match["state"],
            postal_code=match["zip"],
        )


@dataclass(frozen=True)
class Insurer:
    name: str
    naic: str  # five digits


@dataclass(frozen=True)
class Policy:
    coverage: str  # tracker-api.md coverage name
    insurer_letter: str
    policy_number: str
    effective_date: date
    expiration_date: date
    limits: Limits
    additional_insured: bool = False
    waiver_of_subrogation: bool = False
    occurrence: bool = True  # OCCUR vs CLAIMS-MADE; printed for GL and umbrella/excess only
    aggregate_applies_per: str = "policy"  # GL only: "policy" | "project" | "location"
    auto_types: tuple[str, ...] = ("any",)  # keys of AUTO_BOXES

    @property
    def row(self) -> str:
        """The section (FORM_ROWS key) of the row this policy is printed on."""
        return SECTION_OF[self.coverage]


@dataclass(frozen=True)
class CertificateSpec:
    """Everything a broker types into one ACORD 25."""

    certificate_date: date
    producer_name: str
    producer_address: Address
    producer_contact: str
    producer_phone: str
    producer_fax: str
    producer_email: str
    insured_name: str
    insured_address: Address
    insurers: dict[str, Insurer]  # letter "A".."F" → insurer
    policies: tuple[Policy, ...]
    description_of_operations: str
    holder_name: str
    holder_address: Address
    certificate_number: str = ""
    revision_number: str = ""
    unmarked: str = ""  # what an unmarked ADDL INSD / SUBR WVD box shows: "" or "N"

    def __post_init__(self) -> None:
        rows = [policy.row for policy in self.policies]
        if len(rows) != len(set(rows)):
            raise ValueError(f"the ACORD 25 has one row per kind of policy, got {rows}")
        for policy in self.policies:
            if policy.insurer_letter not in self.insurers:
                raise ValueError(f"policy {policy.policy_number} names missing insurer")
        if not set(self.insurers) <= set("ABCDEF"):
            raise ValueError("insurer letters are A to F")
        for text in _printed_strings(self):
            try:
                text.encode("cp1252")
            except UnicodeEncodeError:
                # The base-14 fonts print WinAnsi only; anything else would not match truth.
                raise ValueError(f"cannot print {text!r} with the form's fonts") from None

    def policy(self, coverage: str) -> Policy | None:
        return next((p for p in self.policies if p.coverage == coverage), None)


def _printed_strings(spec: CertificateSpec) -> list[str]:
    addresses = (spec.producer_address, spec.insured_address, spec.holder_address)
    return [
        spec.producer_name,
        spec.producer_contact,
        spec.producer_email,
        spec.insured_name,
        spec.holder_name,
        spec.description_of_operations,
        *(str(address) for address in addresses),
        *(insurer.name for insurer in spec.insurers.values()),
        *(policy.policy_number for policy in spec.policies),
    ]


def truth(spec: CertificateSpec, realism: Realism | None = None) -> dict[str, Any]:
    """The extraction JSON (acord25.md) of a certificate rendered from `spec`.

    With ``realism``, as it printed the certificate: its ``stacked`` and ``shared`` policies
    are separate items after their row's own policy, as the real development set's truth
    files list them. A stacked policy has no OCCUR / CLAIMS-MADE mark of its own (the row's
    boxes are its first policy's), so its ``occurrence`` is null.
    """
    stacked = realism.stacked if realism is not None else ()
    shared = realism.shared if realism is not None else ()
    policies = _in_form_order((*spec.policies, *stacked, *shared))
    return {
        "kind": "coi",
        "pages": 1,
        "certificate_date": spec.certificate_date.isoformat(),
        "producer": {
            "name": spec.producer_name,
            "contact": spec.producer_contact,
            "phone": spec.producer_phone,
            "email": spec.producer_email,
        },
        "insured": {"name": spec.insured_name, "address": str(spec.insured_address)},
        "insurers": [
            {"letter": letter, "name": insurer.name, "naic": insurer.naic}
            for letter, insurer in sorted(spec.insurers.items())
        ],
        "policies": [_policy_truth(policy, own_marks=policy not in stacked) for policy in policies],
        "description_of_operations": spec.description_of_operations,
        "certificate_holder": {"name": spec.holder_name, "address": str(spec.holder_address)},
        "endorsements": [],
    }


def _in_form_order(policies: tuple[Policy, ...]) -> list[Policy]:
    """Row by row; within a row as given (sorted is stable): the certificate's own first."""
    order = list(FORM_ROWS)
    return sorted(policies, key=lambda policy: order.index(policy.row))


def _policy_truth(policy: Policy, *, own_marks: bool = True) -> dict[str, Any]:
    row = policy.row
    marked = own_marks and row in ("gl", "umbrella")
    return {
        "coverage": policy.coverage,
        "insurer_letter": policy.insurer_letter,
        "policy_number": policy.policy_number,
        "effective_date": policy.effective_date.isoformat(),
        "expiration_date": policy.expiration_date.isoformat(),
        "additional_insured": None if row == "wc" else policy.additional_insured,
        "waiver_of_subrogation": policy.waiver_of_subrogation,
        "occurrence": policy.occurrence if marked else None,
        "aggregate_applies_per": policy.aggregate_applies_per if row == "gl" else None,
        "limits": {key: policy.limits.get(key) for key in COVERAGE_LIMIT_KEYS[policy.coverage]},
    }
