"""Sample endorsement pages (ISO / NCCI forms and broker "blanket" wording) with ground truth.

`ENDORSEMENT_FORMS` is the one table of the standard forms we know: what each form number
provides. Extraction imports it to turn a form number found on a page into `provides`.
The wording printed here is our own paraphrase of what such forms say, not ISO's text.
"""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pymupdf

from .pdf_page import TextLayer, pdf_bytes, text_width, wrap_text

ADDITIONAL_INSURED = "additional_insured"
WAIVER_OF_SUBROGATION = "waiver_of_subrogation"
PRIMARY_NONCONTRIBUTORY = "primary_noncontributory"
COMPLETED_OPERATIONS = "completed_operations"
PROVIDES = (
    ADDITIONAL_INSURED,
    WAIVER_OF_SUBROGATION,
    PRIMARY_NONCONTRIBUTORY,
    COMPLETED_OPERATIONS,
)


@dataclass(frozen=True)
class EndorsementForm:
    form_number: str  # as printed, without the edition: "CG 20 10"
    edition: str  # "MM YY" (NCCI's printed "(Ed. 4-84)" is "04 84")
    title: str
    coverage: str  # tracker-api.md coverage name of the policy it endorses
    provides: tuple[str, ...]

    @property
    def printed_number(self) -> str:
        """Form number and edition as the page header/footer prints them."""
        if self.form_number.startswith("WC"):
            month, year = self.edition.split()
            return f"{self.form_number} (Ed. {int(month)}-{year})"
        return f"{self.form_number} {self.edition}"


ENDORSEMENT_FORMS: dict[str, EndorsementForm] = {
    form.form_number: form
    for form in (
        EndorsementForm(
            "CG 20 10",
            "04 13",
            "ADDITIONAL INSURED - OWNERS, LESSEES OR CONTRACTORS - "
            "SCHEDULED PERSON OR ORGANIZATION",
            "general_liability",
            (ADDITIONAL_INSURED,),
        ),
        EndorsementForm(
            "CG 20 37",
            "04 13",
            "ADDITIONAL INSURED - OWNERS, LESSEES OR CONTRACTORS - COMPLETED OPERATIONS",
            "general_liability",
            (ADDITIONAL_INSURED, COMPLETED_OPERATIONS),
        ),
        EndorsementForm(
            "CG 20 26",
            "04 13",
            "ADDITIONAL INSURED - DESIGNATED PERSON OR ORGANIZATION",
            "general_liability",
            (ADDITIONAL_INSURED,),
        ),
        EndorsementForm(
            "CG 24 04",
            "05 09",
            "WAIVER OF TRANSFER OF RIGHTS OF RECOVERY AGAINST OTHERS TO US",
            "general_liability",
            (WAIVER_OF_SUBROGATION,),
        ),
        EndorsementForm(
            "CG 20 01",
            "04 13",
            "PRIMARY AND NONCONTRIBUTORY - OTHER INSURANCE CONDITION",
            "general_liability",
            (PRIMARY_NONCONTRIBUTORY,),
        ),
        EndorsementForm(
            "CA 20 48",
            "10 13",
            "DESIGNATED INSURED FOR COVERED AUTOS LIABILITY COVERAGE",
            "automobile_liability",
            (ADDITIONAL_INSURED,),
        ),
        EndorsementForm(
            "CA 04 44",
            "10 13",
            "WAIVER OF TRANSFER OF RIGHTS OF RECOVERY AGAINST OTHERS TO US (WAIVER OF SUBROGATION)",
            "automobile_liability",
            (WAIVER_OF_SUBROGATION,),
        ),
        EndorsementForm(
            "WC 00 03 13",
            "04 84",
            "WAIVER OF OUR RIGHT TO RECOVER FROM OTHERS ENDORSEMENT",
            "workers_compensation",
            (WAIVER_OF_SUBROGATION,),
        ),
    )
}

# Phrases that make a broker's blanket endorsement provide something, without a form number.
BLANKET_WORDING: dict[str, str] = {
    ADDITIONAL_INSURED: "is an additional insured where required by written contract",
    PRIMARY_NONCONTRIBUTORY: "primary and non-contributory",
    WAIVER_OF_SUBROGATION: "waiver of our right to recover",
    COMPLETED_OPERATIONS: "including your completed operations",
}

_COVERAGE_PART = {
    "general_liability": "COMMERCIAL GENERAL LIABILITY COVERAGE PART",
    "automobile_liability": "BUSINESS AUTO COVERAGE FORM",
    "workers_compensation": "WORKERS COMPENSATION AND EMPLOYERS LIABILITY INSURANCE POLICY",
}


