"""ACORD 25 sample certificates: the values of one certificate, its ground truth, and renderers.

A `CertificateSpec` holds what a broker would type into the form. `truth()` gives the
extraction JSON of docs (acord25.md) for it; the three renderers print the same values on the
real blank form as a fillable, a flattened (printed text) or a scanned (image only) PDF.
The truth is exactly what the page shows, so extraction can be measured against it.

Truth conventions (shared with the extraction engine):
- every limit key of a coverage (see `LIMIT_KEYS`) is present; `null` when its box is empty;
- `additional_insured` is `null` for workers compensation (the form prints "N / A");
  `occurrence` is `null` except for general and umbrella/excess liability;
  `aggregate_applies_per` is `null` except for general liability;
- an ADDL INSD / SUBR WVD box marked "X" or "Y" is `true`; empty or "N" is `false`;
- `producer` has name, contact, phone and email only (the schema's keys), though the page
  also prints the producer's address and fax;
- workers compensation `statutory` is the PER STATUTE box; umbrella/excess `retention` is
  the amount after "RETENTION $"; the "other" row's `limit` is its one printed amount;
- `policies` are in the form's row order (GL, auto, umbrella/excess, WC, other);
- addresses are one string: "line one, line two, City, ST 12345" (empty lines left out);
- the description of operations is one paragraph; wrapped lines join with a single space.
"""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import hashlib
import math
import random
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any

import pymupdf

Limits = dict[str, int | bool | None]

GL = "general_liability"
AUTO = "automobile_liability"
UMBRELLA = "umbrella_liability"
EXCESS = "excess_liability"
WC = "workers_compensation"
OTHER_COVERAGES = ("professional_liability", "pollution_liability", "builders_risk", "other")

LIMIT_KEYS: dict[str, tuple[str, ...]] = {
    GL: (
        "each_occurrence",
        "damage_to_rented_premises",
        "medical_expense",
        "personal_advertising_injury",
        "general_aggregate",
        "products_completed_ops_aggregate",
    ),
    AUTO: (
        "combined_single_limit",
        "bodily_injury_per_person",
        "bodily_injury_per_accident",
        "property_damage",
    ),
    UMBRELLA: ("each_occurrence", "aggregate", "retention"),
    EXCESS: ("each_occurrence", "aggregate", "retention"),
    WC: ("statutory", "el_each_accident", "el_disease_each_employee", "el_disease_policy_limit"),
    **{coverage: ("limit",) for coverage in OTHER_COVERAGES},
}

# What the "other" row's description box says for each coverage, and the label of its limit.
OTHER_ROW_TEXT: dict[str, tuple[str, str]] = {
    "professional_liability": ("PROFESSIONAL LIABILITY", "EACH CLAIM"),
    "pollution_liability": ("CONTRACTORS POLLUTION LIAB", "EACH POLL COND"),
    "builders_risk": ("BUILDERS RISK", "LIMIT"),
    "other": ("INLAND MARINE / EQUIP FLOATER", "LIMIT"),
}


@dataclass(frozen=True)
class RowFields:
    """The AcroForm field names of one coverage row of the ACORD 25 (2016/03)."""

    letter: str
    additional_insured: str | None
    waiver: str
    policy_number: str
    effective: str
    expiration: str
    limits: dict[str, str]


# One row per kind of policy; the form has exactly one of each, so a certificate holds at
# most one policy per row. Extraction may import this to read fillable forms.
FORM_ROWS: dict[str, RowFields] = {
    "general_liability": RowFields(
        letter="GeneralLiability_InsurerLetterCode_A",
        additional_insured="CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A",
        waiver="Policy_GeneralLiability_SubrogationWaivedCode_A",
        policy_number="Policy_GeneralLiability_PolicyNumberIdentifier_A",
        effective="Policy_GeneralLiability_EffectiveDate_A",
        expiration="Policy_GeneralLiability_ExpirationDate_A",
        limits={
            "each_occurrence": "GeneralLiability_EachOccurrence_LimitAmount_A",
            "damage_to_rented_premises": (
                "GeneralLiability_FireDamageRentedPremises_EachOccurrenceLimitAmount_A"
            ),
            "medical_expense": "GeneralLiability_MedicalExpense_EachPersonLimitAmount_A",
            "personal_advertising_injury": (
                "GeneralLiability_PersonalAndAdvertisingInjury_LimitAmount_A"
            ),
            "general_aggregate": "GeneralLiability_GeneralAggregate_LimitAmount_A",
            "products_completed_ops_aggregate": (
                "GeneralLiability_ProductsAndCompletedOperations_AggregateLimitAmount_A"
            ),
        },
    ),
    "automobile_liability": RowFields(
        letter="Vehicle_InsurerLetterCode_A",
        additional_insured="CertificateOfInsurance_AutomobileLiability_AdditionalInsuredCode_A",
        waiver="Policy_AutomobileLiability_SubrogationWaivedCode_A",
        policy_number="Policy_AutomobileLiability_PolicyNumberIdentifier_A",
        effective="Policy_AutomobileLiability_EffectiveDate_A",
        expiration="Policy_AutomobileLiability_ExpirationDate_A",
        limits={
            "combined_single_limit": "Vehicle_CombinedSingleLimit_EachAccidentAmount_A",
            "bodily_injury_per_person": "Vehicle_BodilyInjury_PerPersonLimitAmount_A",
            "bodily_injury_per_accident": "Vehicle_BodilyInjury_PerAccidentLimitAmount_A",
            "property_damage": "Vehicle_PropertyDamage_PerAccidentLimitAmount_A",
        },
    ),
    "umbrella": RowFields(
        letter="ExcessUmbrella_InsurerLetterCode_A",
        additional_insured="CertificateOfInsurance_ExcessLiability_AdditionalInsuredCode_A",
        waiver="Policy_ExcessLiability_SubrogationWaivedCode_A",
        policy_number="Policy_ExcessLiability_PolicyNumberIdentifier_A",
        effective="Policy_ExcessLiability_EffectiveDate_A",
        expiration="Policy_ExcessLiability_ExpirationDate_A",
        limits={
            "each_occurrence": "ExcessUmbrella_Umbrella_EachOccurrenceAmount_A",
            "aggregate": "ExcessUmbrella_Umbrella_AggregateAmount_A",
            "retention": "ExcessUmbrella_Umbrella_DeductibleOrRetentionAmount_A",
        },
    ),
    "workers_compensation": RowFields(
        letter="WorkersCompensationEmployersLiability_InsurerLetterCode_A",
        additional_insured=None,  # printed "N / A" on the form
        waiver="Policy_WorkersCompensation_SubrogationWaivedCode_A",
        policy_number="Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A",
        effective="Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A",
        expiration="Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A",
        limits={
            "el_each_accident": (
                "WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A"
            ),
            "el_disease_each_employee": (
                "WorkersCompensationEmployersLiability_EmployersLiability_"
                "DiseaseEachEmployeeLimitAmount_A"
            ),
            "el_disease_policy_limit": (
                "WorkersCompensationEmployersLiability_EmployersLiability_"
                "DiseasePolicyLimitAmount_A"
            ),
        },
    ),
    "other": RowFields(
        letter="OtherPolicy_InsurerLetterCode_A",
        additional_insured="CertificateOfInsurance_OtherPolicy_AdditionalInsuredCode_A",
        waiver="OtherPolicy_SubrogationWaivedCode_A",
        policy_number="OtherPolicy_PolicyNumberIdentifier_A",
        effective="OtherPolicy_PolicyEffectiveDate_A",
        expiration="OtherPolicy_PolicyExpirationDate_A",
        limits={"limit": "OtherPolicy_CoverageLimitAmount_A"},
    ),
}

