"""The policies of the coverage table's rows, into the raw certificate.

Within a row, every line that carries a date (or, in a row without dates, a policy
number) is one policy, so several policies of one coverage are separate items; each
policy's cells are the words of its lines in the row's columns (``form_structure``).
A value's confidence follows how its row was found (``table_rows``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coi_desktop.review.findings import Found, RawCertificate, RawPolicy, Source, union_rect
from coi_desktop.review.form_structure import (
    COLUMNS,
    LINE_TOLERANCE,
    SECTIONS,
    TABLE_BOTTOM,
    TABLE_TOP,
    Placed,
    cell_text,
    is_form_label,
    lines_of,
)
from coi_desktop.review.layout import Affine
from coi_desktop.review.parsing import read_date, read_mark, read_money
from coi_desktop.review.table_rows import RowBand, find_rows, template_rows

_ROW_NAMES = {
    "gl": "general liability",
    "auto": "automobile",
    "umbrella": "umbrella / excess",
    "wc": "workers compensation",
    "other": "other coverage",
}


@dataclass
class PolicyLine:
    """One policy read from a row: column name → its words (reading order)."""

    section: str
    cells: dict[str, list[Placed]] = field(default_factory=dict)
    anchored: bool = True
    shared_row: bool = False  # the row holds several policies


def _has_date(ws: list[Placed]) -> bool:
    return any(read_date(w.text).value is not None for w in ws)


def read_rows(
    words: list[Placed], *, find: bool = True, bands: dict[str, RowBand] | None = None
) -> tuple[dict[str, RowBand], list[PolicyLine]]:
    """The policies of the coverage table, each with the words of its row cells.

    ``find=False`` keeps the template's rows: OCR'd words come without the form's labels
    (``ocr_words_in_template`` removed them after using them to put each line on its row).
    """
    if bands is None:
        bands = find_rows(words) if find else template_rows()
    by_section: dict[str, list[Placed]] = {s: [] for s in SECTIONS}
    for w in words:
        if w.column is None or not TABLE_TOP <= w.cy < TABLE_BOTTOM or is_form_label(w):
            continue
        for band in bands.values():
            if band.top <= w.cy < band.bottom:
                by_section[band.section].append(w)
                break
    policies: list[PolicyLine] = []
    for section in SECTIONS:
        policies.extend(_split_row(section, by_section[section], bands[section].anchored))
    return bands, policies


def _split_row(section: str, words: list[Placed], anchored: bool) -> list[PolicyLine]:
    """One policy per line that opens a policy; the row's other lines join the nearest."""
    lines = lines_of(words)
    dated = [i for i, line in enumerate(lines) if _has_date(_in(line, "eff", "exp"))]
    # a row without dates: every line with a policy number is a policy
    opening = dated or [i for i, line in enumerate(lines) if _in(line, "policy_number")]
    if len(opening) <= 1:
        cells: dict[str, list[Placed]] = {}
        for w in words:
            cells.setdefault(w.column or "", []).append(w)
        return [PolicyLine(section, cells, anchored)]
    out = [PolicyLine(section, {}, anchored, shared_row=True) for _ in opening]
    centres = [sum(w.cy for w in lines[i]) / len(lines[i]) for i in opening]
    for line in lines:
        cy = sum(w.cy for w in line) / len(line)
        # a line belongs to the policy that opened at or above it, the nearest one if above all
        k = max((j for j, c in enumerate(centres) if c <= cy + LINE_TOLERANCE), default=0)
        for w in line:
            out[k].cells.setdefault(w.column or "", []).append(w)
    return out


def _line_span(line: PolicyLine, band: RowBand) -> tuple[float, float]:
    """The part of the row a policy owns: the whole row, or its lines when it shares it."""
    if not line.shared_row:
        return band.top, band.bottom
    ys = [w.cy for ws in line.cells.values() for w in ws]
    if not ys:
        return band.top, band.bottom
    return min(ys) - LINE_TOLERANCE * 2, max(ys) + LINE_TOLERANCE * 2


def _in(line: list[Placed], *columns: str) -> list[Placed]:
    return [w for w in line if w.column in columns]


UNANCHORED_FACTOR = 0.75  # a row found only by the template's position is a guess: < 0.8
DISPUTED_FACTOR = 0.75  # a row whose title and rules disagree: one of them misleads
OCR_BLANK_MARK = 0.75  # "not marked" from an OCR'd cell that read empty: a person confirms