@dataclass(frozen=True)
class EndorsementSpec:
    """One endorsement page: a standard form (`form_number`) or blanket wording (`blanket`)."""

    policy_number: str
    insurer_name: str
    named_insured: str
    effective_date: date
    additional_insured: str  # the person or organization in the schedule
    project: str  # location / project of covered operations
    form_number: str | None = None  # key of ENDORSEMENT_FORMS
    blanket: tuple[str, ...] = ()  # what a blanket page provides (⊆ PROVIDES)

    def __post_init__(self) -> None:
        if (self.form_number is None) == (not self.blanket):
            raise ValueError("an endorsement is either a standard form or blanket wording")
        if self.form_number is not None and self.form_number not in ENDORSEMENT_FORMS:
            raise ValueError(f"unknown endorsement form {self.form_number!r}")
        if not set(self.blanket) <= set(PROVIDES):
            raise ValueError(f"blanket provides unknown items: {self.blanket}")

    @property
    def provides(self) -> tuple[str, ...]:
        if self.form_number is not None:
            return ENDORSEMENT_FORMS[self.form_number].provides
        return tuple(item for item in PROVIDES if item in self.blanket)


def endorsement_truth(specs: Sequence[EndorsementSpec]) -> dict[str, Any]:
    """The extraction JSON of a packet rendered by `render_endorsements(specs)`."""
    entries = []
    for page, spec in enumerate(specs, start=1):
        form = ENDORSEMENT_FORMS.get(spec.form_number or "")
        entries.append(
            {
                "form_number": form.form_number if form else None,
                "edition": form.edition if form else None,
                "page": page,
                "provides": list(spec.provides),
            }
        )
    return {"kind": "endorsement", "pages": len(specs), "endorsements": entries}


def render_endorsement(spec: EndorsementSpec) -> bytes:
    """One endorsement page as PDF bytes."""
    return render_endorsements([spec])


def render_endorsements(specs: Sequence[EndorsementSpec]) -> bytes:
    """Several endorsement pages in one PDF, in order (as brokers send them)."""
    doc = pymupdf.open()
    for spec in specs:
        page = doc.new_page(width=612, height=792)
        canvas = _Canvas(page.new_shape(), TextLayer(page))
        if spec.form_number is not None:
            _draw_standard(canvas, spec, ENDORSEMENT_FORMS[spec.form_number])
        else:
            _draw_blanket(canvas, spec)
        canvas.shape.commit()
        canvas.text.commit()
    return pdf_bytes(doc, title="Policy endorsements", identity=f"endorsements {specs!r}")


# ---------------------------------------------------------------------------------------
# Page layout

_LEFT, _RIGHT = 54.0, 558.0


@dataclass(frozen=True)
class _Canvas:
    """Lines go to a Shape, text to one raw text layer (both are one content stream)."""

    shape: pymupdf.Shape
    text: TextLayer


def _draw_standard(canvas: _Canvas, spec: EndorsementSpec, form: EndorsementForm) -> None:
    header = form.printed_number
    canvas.text.text(_LEFT, 40, f"POLICY NUMBER: {spec.policy_number}", "helv", 9)
    _right_text(canvas, 40, header, "hebo", 10)
    if not form.form_number.startswith("WC"):
        _right_text(canvas, 53, _COVERAGE_PART[form.coverage].split(" COVERAGE")[0], "helv", 7)
    notice = "THIS ENDORSEMENT CHANGES THE POLICY. PLEASE READ IT CAREFULLY."
    y = _paragraph(canvas, 78, notice, "hebo", 9, centred=True)
    y = _paragraph(canvas, y + 10, form.title, "hebo", 12, centred=True)
    modifies = "This endorsement modifies insurance provided under the following:"
    y = _paragraph(canvas, y + 8, modifies, "helv", 9)
    y = _paragraph(canvas, y + 2, _COVERAGE_PART[form.coverage], "hebo", 9, centred=True)
    y = _schedule(canvas, y + 14, spec, form)
    for text in _wording(form, spec):
        y = _paragraph(canvas, y + 8, text, "helv", 9)
    _footer(canvas, header, f"Effective {spec.effective_date:%m/%d/%Y}  -  {spec.insurer_name}")


