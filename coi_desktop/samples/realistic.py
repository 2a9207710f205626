"""Printed as real brokers' systems print (issue #10): `Realism`, drawn per certificate.

The reader must not pass only on certificates drawn on exactly the geometry it assumes, so
the realistic corpus prints top-line rows, drawn and glyph marks, overtyped fields, shared
"other" and stacked umbrella rows, look-alike forms (`look_alike`) and the 2010/05 edition
(`older_edition`). The flattened renderer calls the printing helpers here.
"""

# PyMuPDF is only partly annotated: its untyped calls are expected here.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import pymupdf

from coi_desktop.acord_form import (
    EXCESS,
    FORM_ROWS,
    OTHER_COVERAGES,
    OTHER_DESCRIPTION_FIELD,
    OTHER_LIMIT_LABEL_FIELD,
    SECTIONS,
    UMBRELLA_OTHER_AMOUNT_FIELD,
    UMBRELLA_OTHER_LABEL_FIELD,
    WC_STATUTE_BOX,
)

from .form_text import OTHER_ROW_TEXT, Formats, policy_fields
from .look_alike import random_look_alike
from .pdf_page import Pen, TextLayer, print_in_box
from .spec import CertificateSpec, Policy

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
      empty: the blank form as it is;
    - ``stacked``: a second policy on the umbrella row (an excess layer with its own
      insurer letter, marks, number, dates and limit): the row's own policy on its first
      line, the stacked one on its third, its limit on the third limit line labelled
      EACH OCCURRENCE; the EXCESS LIAB box is marked. At most one;
    - ``older_edition``: printed on the 2010/05 edition as the development set's sample is
      (`older_edition`: the older wording, the 2014/01 label, amounts right-aligned).
    The truth stays what the page shows.
    """

    top_line: bool = False
    marks: str = "text"
    overtyped: str | None = None
    shared: tuple[Policy, ...] = ()
    look_alike: tuple[float, ...] = ()
    stacked: tuple[Policy, ...] = ()
    older_edition: bool = False

    def variations(self) -> dict[str, str]:
        """Each kind of variation and what this certificate has of it, for the bench."""
        layout = "blank form"
        if self.look_alike:
            layout = "look-alike"
        elif self.older_edition:
            layout = "2010/05 edition"
        marks = {"text": "X", "vector": "strokes", "glyph": "\u2716"}[self.marks]
        return {
            "layout": layout,
            "row values": "top line" if self.top_line else "middle",
            "marks": marks,
            "overtyped": "yes" if self.overtyped else "no",
            "other row": "shared" if self.shared else "own",
            "umbrella row": "stacked" if self.stacked else "one policy",
        }


def random_realism(
    rng: random.Random, spec: CertificateSpec, without: Collection[str] = ()
) -> Realism:
    """One broker's habits, each variation about every other certificate.

    `without` names variations (fields of `Realism`) to leave out; every one is drawn all
    the same, so leaving one out changes nothing else.
    """
    unknown = set(without) - {f.name for f in fields(Realism)}
    if unknown:
        raise ValueError(f"unknown variations {sorted(unknown)}")
    editable = [f"Insurer_FullName_{letter}" for letter in spec.insurers]
    editable += [FORM_ROWS[policy.row].policy_number for policy in spec.policies]
    top_line = rng.random() < 0.5
    marks = rng.choice(MARK_STYLES)
    overtyped = rng.choice(editable) if rng.random() < 0.5 else None
    shared = shared_policies(rng, spec) if rng.random() < 0.4 else ()
    look_alike = random_look_alike(rng) if rng.random() < 0.4 else ()
    drawn = Realism(
        top_line=top_line,
        marks=marks,
        overtyped=overtyped,
        shared=shared,
        look_alike=look_alike,
        stacked=stacked_policies(rng, spec) if rng.random() < 0.5 else (),
        # the older edition is the blank form's own drawing: not also a look-alike
        older_edition=not look_alike and rng.random() < 0.4,
    )
    plain = Realism()
    return replace(drawn, **{name: getattr(plain, name) for name in without})


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


def stacked_policies(rng: random.Random, spec: CertificateSpec) -> tuple[Policy, ...]:
    """An excess layer below the certificate's umbrella or excess policy, from another of
    its insurers where it has one; none when the certificate has no umbrella row."""
    own = next((p for p in spec.policies if p.row == "umbrella"), None)
    if own is None:
        return ()
    letters = [letter for letter in sorted(spec.insurers) if letter != own.insurer_letter]
    digits = "".join(rng.choice("0123456789") for _ in range(8))
    amount = rng.choice((1_000_000, 2_000_000, 5_000_000, 10_000_000))
    return (
        Policy(
            coverage=EXCESS,
            insurer_letter=rng.choice(letters or [own.insurer_letter]),
            policy_number=f"XS{digits}",
            effective_date=own.effective_date,
            expiration_date=own.expiration_date,
            limits={"each_occurrence": amount},
            additional_insured=rng.random() < 0.4,
            waiver_of_subrogation=rng.random() < 0.4,
        ),
    )


_ROW_VALUES = ("letter", "additional_insured", "waiver", "policy_number", "effective", "expiration")


def stacked_rects(rects: dict[str, pymupdf.Rect]) -> dict[str, pymupdf.Rect]:
    """Where a stacked policy's values go: the umbrella row's third line, each in its column
    (keys ``stacked.letter`` …, ``stacked.label``, ``stacked.amount``)."""
    row = FORM_ROWS["umbrella"]
    line = rects[UMBRELLA_OTHER_AMOUNT_FIELD]
    out = {"stacked.label": rects[UMBRELLA_OTHER_LABEL_FIELD], "stacked.amount": line}
    for key in _ROW_VALUES:
        r = rects[getattr(row, key)]
        out[f"stacked.{key}"] = pymupdf.Rect(r.x0, line.y0, r.x1, line.y1)
    return out


def print_stacked(
    layer: TextLayer,
    rects: dict[str, pymupdf.Rect],
    policy: Policy,
    fmt: Formats,
    pen: Pen,
    realism: Realism,
    glyphs: list[pymupdf.Rect],
) -> None:
    """The stacked policy on the umbrella row's third line (rects from `stacked_rects`)."""
    texts = {
        "letter": policy.insurer_letter,
        "policy_number": policy.policy_number,
        "effective": fmt.day(policy.effective_date),
        "expiration": fmt.day(policy.expiration_date),
        "label": "EACH OCCURRENCE",
    }
    for key, text in texts.items():
        print_in_box(layer, rects[f"stacked.{key}"], text, pen)
    amount = fmt.money(int(policy.limits["each_occurrence"] or 0))
    print_in_box(layer, rects["stacked.amount"], amount, pen, amount=True)
    for key, marked in (
        ("additional_insured", policy.additional_insured),
        ("waiver", policy.waiver_of_subrogation),
    ):
        rect = rects[f"stacked.{key}"]
        if marked and realism.marks != "text":
            draw_mark(layer, rect, realism.marks, glyphs)
        elif marked or fmt.unmarked:
            print_in_box(layer, rect, fmt.mark if marked else fmt.unmarked, pen)