def apply_rows(
    raw: RawCertificate,
    placed: list[Placed],
    transform: Affine,
    page_no: int,
    source: Source,
    confidence: float,
    marks: list[tuple[float, float]] = (),  # type: ignore[assignment]
    marks_located: bool = True,
    bands: dict[str, RowBand] | None = None,
) -> None:
    """Replace the fixed-box row cells of ``raw``'s policies with what the grid read.

    ``marks`` are drawn marks (template frame); an ADDL INSD / SUBR WVD cell with one is
    marked. When the mark columns were not found (``marks_located``), an empty mark cell
    is left unknown rather than read as "no".
    """
    bands, lines = read_rows(placed, find=source != "ocr", bands=bands)
    back = transform.inverse()
    fixed = {p.section: p for p in raw.policies}
    policies: list[RawPolicy] = []
    unanchored: list[str] = []
    disputed: list[str] = []
    unlocated = False
    for section in SECTIONS:
        band = bands[section]
        mine = [ln for ln in lines if ln.section == section]
        amounts = _line_amounts(placed, mine, band)
        for k, line in enumerate(mine):
            base = fixed.get(section, RawPolicy(section))
            # row-wide boxes (limits, check boxes, description) belong to the row's first policy
            fields = {
                key: found
                for key, found in base.fields.items()
                if key not in COLUMNS and (k == 0 or not key.startswith("limit"))
            }
            conf = confidence * (1.0 if band.anchored else UNANCHORED_FACTOR)
            if band.disputed:
                conf = min(conf, confidence * DISPUTED_FACTOR)
            for column, (x0, x1) in COLUMNS.items():
                ws = line.cells.get(column, [])
                if ws:
                    rect = union_rect([w.page_rect for w in ws])
                    fields[column] = Found(cell_text(ws), page_no, rect, source, conf)
                    continue
                top, bottom = _line_span(line, band)
                cell = back.apply_rect((x0, top, x1, bottom))
                drawn = column in ("addl", "subr") and any(
                    x0 <= x <= x1 and top <= y < bottom for x, y in marks
                )
                if drawn:
                    fields[column] = Found("X", page_no, cell, source, conf)
                elif column in ("addl", "subr") and not marks_located:
                    unlocated = True  # blank may be a mark not seen: unknown, not "no"
                elif column in ("addl", "subr") and source == "ocr":
                    # OCR skips lone marks between table rules: an empty cell is not proof
                    blank = min(conf, OCR_BLANK_MARK)
                    fields[column] = Found("", page_no, cell, source, blank)
                else:
                    fields[column] = Found("", page_no, cell, source, conf)
            if section == "other" and line.shared_row:
                # each policy of a shared "other" row says what it covers, and its limit,
                # on its own line
                described = _description(placed, line, band, page_no, source, conf)
                if described is not None:
                    fields["description"] = described
                amount = amounts[k]
                if amount is not None:
                    fields["limit.limit"] = Found(
                        amount.text, page_no, amount.page_rect, source, conf
                    )
            if section == "umbrella" and line.shared_row and k > 0:
                first = policies[-k].fields  # the row's first policy, appended k lines ago
                doubt = _stacked_layer(fields, line, placed, first, page_no, source, conf)
                if doubt is not None and doubt not in raw.warnings:
                    raw.warnings.append(doubt)
            if section == "other" and k == 0 and not _money(fields.get("limit.limit")):
                found = _other_limit(placed, band, page_no, source, confidence)
                if found is not None:
                    fields["limit.limit"] = found
                    raw.warnings.append(
                        "the other coverage's limit was not in its box; read from its row: check it"
                    )
            policies.append(RawPolicy(section, fields))
        if not band.anchored and any(ln.cells for ln in mine):
            unanchored.append(section)
        if band.disputed and any(ln.cells for ln in mine):
            disputed.append(section)
    raw.policies = policies
    if unlocated and any(p.fields.get("policy_number") for p in policies):
        raw.warnings.append(
            "the ADDL INSD / SUBR WVD columns were not found on the page; empty boxes there"
            " are reported as unknown"
        )
    if unanchored:
        raw.warnings.append(
            "coverage rows not found on the page, read at the form's usual place: "
            + ", ".join(_ROW_NAMES[s] for s in unanchored)
        )
    if disputed:
        raw.warnings.append(
            "coverage rows whose ruling lines disagree with their printed titles: "
            + ", ".join(_ROW_NAMES[s] for s in disputed)
        )


LIMITS_X = (426.0, 592.0)  # the LIMITS column, descriptions and amounts
FALLBACK_CONFIDENCE = 0.75  # a value found outside its own box: a person checks it


def _money(found: Found | None) -> bool:
    return found is not None and (read_money(found.text).value or 0) >= 100


def _other_limit(
    placed: list[Placed], band: RowBand, page_no: int, source: Source, confidence: float
) -> Found | None:
    """The first amount written anywhere in the "other" row's LIMITS column.

    Brokers write "$5,000" in the description box of that row ("Property  $5,000"),
    leaving the amount box empty.
    """
    words = [
        w
        for w in placed
        if band.top <= w.cy < band.bottom
        and LIMITS_X[0] <= (w.rect[0] + w.rect[2]) / 2 <= LIMITS_X[1]
        and (read_money(w.text).value or 0) >= 100
    ]
    if not words:
        return None
    first = min(words, key=lambda w: (round(w.cy / LINE_TOLERANCE), w.rect[0]))
    return Found(first.text, page_no, first.page_rect, source, min(confidence, FALLBACK_CONFIDENCE))


AMOUNT_X = (511.0, 592.0)  # the amount half of the LIMITS column


