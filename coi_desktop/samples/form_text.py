"""What goes in which box of the form, independent of how a certificate is printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from coi_desktop.acord_form import (
    AUTO_BOXES,
    EXCESS_BOX,
    FORM_ROWS,
    GL_AGGREGATE_BOXES,
    GL_BOX,
    GL_CLAIMS_BOX,
    GL_OCCUR_BOX,
    OTHER_DESCRIPTION_FIELD,
    OTHER_LIMIT_LABEL_FIELD,
    REMARKS_FIELD,
    RETENTION_BOX,
    SIGNATURE_FIELD,
    UMBRELLA,
    UMBRELLA_BOX,
    UMBRELLA_CLAIMS_BOX,
    UMBRELLA_OCCUR_BOX,
    WC_EXCLUDED_FIELD,
    WC_OTHER_BOX,
    WC_STATUTE_BOX,
)

from .spec import Address, CertificateSpec, Policy

# What the "other" row's description box says for each coverage, and the label of its limit.
OTHER_ROW_TEXT: dict[str, tuple[str, str]] = {
    "professional_liability": ("PROFESSIONAL LIABILITY", "EACH CLAIM"),
    "pollution_liability": ("CONTRACTORS POLLUTION LIAB", "EACH POLL COND"),
    "builders_risk": ("BUILDERS RISK", "LIMIT"),
    "other": ("INLAND MARINE / EQUIP FLOATER", "LIMIT"),
}


@dataclass(frozen=True)
class Formats:
    """How one broker's software prints money, dates and marks."""

    money: Callable[[int], str]
    day: Callable[[date], str]
    mark: str
    unmarked: str


def money_plain(amount: int) -> str:
    return f"{amount:,}"


def date_mmddyyyy(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def field_texts(spec: CertificateSpec, fmt: Formats) -> dict[str, str]:
    """Field name → printed text for every text box the certificate fills."""
    values: dict[str, str] = {
        "Form_CompletionDate_A": fmt.day(spec.certificate_date),
        "Producer_FullName_A": spec.producer_name,
        **_address_fields("Producer", spec.producer_address),
        "Producer_ContactPerson_FullName_A": spec.producer_contact,
        "Producer_ContactPerson_PhoneNumber_A": spec.producer_phone,
        "Producer_FaxNumber_A": spec.producer_fax,
        "Producer_ContactPerson_EmailAddress_A": spec.producer_email,
        "NamedInsured_FullName_A": spec.insured_name,
        **_address_fields("NamedInsured", spec.insured_address),
        "CertificateOfInsurance_CertificateNumberIdentifier_A": spec.certificate_number,
        "CertificateOfInsurance_RevisionNumberIdentifier_A": spec.revision_number,
        REMARKS_FIELD: spec.description_of_operations,
        "CertificateHolder_FullName_A": spec.holder_name,
        **_address_fields("CertificateHolder", spec.holder_address),
        SIGNATURE_FIELD: spec.producer_contact,
    }
    for letter, insurer in spec.insurers.items():
        values[f"Insurer_FullName_{letter}"] = insurer.name
        values[f"Insurer_NAICCode_{letter}"] = insurer.naic
    for policy in spec.policies:
        values.update(policy_fields(policy, fmt))
    return {name: text for name, text in values.items() if text}


def _address_fields(prefix: str, address: Address) -> dict[str, str]:
    return {
        f"{prefix}_MailingAddress_LineOne_A": address.line1,
        f"{prefix}_MailingAddress_LineTwo_A": address.line2,
        f"{prefix}_MailingAddress_CityName_A": address.city,
        f"{prefix}_MailingAddress_StateOrProvinceCode_A": address.state,
        f"{prefix}_MailingAddress_PostalCode_A": address.postal_code,
    }


def policy_fields(policy: Policy, fmt: Formats) -> dict[str, str]:
    row = FORM_ROWS[policy.row]
    values = {
        row.letter: policy.insurer_letter,
        row.waiver: fmt.mark if policy.waiver_of_subrogation else fmt.unmarked,
        row.policy_number: policy.policy_number,
        row.effective: fmt.day(policy.effective_date),
        row.expiration: fmt.day(policy.expiration_date),
    }
    if row.additional_insured is not None:
        values[row.additional_insured] = fmt.mark if policy.additional_insured else fmt.unmarked
    for key, name in row.limits.items():
        amount = policy.limits.get(key)
        if isinstance(amount, int) and not isinstance(amount, bool):
            values[name] = fmt.money(amount)
    if policy.row == "wc":
        values[WC_EXCLUDED_FIELD] = "N"
    if policy.row == "other":
        description, label = OTHER_ROW_TEXT[policy.coverage]
        values[OTHER_DESCRIPTION_FIELD] = description
        values[OTHER_LIMIT_LABEL_FIELD] = label
    return values


def checked_boxes(spec: CertificateSpec) -> list[str]:
    boxes: list[str] = []
    for policy in spec.policies:
        if policy.row == "gl":
            boxes += [GL_BOX, GL_OCCUR_BOX if policy.occurrence else GL_CLAIMS_BOX]
            boxes.append(GL_AGGREGATE_BOXES[policy.aggregate_applies_per])
        elif policy.row == "auto":
            boxes += [AUTO_BOXES[kind] for kind in policy.auto_types]
        elif policy.row == "umbrella":
            boxes.append(UMBRELLA_BOX if policy.coverage == UMBRELLA else EXCESS_BOX)
            boxes.append(UMBRELLA_OCCUR_BOX if policy.occurrence else UMBRELLA_CLAIMS_BOX)
            if policy.limits.get("retention") is not None:
                boxes.append(RETENTION_BOX)
        elif policy.row == "wc":
            boxes.append(WC_STATUTE_BOX if policy.limits.get("statutory") else WC_OTHER_BOX)
    return boxes


def mark_fields(spec: CertificateSpec, fmt: Formats) -> set[str]:
    """The ADDL INSD / SUBR WVD boxes of the certificate that show a mark."""
    out = set()
    for policy in spec.policies:
        row = FORM_ROWS[policy.row]
        if policy.waiver_of_subrogation:
            out.add(row.waiver)
        if policy.additional_insured and row.additional_insured is not None:
            out.add(row.additional_insured)
    return out