# Checkboxes that depend on a policy's details.
GL_BOX = "GeneralLiability_CoverageIndicator_A"
GL_OCCUR_BOX = "GeneralLiability_OccurrenceIndicator_A"
GL_CLAIMS_BOX = "GeneralLiability_ClaimsMadeIndicator_A"
GL_AGGREGATE_BOXES: dict[str, str] = {
    "policy": "GeneralLiability_GeneralAggregate_LimitAppliesPerPolicyIndicator_A",
    "project": "GeneralLiability_GeneralAggregate_LimitAppliesPerProjectIndicator_A",
    "location": "GeneralLiability_GeneralAggregate_LimitAppliesPerLocationIndicator_A",
}
AUTO_BOXES: dict[str, str] = {
    "any": "Vehicle_AnyAutoIndicator_A",
    "owned": "Vehicle_AllOwnedAutosIndicator_A",
    "hired": "Vehicle_HiredAutosIndicator_A",
    "scheduled": "Vehicle_ScheduledAutosIndicator_A",
    "non_owned": "Vehicle_NonOwnedAutosIndicator_A",
}
UMBRELLA_BOX = "Policy_PolicyType_UmbrellaIndicator_A"
EXCESS_BOX = "Policy_PolicyType_ExcessIndicator_A"
UMBRELLA_OCCUR_BOX = "ExcessUmbrella_OccurrenceIndicator_A"
UMBRELLA_CLAIMS_BOX = "ExcessUmbrella_ClaimsMadeIndicator_A"
RETENTION_BOX = "ExcessUmbrella_RetentionIndicator_A"
WC_STATUTE_BOX = (
    "WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A"
)
WC_OTHER_BOX = "WorkersCompensationEmployersLiability_OtherCoverageIndicator_A"
WC_EXCLUDED_FIELD = "WorkersCompensationEmployersLiability_AnyPersonsExcludedIndicator_A"
OTHER_DESCRIPTION_FIELD = "OtherPolicy_OtherPolicyDescription_A"
OTHER_LIMIT_LABEL_FIELD = "OtherPolicy_CoverageCode_A"
REMARKS_FIELD = "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A"
SIGNATURE_FIELD = "Producer_AuthorizedRepresentative_Signature_A"
EDITION_LABEL = "ACORD 25 (2016/03)"
OLDER_EDITIONS = ("ACORD 25 (2014/01)", "ACORD 25 (2010/05)")


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
        """The FORM_ROWS key of the row this policy is printed on."""
        if self.coverage in (UMBRELLA, EXCESS):
            return "umbrella"
        if self.coverage in OTHER_COVERAGES:
            return "other"
        return self.coverage


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


# ---------------------------------------------------------------------------------------
# Ground truth


def truth(spec: CertificateSpec, realism: Realism | None = None) -> dict[str, Any]:
    """The extraction JSON (acord25.md) of a certificate rendered from `spec`.

    With ``realism``, as it printed the certificate: its ``shared`` policies are separate
    items after the row's own policy, as the real development set's truth files list them.
    """
    shared = realism.shared if realism is not None else ()
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
        "policies": [_policy_truth(policy) for policy in [*_in_form_order(spec.policies), *shared]],
        "description_of_operations": spec.description_of_operations,
        "certificate_holder": {"name": spec.holder_name, "address": str(spec.holder_address)},
        "endorsements": [],
    }


def _in_form_order(policies: tuple[Policy, ...]) -> list[Policy]:
    order = list(FORM_ROWS)
    return sorted(policies, key=lambda policy: order.index(policy.row))


def _policy_truth(policy: Policy) -> dict[str, Any]:
    row = policy.row
    return {
        "coverage": policy.coverage,
        "insurer_letter": policy.insurer_letter,
        "policy_number": policy.policy_number,
        "effective_date": policy.effective_date.isoformat(),
        "expiration_date": policy.expiration_date.isoformat(),
        "additional_insured": None if row == WC else policy.additional_insured,
        "waiver_of_subrogation": policy.waiver_of_subrogation,
        "occurrence": policy.occurrence if row in (GL, "umbrella") else None,
        "aggregate_applies_per": policy.aggregate_applies_per if row == GL else None,
        "limits": {key: policy.limits.get(key) for key in LIMIT_KEYS[policy.coverage]},
    }


# ---------------------------------------------------------------------------------------
# What goes in which box, independent of how it is printed


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


def _field_texts(spec: CertificateSpec, fmt: Formats) -> dict[str, str]:
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
        values.update(_policy_fields(policy, fmt))
    return {name: text for name, text in values.items() if text}