def _line_amounts(
    placed: list[Placed], lines: list[PolicyLine], band: RowBand
) -> list[Placed | None]:
    """For policies sharing a row: the amount printed on each one's own line, if any.

    An amount in the LIMITS column goes to the policy whose line is nearest to it; a
    policy without one keeps what the row's boxes read.
    """
    out: list[Placed | None] = [None] * len(lines)
    if len(lines) < 2:
        return out
    centres = []
    for line in lines:
        ys = [w.cy for ws in line.cells.values() for w in ws]
        centres.append(sum(ys) / len(ys) if ys else None)
    for w in placed:
        cx = (w.rect[0] + w.rect[2]) / 2
        if not (band.top <= w.cy < band.bottom and AMOUNT_X[0] <= cx <= AMOUNT_X[1]):
            continue
        if (read_money(w.text).value or 0) < 100:
            continue
        near = [(abs(c - w.cy), k) for k, c in enumerate(centres) if c is not None]
        if not near:
            continue
        distance, k = min(near)
        if distance <= 2 * LINE_TOLERANCE and out[k] is None:
            out[k] = w
    return out


DESCRIPTION_X = (38.0, 176.0)  # the TYPE OF INSURANCE column, right of the check boxes


def _description(
    placed: list[Placed], line: PolicyLine, band: RowBand, page_no: int, source: Source, conf: float
) -> Found | None:
    top, bottom = _line_span(line, band)
    words = [
        w
        for w in placed
        if top <= w.cy < bottom
        and DESCRIPTION_X[0] <= (w.rect[0] + w.rect[2]) / 2 <= DESCRIPTION_X[1]
        and not is_form_label(w)
    ]
    if not words:
        return None
    return Found(cell_text(words), page_no, union_rect([w.page_rect for w in words]), source, conf)


# What the label on a stacked policy's limit line names; the first that matches wins.
_LIMIT_LABELS = (("AGG", "aggregate"), ("RETENTION", "retention"), ("OCC", "each_occurrence"))


def _marked(found: Found | None) -> bool:
    return found is not None and read_mark(found.text).value is True


def _stacked_layer(
    fields: dict[str, Found],
    line: PolicyLine,
    placed: list[Placed],
    first: dict[str, Found],
    page_no: int,
    source: Source,
    conf: float,
) -> str | None:
    """A later policy on the umbrella row (a layer stacked under the row's own policy).

    The form prints one UMBRELLA LIAB box above one EXCESS LIAB box, and one OCCUR /
    CLAIMS-MADE pair, per row. With both coverage boxes marked, the row's first policy is
    the umbrella and the ones below it are excess layers; the occurrence pair speaks for
    the first policy only, so a later one's is unknown. Its limit is the amount printed on
    its own line, named by the label beside it. Returns a warning when the coverage is a
    guess.
    """
    fields.pop("occur", None)
    fields.pop("claims_made", None)
    umbrella, excess = _marked(fields.get("umbrella")), _marked(fields.get("excess"))
    doubt = None
    if umbrella and excess:
        del fields["umbrella"]  # → excess_liability
    elif not excess:
        doubt = (
            "the umbrella row holds several policies and its UMBRELLA LIAB / EXCESS LIAB boxes"
            " do not tell them apart: check each one's coverage"
        )
    amount, label = _own_line_limit(placed, line, first)
    if amount is not None:
        key = next((k for word, k in _LIMIT_LABELS if word in label), None)
        # an unlabelled amount is most likely the layer's each-occurrence limit: checked
        found_conf = conf if key is not None else min(conf, FALLBACK_CONFIDENCE)
        fields[f"limit.{key or 'each_occurrence'}"] = Found(
            amount.text, page_no, amount.page_rect, source, found_conf
        )
    return doubt


def _own_line_limit(
    placed: list[Placed], line: PolicyLine, first: dict[str, Found]
) -> tuple[Placed | None, str]:
    """The amount in the LIMITS column on a policy's own line, and the label beside it.

    An amount the row's first policy reads in one of its limit boxes stays its own: a
    policy printed on the AGGREGATE line does not take the umbrella's aggregate.
    """
    ys = [w.cy for ws in line.cells.values() for w in ws]
    taken = [f.rect for key, f in first.items() if key.startswith("limit.")]
    for w in sorted(placed, key=lambda w: w.rect[0]):
        cx = (w.rect[0] + w.rect[2]) / 2
        if not (AMOUNT_X[0] <= cx <= AMOUNT_X[1]) or (read_money(w.text).value or 0) < 100:
            continue
        if not any(abs(w.cy - y) <= LINE_TOLERANCE for y in ys):
            continue
        px, py = (w.page_rect[0] + w.page_rect[2]) / 2, (w.page_rect[1] + w.page_rect[3]) / 2
        if any(r[0] <= px <= r[2] and r[1] <= py <= r[3] for r in taken):
            continue
        label = [
            v
            for v in placed
            if abs(v.cy - w.cy) <= LINE_TOLERANCE
            and LIMITS_X[0] <= (v.rect[0] + v.rect[2]) / 2 < AMOUNT_X[0]
            and not is_form_label(v)
        ]
        return w, cell_text(label).upper()
    return None, ""