def _draw_blanket(canvas: _Canvas, spec: EndorsementSpec) -> None:
    canvas.text.text(_LEFT, 40, f"Policy Number: {spec.policy_number}", "tiro", 10)
    _right_text(canvas, 40, spec.insurer_name, "tibo", 10)
    titles = {
        ADDITIONAL_INSURED: "BLANKET ADDITIONAL INSURED",
        PRIMARY_NONCONTRIBUTORY: "PRIMARY AND NON-CONTRIBUTORY INSURANCE",
        WAIVER_OF_SUBROGATION: "BLANKET WAIVER OF SUBROGATION",
    }
    title = " - ".join(titles[item] for item in spec.provides if item in titles)
    y = _paragraph(canvas, 80, "CONTRACTORS BLANKET ENDORSEMENT", "tibo", 13, centred=True)
    y = _paragraph(canvas, y + 6, title, "tibo", 10, centred=True)
    opening = (
        f"Named Insured: {spec.named_insured}. Policy period beginning "
        f"{spec.effective_date:%B %d, %Y}. This endorsement forms part of the policy named above."
    )
    y = _paragraph(canvas, y + 10, opening, "tiro", 10)
    for item in spec.provides:
        y = _paragraph(canvas, y + 10, _BLANKET_PARAGRAPHS[item], "tiro", 10)
    closing = "All other terms and conditions of the policy remain unchanged."
    _paragraph(canvas, y + 10, closing, "tiro", 10)
    _footer(canvas, "", f"Issued by {spec.insurer_name}")


_BLANKET_PARAGRAPHS = {
    ADDITIONAL_INSURED: (
        "WHO IS AN INSURED is amended: any person or organization for whom you are performing "
        "operations is an additional insured where required by written contract or agreement "
        "executed before the loss, but only with respect to liability caused by your acts or "
        "omissions in the performance of your ongoing operations for that additional insured."
    ),
    COMPLETED_OPERATIONS: (
        'Such additional insured status applies to "bodily injury" or "property damage" '
        "including your completed operations when the written contract so requires."
    ),
    PRIMARY_NONCONTRIBUTORY: (
        "OTHER INSURANCE: where a written contract requires it, this insurance is primary and "
        "non-contributory, and we will not seek contribution from any other insurance available "
        "to the additional insured."
    ),
    WAIVER_OF_SUBROGATION: (
        "We waive any right of recovery we may have against any person or organization with whom "
        "you have agreed in a written contract to waive such rights. This waiver of our right to "
        "recover applies only to the extent required by that contract and only to payments made "
        "because of work you perform under it."
    ),
}


def _wording(form: EndorsementForm, spec: EndorsementSpec) -> list[str]:
    """A few paragraphs of what the form says, in our own words."""
    who = "the person(s) or organization(s) shown in the Schedule"
    if ADDITIONAL_INSURED in form.provides and form.coverage == "automobile_liability":
        return [
            'A. Each person or organization shown in the Schedule is an "insured" for Covered '
            "Autos Liability Coverage, but only to the extent that person or organization "
            'qualifies as an "insured" under the Who Is An Insured provision of the policy.',
            "B. The insurance afforded to such person or organization does not apply to any "
            '"auto" the person or organization owns, hires or borrows.',
        ]
    if COMPLETED_OPERATIONS in form.provides:
        return [
            f"A. Section II - Who Is An Insured is amended to include as an additional insured "
            f'{who}, but only with respect to liability for "bodily injury" or "property '
            f'damage" caused, in whole or in part, by "your work" at the location designated '
            f"and described in the Schedule, performed for that additional insured and included "
            f'in the "products-completed operations hazard".',
            "B. The insurance afforded to such additional insured only applies to the extent "
            "permitted by law, and will not be broader than that which you are required by the "
            "contract or agreement to provide for such additional insured.",
            "C. The most we will pay on behalf of the additional insured is the amount required "
            "by the contract or agreement, or the Limits of Insurance shown in the Declarations, "
            "whichever is less.",
        ]
    if ADDITIONAL_INSURED in form.provides:
        return [
            f"A. Section II - Who Is An Insured is amended to include as an additional insured "
            f'{who}, but only with respect to liability for "bodily injury", "property '
            f'damage" or "personal and advertising injury" caused, in whole or in part, by your '
            f"acts or omissions, or the acts or omissions of those acting on your behalf, in the "
            f"performance of your ongoing operations for the additional insured.",
            "B. With respect to the insurance afforded to these additional insureds, this "
            "insurance does not apply to injury or damage occurring after all work has been "
            'completed or that portion of "your work" has been put to its intended use.',
            "C. The most we will pay on behalf of the additional insured is the amount required "
            "by the contract or agreement, or the Limits of Insurance shown in the Declarations, "
            "whichever is less. This endorsement does not increase those limits.",
        ]
    if PRIMARY_NONCONTRIBUTORY in form.provides:
        return [
            "The Other Insurance Condition is amended: this insurance is primary to, and we will "
            "not seek contribution from, any other insurance available to an additional insured "
            "under your policy, provided that the additional insured is a Named Insured under "
            "such other insurance and you have agreed in a written contract that this insurance "
            "would be primary and would not seek contribution from any other insurance.",
        ]
    if form.form_number == "WC 00 03 13":
        return [
            "We have the right to recover our payments from anyone liable for an injury covered "
            "by this policy. We will not enforce our right against the person or organization "
            "named in the Schedule. This agreement applies only to the extent that you perform "
            "work under a written contract that requires you to obtain this agreement from us.",
            "This agreement shall not operate directly or indirectly to benefit anyone not named "
            "in the Schedule.",
        ]
    return [
        "The Transfer Of Rights Of Recovery Against Others To Us Condition is amended by the "
        "addition of the following: we waive any right of recovery against the person or "
        "organization shown in the Schedule because of payments we make for injury or damage "
        'arising out of your ongoing operations or "your work" done under a contract with that '
        'person or organization and included in the "products-completed operations hazard".',
        "This waiver applies only to the person or organization shown in the Schedule.",
    ]