def _address_fields(prefix: str, address: Address) -> dict[str, str]:
    return {
        f"{prefix}_MailingAddress_LineOne_A": address.line1,
        f"{prefix}_MailingAddress_LineTwo_A": address.line2,
        f"{prefix}_MailingAddress_CityName_A": address.city,
        f"{prefix}_MailingAddress_StateOrProvinceCode_A": address.state,
        f"{prefix}_MailingAddress_PostalCode_A": address.postal_code,
    }


def _policy_fields(policy: Policy, fmt: Formats) -> dict[str, str]:
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
    if policy.row == WC:
        values[WC_EXCLUDED_FIELD] = "N"
    if policy.row == "other":
        description, label = OTHER_ROW_TEXT[policy.coverage]
        values[OTHER_DESCRIPTION_FIELD] = description
        values[OTHER_LIMIT_LABEL_FIELD] = label
    return values


def _checked_boxes(spec: CertificateSpec) -> list[str]:
    boxes: list[str] = []
    for policy in spec.policies:
        if policy.row == GL:
            boxes += [GL_BOX, GL_OCCUR_BOX if policy.occurrence else GL_CLAIMS_BOX]
            boxes.append(GL_AGGREGATE_BOXES[policy.aggregate_applies_per])
        elif policy.row == AUTO:
            boxes += [AUTO_BOXES[kind] for kind in policy.auto_types]
        elif policy.row == "umbrella":
            boxes.append(UMBRELLA_BOX if policy.coverage == UMBRELLA else EXCESS_BOX)
            boxes.append(UMBRELLA_OCCUR_BOX if policy.occurrence else UMBRELLA_CLAIMS_BOX)
            if policy.limits.get("retention") is not None:
                boxes.append(RETENTION_BOX)
        elif policy.row == WC:
            boxes.append(WC_STATUTE_BOX if policy.limits.get("statutory") else WC_OTHER_BOX)
    return boxes


# ---------------------------------------------------------------------------------------
# The blank form


@dataclass(frozen=True)
class _FormWidget:
    name: str
    xref: int
    rect: pymupdf.Rect  # page coordinates, top-left origin
    checkbox: bool
    source: str  # the widget's PDF object, to rewrite it in one update_object call


@cache
def _blank_bytes(blank_form: Path) -> bytes:
    # Read once per process: the world renders hundreds of certificates from it.
    return blank_form.read_bytes()


@cache
def _form_widgets(blank_form: Path) -> dict[str, _FormWidget]:
    """The blank form's widgets by field name. Every copy opened from the same bytes has the
    same xrefs, so this is computed once; walking page.widgets() per certificate is slow."""
    with pymupdf.open(stream=_blank_bytes(blank_form), filetype="pdf") as doc:
        return {
            str(w.field_name): _FormWidget(
                name=str(w.field_name),
                xref=w.xref,
                rect=pymupdf.Rect(w.rect),
                checkbox=w.field_type_string == "CheckBox",
                source=doc.xref_object(w.xref, compressed=True),
            )
            for w in doc[0].widgets()
            if not w.rect.is_empty
        }


def _open_blank(blank_form: Path) -> pymupdf.Document:
    return pymupdf.open(stream=_blank_bytes(blank_form), filetype="pdf")


def _title(spec: CertificateSpec) -> str:
    return f"Certificate of Insurance - {spec.insured_name}"