_OTHER_LINES = ("A", "B", "C")  # the other row's three limit lines, top to bottom


def other_row_fields(spec: CertificateSpec, fmt: Formats) -> set[str]:
    """Every field of the certificate's own "other" policy (printed by `print_shared_row`)."""
    names = {OTHER_DESCRIPTION_FIELD, OTHER_LIMIT_LABEL_FIELD}
    for policy in spec.policies:
        if policy.row == "other":
            names |= set(policy_fields(policy, fmt))
    return names


def print_shared_row(
    layer: TextLayer,
    rects: dict[str, pymupdf.Rect],
    policies: list[Policy],
    fmt: Formats,
    pen: Pen,
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
            print_in_box(layer, rect, text, pen, amount=rect is amount)
        assert row.additional_insured is not None
        for name, marked in (
            (row.additional_insured, policy.additional_insured),
            (row.waiver, policy.waiver_of_subrogation),
        ):
            if marked and realism.marks != "text":
                draw_mark(layer, on_line(name), realism.marks, glyphs)
            elif marked or fmt.unmarked:
                print_in_box(layer, on_line(name), fmt.mark if marked else fmt.unmarked, pen)


def on_top_lines(
    rects: dict[str, pymupdf.Rect], spec: CertificateSpec, rows: tuple[str, ...] = SECTIONS
) -> dict[str, Any]:
    """The row values of each policy (in `rows`) moved up to the first line of its row."""
    moved = dict(rects)
    for policy in spec.policies:
        if policy.row not in rows:
            continue
        row = FORM_ROWS[policy.row]
        top = min(rects[name].y0 for name in row.limits.values())
        if policy.row == "wc":
            top = min(top, rects[WC_STATUTE_BOX].y0)
        for key in _ROW_VALUES:
            name = getattr(row, key)
            if name is not None:
                r = rects[name]
                moved[name] = pymupdf.Rect(r.x0, top, r.x1, top + r.height)
    return moved


def draw_mark(layer: TextLayer, rect: pymupdf.Rect, style: str, glyphs: list[pymupdf.Rect]) -> None:
    """A check mark as crossed strokes, or (kept for after the text layer) a ✖ glyph."""
    side = min(rect.width, rect.height) - 3
    cx, cy = (rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2
    box = pymupdf.Rect(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
    if style == "glyph" and GLYPH_FONT.is_file():
        glyphs.append(box)
        return
    layer.strokes([((box.x0, box.y0), (box.x1, box.y1)), ((box.x0, box.y1), (box.x1, box.y0))])


def print_glyph_marks(page: pymupdf.Page, boxes: list[pymupdf.Rect]) -> None:
    if not boxes:
        return
    page.insert_font(fontname="dejavu", fontfile=str(GLYPH_FONT))
    for box in boxes:
        page.insert_text((box.x0, box.y1 - 1), HEAVY_X, fontname="dejavu", fontsize=box.height)
    page.parent.subset_fonts()  # the glyphs used, not the whole font, in each file


def decoy(text: str) -> str:
    """The value a field held before it was edited: a different name or number."""
    if any(ch.isdigit() for ch in text):
        return "".join(str((int(ch) + 3) % 10) if ch.isdigit() else ch for ch in text)
    return "Former " + text.split(" ", 1)[0] + " Casualty Company"


def overtype(layer: TextLayer, rect: pymupdf.Rect, old: str, pen: Pen) -> None:
    """The old value printed, then hidden under a white box the size of the field."""
    print_in_box(layer, rect, old, pen)
    layer.cover(pymupdf.Rect(rect.x0 + 0.5, rect.y0 + 0.5, rect.x1 - 0.5, rect.y1 - 0.5))