def _schedule(canvas: _Canvas, y: float, spec: EndorsementSpec, form: EndorsementForm) -> float:
    y = _paragraph(canvas, y, "SCHEDULE", "hebo", 10, centred=True)
    box = pymupdf.Rect(_LEFT, y + 4, _RIGHT, y + 78)
    shape = canvas.shape
    shape.draw_rect(box)
    if form.coverage == "general_liability" and ADDITIONAL_INSURED in form.provides:
        middle = (box.x0 + box.x1) / 2
        shape.draw_line((middle, box.y0), (middle, box.y1))
        shape.draw_line((box.x0, box.y0 + 30), (box.x1, box.y0 + 30))
        left = "Name Of Additional Insured Person(s) Or Organization(s):"
        right = "Location(s) Of Covered Operations:"
        if COMPLETED_OPERATIONS in form.provides:
            right = "Location And Description Of Completed Operations:"
        _cell(canvas, box.x0, middle, box.y0, left, "hebo")
        _cell(canvas, middle, box.x1, box.y0, right, "hebo")
        _cell(canvas, box.x0, middle, box.y0 + 30, spec.additional_insured)
        _cell(canvas, middle, box.x1, box.y0 + 30, spec.project)
    else:
        label = "Name Of Person(s) Or Organization(s):"
        _cell(canvas, box.x0, box.x1, box.y0, label, "hebo")
        text = f"{spec.additional_insured}, with respect to {spec.project}"
        _cell(canvas, box.x0, box.x1, box.y0 + 20, text)
    shape.finish(color=(0, 0, 0), width=0.75)
    note = "Information required to complete this Schedule, if not shown above, will be shown "
    note += "in the Declarations."
    return _paragraph(canvas, box.y1 + 4, note, "helv", 7)


def _cell(canvas: _Canvas, x0: float, x1: float, top: float, text: str, font: str = "helv") -> None:
    _paragraph(canvas, top + 4, text, font, 8.5, left=x0 + 5, right=x1 - 5)


def _paragraph(
    canvas: _Canvas,
    y: float,
    text: str,
    font: str,
    size: float,
    *,
    centred: bool = False,
    left: float = _LEFT,
    right: float = _RIGHT,
) -> float:
    """Write a wrapped paragraph whose first line's top is `y`; return the y just below it."""
    leading = size * 1.25
    lines = wrap_text(text, right - left, font, size)
    for index, line in enumerate(lines):
        x = left
        if centred:
            x = (left + right - text_width(line, font, size)) / 2
        canvas.text.text(x, y + size + index * leading, line, font, size)
    return y + len(lines) * leading


def _right_text(canvas: _Canvas, y: float, text: str, font: str, size: float) -> None:
    canvas.text.text(_RIGHT - text_width(text, font, size), y, text, font, size)


def _footer(canvas: _Canvas, form_text: str, middle: str) -> None:
    canvas.shape.draw_line((_LEFT, 752), (_RIGHT, 752))
    canvas.shape.finish(color=(0, 0, 0), width=0.5)
    if form_text:
        canvas.text.text(_LEFT, 766, form_text, "hebo", 9)
    canvas.text.text((612 - text_width(middle, "helv", 7.5)) / 2, 766, middle, "helv", 7.5)
    _right_text(canvas, 766, "Page 1 of 1", "helv", 8)