def pdf_bytes(doc: pymupdf.Document, *, title: str, identity: str, effort: int = 0) -> bytes:
    """Save `doc` reproducibly: fixed metadata and a file /ID derived from `identity`.

    MuPDF otherwise gives every save a random /ID, and the world must be the same bytes for
    the same seed. Saving through a temporary file is several times faster than tobytes(),
    which hands MuPDF's output to Python a few bytes at a time.
    """
    doc.set_metadata({"title": title, "producer": "COI Desk sample generator"})
    digest = hashlib.md5(identity.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    doc.xref_set_key(-1, "ID", f"[<{digest}><{digest}>]")
    with tempfile.TemporaryDirectory(prefix="coi-sample-") as folder:
        path = Path(folder) / "out.pdf"
        doc.save(path, garbage=1, deflate=True, no_new_id=True, compression_effort=effort)
        doc.close()
        return path.read_bytes()


# ---------------------------------------------------------------------------------------
# Fillable

_FIELD_FONT_SIZE = 8.0
_LINE_HEIGHT = 9.2


def render_fillable(spec: CertificateSpec, blank_form: Path) -> bytes:
    """The real ACORD 25 with its AcroForm fields filled (values stay in the widgets).

    Dates are MM/DD/YYYY and marks Y/N because the form's own scripts insist on them.
    """
    fmt = Formats(money_plain, date_mmddyyyy, mark="Y", unmarked=spec.unmarked)
    widgets = _form_widgets(blank_form)
    doc = _open_blank(blank_form)
    font_xref = _add_form_font(doc)
    for name, text in _field_texts(spec, fmt).items():
        _fill_text_field(doc, widgets[name], text, font_xref)
    for name in _checked_boxes(spec):
        # The form carries the "on" appearance already; switching state is all a viewer does.
        _rewrite_widget(doc, widgets[name], {"V": "/1", "AS": "/1"})
    return pdf_bytes(doc, title=_title(spec), identity=f"fillable {spec!r}")


def _add_form_font(doc: pymupdf.Document) -> int:
    xref: int = doc.get_new_xref()
    doc.update_object(
        xref, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"
    )
    doc.xref_set_key(doc.pdf_catalog(), "AcroForm/DR/Font/Helv", f"{xref} 0 R")
    return xref


def _fill_text_field(doc: pymupdf.Document, widget: _FormWidget, text: str, font: int) -> None:
    """Set the value and write its appearance stream ourselves.

    Widget.update() asks MuPDF to lay out each field (about 1 ms each, 60 per certificate);
    a one-line appearance written here gives the same page in a fraction of the time.
    """
    width, height = widget.rect.width, widget.rect.height
    lines = wrap_text(text, width - 4) if widget.name in _MULTILINE_FIELDS else [text]
    size = _FIELD_FONT_SIZE if len(lines) > 1 else _fitting_size(text, "helv", width - 4)
    if len(lines) > 1:
        top = height - 2 - size
        positions = [(2.0, top - i * _LINE_HEIGHT) for i in range(len(lines))]
    else:
        positions = [(2.0, (height - size * 0.7) / 2)]
    ops = [f"/Tx BMC q 1 1 {width - 2:g} {height - 2:g} re W n BT /Helv {size:g} Tf 0 g"]
    for (x, y), line in zip(positions, lines, strict=True):
        ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm ({_pdf_escape(line)}) Tj")
    ops.append("ET Q EMC")
    ap = doc.get_new_xref()
    doc.update_object(
        ap,
        f"<</Type/XObject/Subtype/Form/BBox[0 0 {width:g} {height:g}]"
        f"/Resources<</Font<</Helv {font} 0 R>>>>>>",
    )
    doc.update_stream(ap, "\n".join(ops).encode("cp1252"))
    entries = {
        "AP": f"<</N {ap} 0 R>>",
        "V": pymupdf.get_pdf_str(text),
        "DA": f"(/Helv {size:g} Tf 0 g)",
    }
    _rewrite_widget(doc, widget, entries)


def _rewrite_widget(doc: pymupdf.Document, widget: _FormWidget, entries: dict[str, str]) -> None:
    """Set dictionary entries of a widget in one update (xref_set_key costs a parse per key)."""
    source = widget.source
    for key in entries:
        # Drop the old entry; the blank form's values are names, strings or flat dicts.
        source = re.sub(rf"/{key}(?=[\s/(<\[])\s*(\([^)]*\)|/\w+|<<[^>]*>>)", "", source)
    additions = "".join(f"/{key} {value}" for key, value in entries.items())
    doc.update_object(widget.xref, source.rstrip()[:-2] + additions + ">>")


_MULTILINE_FIELDS = frozenset({REMARKS_FIELD, OTHER_DESCRIPTION_FIELD})


def wrap_text(
    text: str, width: float, font: str = "helv", size: float = _FIELD_FONT_SIZE
) -> list[str]:
    """Break `text` into lines no wider than `width` at word boundaries."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, font, size) > width:
            lines.append(current)
            candidate = word
        current = candidate
    return [*lines, current] if current else lines


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# ---------------------------------------------------------------------------------------
# Flattened

FONTS = ("helv", "tiro", "cour", "hebo", "tibo", "cobo")
_BASE_SIZE = 8.0
# Narrow boxes (letters, marks, state codes, dates) are centred by broker software.
_CENTRED_BELOW_WIDTH = 50.0


def _money_formatter(rng: random.Random) -> Callable[[int], str]:
    style = rng.choice(("plain", "plain", "dollar", "dollar", "cents"))
    abbreviate = rng.random() < 0.25  # some brokers write 1M / 1,000K for round figures

    def money(amount: int) -> str:
        if abbreviate and amount >= 1_000_000 and amount % 1_000_000 == 0 and rng.random() < 0.5:
            return f"{amount // 1_000_000}M"
        if abbreviate and amount >= 10_000 and amount % 1_000 == 0 and rng.random() < 0.3:
            return f"{amount // 1_000:,}K"
        if style == "dollar":
            return f"${amount:,}"
        if style == "cents":
            return f"{amount:,}.00"
        return f"{amount:,}"

    return money


def _date_formatter(rng: random.Random) -> Callable[[date], str]:
    style = rng.choice(("mm/dd/yyyy", "mm/dd/yyyy", "m/d/yyyy", "mm/dd/yy"))
    if style == "m/d/yyyy":
        return lambda day: f"{day.month}/{day.day}/{day.year}"
    if style == "mm/dd/yy":
        return lambda day: f"{day.month:02d}/{day.day:02d}/{day.year % 100:02d}"
    return date_mmddyyyy


def random_formats(rng: random.Random, spec: CertificateSpec) -> Formats:
    mark = rng.choice(("X", "X", "Y"))
    return Formats(
        money=_money_formatter(rng),
        day=_date_formatter(rng),
        mark=mark,
        unmarked="N" if mark == "Y" and rng.random() < 0.5 else spec.unmarked,
    )


@dataclass(frozen=True)
class _Pen:
    """One broker's print settings: font, a whole-page offset, a little per-value wobble."""

    font: str
    dx: float
    dy: float
    rng: random.Random

    def wobble(self) -> tuple[float, float]:
        return self.dx + self.rng.uniform(-0.6, 0.6), self.dy + self.rng.uniform(-0.4, 0.4)


@cache
def _printed_blank(blank_form: Path, edition_label: str) -> bytes:
    """The blank form as a plain page: no widgets, no AcroForm, the edition label as given.

    Cached because every flattened and scanned certificate starts from one of three of these.
    """
    doc = _open_blank(blank_form)
    page = doc[0]
    doc.xref_set_key(page.xref, "Annots", "null")
    doc.xref_set_key(doc.pdf_catalog(), "AcroForm", "null")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", "null")  # the form's date scripts
    if edition_label != EDITION_LABEL:
        _relabel_edition(page, edition_label)
    data: bytes = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def render_flattened(
    spec: CertificateSpec, blank_form: Path, rng: random.Random, realism: Realism | None = None
) -> bytes:
    """Values printed as page text over the blank form, no widgets (as broker software does).

    With ``realism``, printed the ways real brokers' systems print them (see `Realism`).
    """
    doc = _flattened_document(spec, blank_form, rng, realism)
    return pdf_bytes(doc, title=_title(spec), identity=f"flattened {spec!r} {realism!r}")


def _flattened_document(
    spec: CertificateSpec, blank_form: Path, rng: random.Random, realism: Realism | None = None
) -> pymupdf.Document:
    # Some brokers still print on an older edition of the form.
    edition = rng.choice(OLDER_EDITIONS) if rng.random() < 0.2 else EDITION_LABEL
    doc = pymupdf.open(stream=_printed_blank(blank_form, edition), filetype="pdf")
    page = doc[0]
    fmt = random_formats(rng, spec)
    pen = _Pen(
        font=rng.choice(FONTS),
        dx=rng.uniform(-3.0, 3.0),
        dy=rng.uniform(-1.2, 1.2),
        rng=rng,
    )
    rects = _print_rects(blank_form, spec)
    if realism is not None and realism.top_line:
        rects = _on_top_lines(rects, spec)
    if realism is not None and realism.look_alike:
        bands = _Bands(realism.look_alike)
        doc.close()
        doc = _look_alike_document(blank_form, edition, bands)
        page = doc[0]
        rects = {name: bands.rect(rect) for name, rect in rects.items()}
    marks = _mark_fields(spec, fmt) | set(_checked_boxes(spec))
    layer = TextLayer(page)
    glyphs: list[pymupdf.Rect] = []
    shared_row: set[str] = set()
    if realism is not None and realism.shared:
        shared_row = _other_row_fields(spec, fmt)
        own = [policy for policy in spec.policies if policy.row == "other"]
        _print_shared_row(layer, rects, [*own, *realism.shared], fmt, pen, realism, glyphs)
    for name, text in _field_texts(spec, fmt).items():
        if name in shared_row:
            continue
        if realism is not None and name == realism.overtyped:
            _overtype(layer, rects[name], _decoy(text), pen)
        if name == REMARKS_FIELD:
            _print_paragraph(layer, rects[name], text, pen)
        elif name == SIGNATURE_FIELD:
            _print_signature(layer, rects[name], text, pen)
        elif name in marks and realism is not None and realism.marks != "text":
            _draw_mark(layer, rects[name], realism.marks, glyphs)
        else:
            _print_in_box(layer, rects[name], text, pen)
    for name in _checked_boxes(spec):
        if realism is not None and realism.marks != "text":
            _draw_mark(layer, rects[name], realism.marks, glyphs)
        else:
            _print_in_box(layer, rects[name], fmt.mark, pen, centred=True)
    layer.commit()
    _print_glyph_marks(page, glyphs)
    return doc


# ---------------------------------------------------------------------------------------
# Printed as real brokers' systems print (issue #10: the reader must not pass only on
# certificates drawn on exactly the geometry it assumes)

MARK_STYLES = ("text", "vector", "glyph")
# A font with the heavy multiplication sign; Debian's fonts-dejavu-core (run.py installs it).
GLYPH_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
HEAVY_X = "\u2716"  # ✖


@dataclass(frozen=True)
class Realism:
    """How one real broker's system prints a certificate, beyond our own generator's habits.

    - ``top_line``: the values of a coverage row (insurer letter, ADDL INSD, SUBR WVD,
      policy number, dates) sit on the row's first line, beside its first limit, not in
      the middle of the row (agency systems, e.g. the USI certificates);
    - ``marks``: check marks as the letter X (``text``), two crossed strokes drawn as
      vector lines (``vector``, as pdf-lib output does), or the glyph ✖ (``glyph``);
    - ``overtyped``: a field edited after printing: the old value is still in the text
      layer, under a white box, and the new one printed over it (None: no edit);
    - ``shared``: more policies on the "other" row, below the certificate's own (e.g.
      professional and pollution liability), each on its own line with its own description,
      insurer letter, marks, number, dates, limit label and amount, as the USI certificates
      list several "Property" policies; the other row has three lines, so at most three;
    - ``look_alike``: the form redrawn by a broker's system, not the blank form itself:
      the stretch of each of its bands (`LOOK_ALIKE_BANDS`: the header, each coverage
      row, the bottom), so rows are taller or shorter and everything below them moves;
      empty: the blank form as it is.
    The truth stays what the page shows.
    """

    top_line: bool = False
    marks: str = "text"
    overtyped: str | None = None
    shared: tuple[Policy, ...] = ()
    look_alike: tuple[float, ...] = ()


def random_realism(rng: random.Random, spec: CertificateSpec) -> Realism:
    """One broker's habits, each variation about every other certificate."""
    editable = [f"Insurer_FullName_{letter}" for letter in spec.insurers]
    editable += [FORM_ROWS[policy.row].policy_number for policy in spec.policies]
    return Realism(
        top_line=rng.random() < 0.5,
        marks=rng.choice(MARK_STYLES),
        overtyped=rng.choice(editable) if rng.random() < 0.5 else None,
        shared=shared_policies(rng, spec) if rng.random() < 0.4 else (),
        look_alike=random_look_alike(rng) if rng.random() < 0.4 else (),
    )


# The blank form's horizontal bands, cut on its full-width rules: the header (parties,
# insurers, the table's column titles), the five coverage rows, the description and holder.
LOOK_ALIKE_BANDS = (0.0, 300.0, 384.0, 444.0, 480.0, 528.0, 564.0, 792.0)


def random_look_alike(rng: random.Random) -> tuple[float, ...]:
    """Each band of the form a little taller or shorter, as another system draws it: the
    coverage rows by up to a tenth, the header and the bottom (300 and 228 pt) by 3 %."""
    rows = [round(rng.uniform(0.9, 1.1), 3) for _ in LOOK_ALIKE_BANDS[2:-1]]
    header, bottom = (round(rng.uniform(0.97, 1.03), 3) for _ in range(2))
    return (header, *rows, bottom)


class _Bands:
    """Where a point of the blank form lands on a look-alike page: band by band."""

    def __init__(self, stretch: tuple[float, ...]) -> None:
        heights = [
            (b - a) * k for (a, b), k in zip(pairwise(LOOK_ALIKE_BANDS), stretch, strict=True)
        ]
        self.fit = min(1.0, LOOK_ALIKE_BANDS[-1] / sum(heights))  # the page still holds it
        self.stretch = stretch
        self.tops = [sum(heights[:i]) * self.fit for i in range(len(heights))]

    def targets(self) -> list[tuple[pymupdf.Rect, pymupdf.Rect]]:
        """(band on the blank form, where it is drawn) for every band."""
        out = []
        for i, (a, b) in enumerate(pairwise(LOOK_ALIKE_BANDS)):
            top = self.tops[i]
            height = (b - a) * self.stretch[i] * self.fit
            out.append((pymupdf.Rect(0, a, 612, b), pymupdf.Rect(0, top, 612, top + height)))
        return out

    def rect(self, r: pymupdf.Rect) -> pymupdf.Rect:
        """A value's box, moved with the band its centre lies in; its size kept."""
        centre = (r.y0 + r.y1) / 2
        i = max(j for j, a in enumerate(LOOK_ALIKE_BANDS[:-1]) if a <= centre)
        scale = self.stretch[i] * self.fit
        y = self.tops[i] + (centre - LOOK_ALIKE_BANDS[i]) * scale
        return pymupdf.Rect(r.x0, y - r.height / 2, r.x1, y + r.height / 2)


def _look_alike_document(blank_form: Path, edition: str, bands: _Bands) -> pymupdf.Document:
    """The blank form redrawn band by band at the look-alike's heights."""
    sheets = pymupdf.open(stream=_band_sheets(blank_form, edition), filetype="pdf")
    doc = pymupdf.open()
    page = doc.new_page(width=sheets[0].rect.width, height=sheets[0].rect.height)
    for index, (source, target) in enumerate(bands.targets()):
        page.show_pdf_page(target, sheets, index, clip=source, keep_proportion=False)
    sheets.close()
    return doc


@cache
def _band_sheets(blank_form: Path, edition: str) -> bytes:
    """One page per band of the printed blank form, with only that band's text.

    A clip hides the rest of a page but leaves its text in the text layer; a look-alike
    form drawn by another system has each label once, where it shows.
    """
    doc = pymupdf.open()
    blank = pymupdf.open(stream=_printed_blank(blank_form, edition), filetype="pdf")
    width, height = blank[0].rect.width, blank[0].rect.height
    for top, bottom in pairwise(LOOK_ALIKE_BANDS):
        doc.insert_pdf(blank)
        page = doc[-1]
        for outside in (
            pymupdf.Rect(0, -1, width, top),
            pymupdf.Rect(0, bottom, width, height + 1),
        ):
            if not outside.is_empty:
                page.add_redact_annot(outside)
        page.apply_redactions(images=0, graphics=0)  # text only: keep the rules
    blank.close()
    data: bytes = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


_SHARED_PREFIXES = {
    "professional_liability": "PRF",
    "pollution_liability": "CPL",
    "builders_risk": "BR",
    "other": "IM",
}


def shared_policies(rng: random.Random, spec: CertificateSpec) -> tuple[Policy, ...]:
    """One or two more policies for the "other" row, of kinds the certificate lacks."""
    own = [p.coverage for p in spec.policies if p.row == "other"]
    kinds = [c for c in OTHER_COVERAGES if c not in own]
    count = min(3 - len(own), rng.choice((1, 1, 2)))
    template = rng.choice(spec.policies)
    out = []
    for coverage in rng.sample(kinds, count):
        digits = "".join(rng.choice("0123456789") for _ in range(7))
        out.append(
            Policy(
                coverage=coverage,
                insurer_letter=rng.choice(sorted(spec.insurers)),
                policy_number=f"{_SHARED_PREFIXES[coverage]} {digits}",
                effective_date=template.effective_date,
                expiration_date=template.expiration_date,
                limits={"limit": rng.choice((250_000, 500_000, 1_000_000, 2_000_000))},
                additional_insured=rng.random() < 0.3,
                waiver_of_subrogation=rng.random() < 0.3,
            )
        )
    return tuple(out)


_OTHER_LINES = ("A", "B", "C")  # the other row's three limit lines, top to bottom


def _other_row_fields(spec: CertificateSpec, fmt: Formats) -> set[str]:
    """Every field of the certificate's own "other" policy (printed by `_print_shared_row`)."""
    names = {OTHER_DESCRIPTION_FIELD, OTHER_LIMIT_LABEL_FIELD}
    for policy in spec.policies:
        if policy.row == "other":
            names |= set(_policy_fields(policy, fmt))
    return names


def _print_shared_row(
    layer: TextLayer,
    rects: dict[str, pymupdf.Rect],
    policies: list[Policy],
    fmt: Formats,
    pen: _Pen,
    realism: Realism,
    glyphs: list[pymupdf.Rect],
) -> None:
    """Each policy of the "other" row on its own line: all its values on that line."""
    row = FORM_ROWS["other"]
    description = rects[OTHER_DESCRIPTION_FIELD]
    for policy, line in zip(policies, _OTHER_LINES, strict=False):
        label_box = rects[f"OtherPolicy_CoverageCode_{line}"]
        y0, y1 = label_box.y0, label_box.y1

        def on_line(name: str, y0: float = y0, y1: float = y1) -> pymupdf.Rect:
            r = rects[name]
            return pymupdf.Rect(r.x0, y0, r.x1, y1)

        what, label = OTHER_ROW_TEXT[policy.coverage]
        amount = rects[f"OtherPolicy_CoverageLimitAmount_{line}"]
        texts = [
            (pymupdf.Rect(description.x0, y0, description.x1, y1), what),
            (label_box, label),
            (amount, fmt.money(int(policy.limits["limit"] or 0))),
            (on_line(row.letter), policy.insurer_letter),
            (on_line(row.policy_number), policy.policy_number),
            (on_line(row.effective), fmt.day(policy.effective_date)),
            (on_line(row.expiration), fmt.day(policy.expiration_date)),
        ]
        for rect, text in texts:
            _print_in_box(layer, rect, text, pen)
        assert row.additional_insured is not None
        for name, marked in (
            (row.additional_insured, policy.additional_insured),
            (row.waiver, policy.waiver_of_subrogation),
        ):
            if marked and realism.marks != "text":
                _draw_mark(layer, on_line(name), realism.marks, glyphs)
            elif marked or fmt.unmarked:
                _print_in_box(layer, on_line(name), fmt.mark if marked else fmt.unmarked, pen)


_ROW_VALUES = ("letter", "additional_insured", "waiver", "policy_number", "effective", "expiration")


def _on_top_lines(rects: dict[str, pymupdf.Rect], spec: CertificateSpec) -> dict[str, Any]:
    """The row values of each policy moved up to the first line of its row."""
    moved = dict(rects)
    for policy in spec.policies:
        row = FORM_ROWS[policy.row]
        top = min(rects[name].y0 for name in row.limits.values())
        if policy.row == WC:
            top = min(top, rects[WC_STATUTE_BOX].y0)
        for key in _ROW_VALUES:
            name = getattr(row, key)
            if name is not None:
                r = rects[name]
                moved[name] = pymupdf.Rect(r.x0, top, r.x1, top + r.height)
    return moved


def _mark_fields(spec: CertificateSpec, fmt: Formats) -> set[str]:
    """The ADDL INSD / SUBR WVD boxes of the certificate that show a mark."""
    out = set()
    for policy in spec.policies:
        row = FORM_ROWS[policy.row]
        if policy.waiver_of_subrogation:
            out.add(row.waiver)
        if policy.additional_insured and row.additional_insured is not None:
            out.add(row.additional_insured)
    return out


def _draw_mark(
    layer: TextLayer, rect: pymupdf.Rect, style: str, glyphs: list[pymupdf.Rect]
) -> None:
    """A check mark as crossed strokes, or (kept for after the text layer) a ✖ glyph."""
    side = min(rect.width, rect.height) - 3
    cx, cy = (rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2
    box = pymupdf.Rect(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
    if style == "glyph" and GLYPH_FONT.is_file():
        glyphs.append(box)
        return
    layer.strokes([((box.x0, box.y0), (box.x1, box.y1)), ((box.x0, box.y1), (box.x1, box.y0))])


def _print_glyph_marks(page: pymupdf.Page, boxes: list[pymupdf.Rect]) -> None:
    if not boxes:
        return
    page.insert_font(fontname="dejavu", fontfile=str(GLYPH_FONT))
    for box in boxes:
        page.insert_text((box.x0, box.y1 - 1), HEAVY_X, fontname="dejavu", fontsize=box.height)
    page.parent.subset_fonts()  # the glyphs used, not the whole font, in each file


def _decoy(text: str) -> str:
    """The value a field held before it was edited: a different name or number."""
    if any(ch.isdigit() for ch in text):
        return "".join(str((int(ch) + 3) % 10) if ch.isdigit() else ch for ch in text)
    return "Former " + text.split(" ", 1)[0] + " Casualty Company"


def _overtype(layer: TextLayer, rect: pymupdf.Rect, old: str, pen: _Pen) -> None:
    """The old value printed, then hidden under a white box the size of the field."""
    _print_in_box(layer, rect, old, pen)
    layer.cover(pymupdf.Rect(rect.x0 + 0.5, rect.y0 + 0.5, rect.x1 - 0.5, rect.y1 - 0.5))


class TextLayer:
    """Text added to a page as one raw content stream, in base-14 fonts (WinAnsi).

    PyMuPDF's insert_text re-reads the page's fonts on every call, which made a certificate
    of 80 values several times slower to print than to render.
    """

    def __init__(self, page: pymupdf.Page) -> None:
        self.page = page
        self.fonts: set[str] = set()
        self.ops: list[str] = ["0 g"]

    def text(self, x: float, baseline: float, text: str, font: str, size: float) -> None:
        """Write `text` with its baseline starting at (x, baseline), top-left coordinates."""
        if font not in self.fonts:
            self.page.insert_font(fontname=font)  # registered under its own name, e.g. /helv
            self.fonts.add(font)
        y = self.page.rect.height - baseline
        self.ops.append(
            f"BT /{font} {size:.2f} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm ({_pdf_escape(text)}) Tj ET"
        )

    def strokes(self, lines: list[tuple[tuple[float, float], tuple[float, float]]]) -> None:
        """Straight black strokes, top-left coordinates."""
        h = self.page.rect.height
        path = " ".join(f"{a:.2f} {h - b:.2f} m {c:.2f} {h - d:.2f} l" for (a, b), (c, d) in lines)
        self.ops.append(f"q 0 G 0.9 w 1 J {path} S Q")

    def cover(self, rect: pymupdf.Rect) -> None:
        """A white box over what was printed before it."""
        h = self.page.rect.height
        self.ops.append(
            f"q 1 g {rect.x0:.2f} {h - rect.y1:.2f} {rect.width:.2f} {rect.height:.2f} re f Q"
        )

    def commit(self) -> None:
        doc = self.page.parent
        # Wrap the form's own content in q/Q so whatever state it leaves cannot move our text.
        before, after = doc.get_new_xref(), doc.get_new_xref()
        for xref, data in ((before, b"q"), (after, ("Q\n" + "\n".join(self.ops)).encode("cp1252"))):
            doc.update_object(xref, "<<>>")
            doc.update_stream(xref, data)
        contents = " ".join(f"{x} 0 R" for x in (before, *self.page.get_contents(), after))
        doc.xref_set_key(self.page.xref, "Contents", f"[{contents}]")


def _print_rects(blank_form: Path, spec: CertificateSpec) -> dict[str, pymupdf.Rect]:
    """Where each value is printed: the widget's box, except that an address without a
    second street line moves its city line up, as brokers' software prints it."""
    rects = {name: widget.rect for name, widget in _form_widgets(blank_form).items()}
    for prefix, address in (
        ("Producer", spec.producer_address),
        ("NamedInsured", spec.insured_address),
        ("CertificateHolder", spec.holder_address),
    ):
        if address.line2:
            continue
        line_two = rects[f"{prefix}_MailingAddress_LineTwo_A"]
        for part in ("CityName", "StateOrProvinceCode", "PostalCode"):
            name = f"{prefix}_MailingAddress_{part}_A"
            rect = rects[name]
            rects[name] = pymupdf.Rect(rect.x0, line_two.y0, rect.x1, line_two.y1)
    return rects


@cache
def _char_widths(font: str) -> dict[str, float]:
    return {
        chr(c): pymupdf.get_text_length(chr(c), fontname=font, fontsize=1) for c in range(32, 256)
    }


def text_width(text: str, font: str, size: float) -> float:
    """Width of `text` in a base-14 font; pymupdf.get_text_length is slow per call, and
    base-14 text has no kerning, so a cached table of character widths is exact."""
    return size * sum(map(_char_widths(font).get, text, repeat(0.6)))


def _fitting_size(text: str, font: str, width: float) -> float:
    """The font size (8 pt down to 5 pt, in quarter points) at which `text` fits `width`."""
    unit = text_width(text, font, 1.0)
    if unit * _BASE_SIZE <= width:
        return _BASE_SIZE
    return max(5.0, math.floor(width / unit * 4) / 4)


def _print_in_box(
    layer: TextLayer, rect: pymupdf.Rect, text: str, pen: _Pen, *, centred: bool = False
) -> None:
    size = _fitting_size(text, pen.font, rect.width - 2)
    width = text_width(text, pen.font, size)
    dx, dy = pen.wobble()
    if centred or rect.width < _CENTRED_BELOW_WIDTH:
        x = rect.x0 + (rect.width - width) / 2 + dx / 3  # little room in small boxes
    else:
        x = rect.x0 + 2 + dx
    # Keep the value inside its box so it never runs into the printed labels.
    x = min(max(x, rect.x0 - 1), rect.x1 + 1 - width)
    baseline = rect.y0 + (rect.height + size * 0.7) / 2 + dy
    layer.text(x, baseline, text, pen.font, size)


def _print_paragraph(layer: TextLayer, rect: pymupdf.Rect, text: str, pen: _Pen) -> None:
    dx, dy = pen.wobble()
    box = pymupdf.Rect(rect.x0 + 2 + dx, rect.y0 + 1 + dy, rect.x1 - 4, rect.y1)
    size = _BASE_SIZE
    lines = wrap_text(text, box.width, pen.font, size)
    # Shrink until the paragraph fits its box, as broker software does with long remarks.
    while len(lines) * size * 1.2 > box.height and size > 5:
        size -= 0.5
        lines = wrap_text(text, box.width, pen.font, size)
    for index, line in enumerate(lines):
        layer.text(box.x0, box.y0 + size + index * size * 1.2, line, pen.font, size)


def _print_signature(layer: TextLayer, rect: pymupdf.Rect, text: str, pen: _Pen) -> None:
    dx, _ = pen.wobble()
    layer.text(rect.x0 + 40 + dx, rect.y1 - 6, text, "tiit", 11)


def _relabel_edition(page: pymupdf.Page, label: str) -> None:
    """Print an older edition's label in place of "ACORD 25 (2016/03)"."""
    for rect in page.search_for(EDITION_LABEL):
        page.add_redact_annot(
            pymupdf.Rect(rect.x0 - 0.5, rect.y0 - 0.5, rect.x1 + 0.5, rect.y1 + 0.5)
        )
        page.apply_redactions(
            images=0,
            graphics=0,  # PDF_REDACT_IMAGE_NONE, PDF_REDACT_LINE_ART_NONE: keep them
        )
        page.insert_text((rect.x0, rect.y1 - 2.2), label, fontname="hebo", fontsize=8.4)


# ---------------------------------------------------------------------------------------
# Scanned

SCAN_DPI = 200


def render_scanned(
    spec: CertificateSpec,
    blank_form: Path,
    rng: random.Random,
    *,
    dpi: int = SCAN_DPI,
    realism: Realism | None = None,
) -> bytes:
    """A flattened certificate as a slightly skewed, speckled scan; one image, no text layer.

    Most scans are black and white ("text" mode of an office scanner); some are grey.
    With ``realism`` as offices really scan: coarser or finer (150-300 dpi), fed crooked
    (up to 3.5 degrees), and one in three stored on its side, shown upright by /Rotate or not.
    """
    source = _flattened_document(spec, blank_form, rng, realism)
    angle = rng.uniform(-1.0, 1.0)
    sideways = None
    if realism is not None:
        dpi = rng.choice((150, 200, 300))
        angle = rng.uniform(-3.5, 3.5)
        sideways = rng.choice(("rotate", "landscape", None, None, None, None))
    matrix = pymupdf.Matrix(dpi / 72, dpi / 72).prerotate(angle)
    pix = source[0].get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
    source.close()
    samples = pix.samples
    if rng.random() < 0.75:
        samples = samples.translate(_threshold_table(rng.randrange(140, 180)))
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pix.width, pix.height, _speckled(samples, rng), False)
    doc = pymupdf.open()
    if sideways is None:
        page = doc.new_page(width=612, height=792)
        # Stored losslessly (Flate): faster to encode than JPEG, and tiny for black and white.
        page.insert_image(page.rect, pixmap=pix)
    else:  # the sheet went in on its side: a landscape page, turned upright by /Rotate or not
        page = doc.new_page(width=792, height=612)
        page.insert_image(page.rect, pixmap=pix, rotate=90)
        if sideways == "rotate":
            page.set_rotation(90)
    # Half of zlib's effort: a third of the time for a file a fifth larger.
    identity = f"scanned {spec!r} {realism!r}"
    return pdf_bytes(doc, title="Scan", identity=identity, effort=50)


@cache
def _threshold_table(level: int) -> bytes:
    return bytes(0 if value < level else 255 for value in range(256))


def _speckled(samples: bytes, rng: random.Random) -> bytes:
    """Sparse dark and light specks, like dust on a scanner glass."""
    noisy = bytearray(samples)
    for _ in range(len(noisy) // 12000):
        index = rng.randrange(len(noisy))
        noisy[index] = rng.randrange(0, 120) if noisy[index] > 128 else 255
    return bytes(noisy)


# ---------------------------------------------------------------------------------------
# Reading back (for tests and tools)

STYLES = ("fillable", "flattened", "scanned")


def render(
    spec: CertificateSpec,
    style: str,
    blank_form: Path,
    rng: random.Random,
    realism: Realism | None = None,
) -> bytes:
    """Render `spec` in one of STYLES (printed ones the way `realism` says, if given)."""
    if style == "fillable":
        return render_fillable(spec, blank_form)
    if style == "flattened":
        return render_flattened(spec, blank_form, rng, realism)
    if style == "scanned":
        return render_scanned(spec, blank_form, rng, realism=realism)
    raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")


def field_values(pdf: bytes) -> dict[str, str]:
    """Name → value of every non-empty AcroForm field on the first page."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return {
            str(w.field_name): str(w.field_value)
            for w in doc[0].widgets()
            if w.field_value not in (None, "", "Off")
        }
