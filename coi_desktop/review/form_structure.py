"""The coverage table's structure as printed on the page: its rows, columns and cells.

Broker software prints a policy's letter, number and dates on the top line of its row,
in the middle, or (several policies of one coverage) on consecutive lines. Fixed boxes
of one edition miss all but one of those, so the table is read as a grid instead:

- columns from the form's column headers (INSR LTR, ADDL INSD, SUBR WVD, POLICY NUMBER,
  POLICY EFF, POLICY EXP), in the template frame the page was fitted to;
- rows from the row titles printed on the page itself (COMMERCIAL GENERAL LIABILITY,
  AUTOMOBILE LIABILITY, UMBRELLA LIAB, WORKERS COMPENSATION, the E.L. limits that close
  the workers' row, DESCRIPTION OF OPERATIONS that closes the table), so an edition with
  other row heights (2010/05, 2014/01) finds its own rows;
- each value word goes to the cell its box overlaps most, not the cell its centre
  happens to fall in;
- within a row, every line that carries a policy number or a date is one policy.

The table's ruling lines (``rulings``: the vector rules a printed PDF draws between the
rows) check the titles: a row boundary with a rule where its title puts it is snapped onto
the rule; a boundary whose title was not found takes the rule between its neighbours; a
title with no rule near it while the table is ruled is disputed, and its rows' values are
trusted less. A row whose boundaries neither a title nor a rule placed keeps the
template's position and is marked unanchored: its values are trusted less (see ``assembly``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from coi_desktop.review.findings import Found, RawCertificate, RawPolicy, Rect, Source, union_rect
from coi_desktop.review.layout import Affine, Word, is_label_at, normalize, ocr_words_in_template
from coi_desktop.review.parsing import read_date, read_money

# Row columns of the table (template x range) — the cells every policy line fills.
COLUMNS: dict[str, tuple[float, float]] = {
    "letter": (16.0, 36.0),
    "addl": (176.0, 194.0),
    "subr": (194.0, 213.0),
    "policy_number": (213.0, 330.0),
    "eff": (330.0, 378.0),
    "exp": (378.0, 426.0),
}
SECTIONS = ("gl", "auto", "umbrella", "wc", "other")
_ROW_NAMES = {
    "gl": "general liability",
    "auto": "automobile",
    "umbrella": "umbrella / excess",
    "wc": "workers compensation",
    "other": "other coverage",
}
_FIRST_COLUMN = min(x0 for x0, _ in COLUMNS.values())
_LAST_COLUMN = max(x1 for _, x1 in COLUMNS.values())
# Where each row starts on the 2016/03 form, and the last row's end.
TEMPLATE_ROWS: dict[str, float] = {
    "gl": 300.0,
    "auto": 384.0,
    "umbrella": 444.0,
    "wc": 480.0,
    "other": 528.0,
    "end": 564.0,
}
# The printed words that open each row (or close the one before): key, template x, y0.
# An alternative after the first covers look-alike layouts ("GENERAL LIABILITY"); "AUTO"
# and "EXCESS" are not alternatives: ANY AUTO and EXCESS LIAB sit a line lower in the row.
_ROW_TITLES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "gl": (("COMMERCIAL", 54.0, 302.5), ("GENERAL", 98.3, 302.5)),
    "auto": (("AUTOMOBILE", 39.6, 386.6),),
    "umbrella": (("UMBRELLA", 54.0, 446.6),),
    "wc": (("WORKERS", 37.8, 481.4),),
    "end": (("VEHICLES", 156.4, 566.6), ("DESCRIPTION", 21.6, 566.6)),
}
# The last E.L. limit label closes the workers' row; the "other" row starts below it.
_WC_LAST_LABEL = ("DISEASE", 440.7, 527.2)  # key, template x, template y1
# Words outside these heights are not in the coverage table of any edition (template frame).
TABLE_TOP, TABLE_BOTTOM = 270.0, 640.0
TITLE_SEARCH_X = 40.0  # a title is looked for this far left/right of its template place
TITLE_SEARCH_Y = 30.0  # ...and this far up/down (older editions have other row heights)
LINE_TOLERANCE = 3.0  # words whose centres are this close vertically share a line


@dataclass(slots=True)
class Placed:
    """A word on the page with its box in the template frame."""

    text: str
    page_rect: Rect
    rect: Rect  # template frame
    key: str = ""  # the text normalised (capitals and digits only), as labels are matched
    column: str | None = None  # the row column the word overlaps most, if any
    cy: float = 0.0  # vertical centre, template frame

    @classmethod
    def of(cls, text: str, page_rect: Rect, rect: Rect) -> Placed:
        cy = (rect[1] + rect[3]) / 2
        column = _column_of(rect) if TABLE_TOP <= cy < TABLE_BOTTOM else None
        return cls(text, page_rect, rect, normalize(text), column, cy)


@dataclass(frozen=True)
class RowBand:
    section: str
    top: float
    bottom: float
    anchored: bool  # the row's title (or the rule between the rows) was found on the page
    disputed: bool = False  # the table is ruled, but not where the row's title puts it


@dataclass
class PolicyLine:
    """One policy read from a row: column name → its words (reading order)."""

    section: str
    cells: dict[str, list[Placed]] = field(default_factory=dict)
    anchored: bool = True
    shared_row: bool = False  # the row holds several policies


def is_form_label(w: Placed) -> bool:
    """The word is printed by the form itself (same word, same place on the template)."""
    return is_label_at(w.text, (w.rect[0] + w.rect[2]) / 2, w.cy)


def _find_title(words: list[Placed], key: str, x: float, y0: float) -> Placed | None:
    best: Placed | None = None
    best_d = 1e9
    for w in words:
        if w.key != key:
            continue
        dx, dy = abs(w.rect[0] - x), abs(w.rect[1] - y0)
        if dx <= TITLE_SEARCH_X and dy <= TITLE_SEARCH_Y and dx + dy < best_d:
            best, best_d = w, dx + dy
    return best


RULE_MATCH = 4.0  # a rule this close to where a title puts a row boundary confirms it
MIN_TABLE_RULES = 4  # fewer rules across the policy columns: the table is not ruled


def find_rows(words: list[Placed], rules: list[float] | None = None) -> dict[str, RowBand]:
    """Each coverage row's vertical extent (template frame), from titles on the page.

    ``rules`` are the heights of the rules that cross the policy columns
    (``rulings.row_rules``); with them, boundaries are confirmed, found or disputed.
    """
    tops: dict[str, tuple[float, bool]] = {}
    for name, titles in _ROW_TITLES.items():
        tops[name] = (TEMPLATE_ROWS[name], False)
        for key, x, y0 in titles:
            title = _find_title(words, key, x, y0)
            if title is not None:
                margin = y0 - TEMPLATE_ROWS[name]  # the title sits this far below the row's rule
                tops[name] = (title.rect[1] - margin, True)
                break
    key, x, y1 = _WC_LAST_LABEL
    last = _find_title(words, key, x, y1 - 6.7)
    if last is not None and tops["wc"][0] < last.rect[3] < tops["end"][0]:
        tops["other"] = (last.rect[3] + (TEMPLATE_ROWS["other"] - y1), True)
    else:
        # no E.L. label: the "other" row keeps its share of the space below the workers' row
        wc_top, end = tops["wc"][0], tops["end"][0]
        share = (TEMPLATE_ROWS["other"] - TEMPLATE_ROWS["wc"]) / (
            TEMPLATE_ROWS["end"] - TEMPLATE_ROWS["wc"]
        )
        tops["other"] = (wc_top + share * (end - wc_top), False)
    order = [*SECTIONS, "end"]
    disputed = _apply_rules(tops, order, rules or [])
    bands: dict[str, RowBand] = {}
    for i, section in enumerate(SECTIONS):
        top, anchored = tops[section]
        bottom, next_anchored = tops[order[i + 1]]
        doubt = section in disputed or order[i + 1] in disputed
        if bottom <= top:  # titles found out of order: the page is not this table
            top, bottom = TEMPLATE_ROWS[section], TEMPLATE_ROWS[order[i + 1]]
            anchored = next_anchored = doubt = False
        bands[section] = RowBand(section, top, bottom, anchored and next_anchored, doubt)
    return bands


def _apply_rules(
    tops: dict[str, tuple[float, bool]], order: list[str], rules: list[float]
) -> set[str]:
    """Move row boundaries onto the table's rules; the boundaries the rules dispute.

    A titled boundary with a rule within ``RULE_MATCH`` is snapped onto it; one without
    is disputed. An untitled boundary takes the rule nearest its estimate that lies
    strictly between its neighbours' boundaries, and is then anchored.
    """
    table = [y for y in rules if TABLE_TOP <= y < TABLE_BOTTOM]
    if len(table) < MIN_TABLE_RULES:
        return set()
    disputed: set[str] = set()
    for name in order:  # titled boundaries first: they bound the search for the others
        y, titled = tops[name]
        if not titled:
            continue
        near = min(table, key=lambda r: abs(r - y))
        if abs(near - y) <= RULE_MATCH:
            tops[name] = (near, True)
        else:
            disputed.add(name)
    for i, name in enumerate(order):
        y, titled = tops[name]
        if titled:
            continue
        above = tops[order[i - 1]][0] if i else TABLE_TOP
        below = next((tops[n][0] for n in order[i + 1 :] if tops[n][1]), TABLE_BOTTOM)
        between = [r for r in table if above + RULE_MATCH < r < below - RULE_MATCH]
        if between:
            near = min(between, key=lambda r: abs(r - y))
            if abs(near - y) <= TITLE_SEARCH_Y:
                tops[name] = (near, True)
    return disputed


def _column_of(rect: Rect) -> str | None:
    """The row column a word's box overlaps most (at least half its width), if any."""
    if rect[2] < _FIRST_COLUMN or rect[0] > _LAST_COLUMN:
        return None
    width = max(rect[2] - rect[0], 0.1)
    best, best_share = None, 0.5
    for name, (x0, x1) in COLUMNS.items():
        share = (min(rect[2], x1) - max(rect[0], x0)) / width
        if share > best_share:
            best, best_share = name, share
    return best


def lines_of(words: list[Placed]) -> list[list[Placed]]:
    """Words grouped into printed lines, top to bottom, each line left to right.

    A word joins the line of the word just above it when their centres are close: a line
    printed a little aslant (or fitted by an affine map that cannot follow a look-alike
    form's rows) drifts by more than the tolerance from its first word to its last.
    """
    out: list[list[Placed]] = []
    for w in sorted(words, key=lambda w: w.cy):
        if out and abs(w.cy - out[-1][-1].cy) < LINE_TOLERANCE:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(line, key=lambda w: w.rect[0]) for line in out]


def _has_date(ws: list[Placed]) -> bool:
    return any(read_date(w.text).value is not None for w in ws)


def template_rows() -> dict[str, RowBand]:
    """The 2016/03 form's rows, for pages whose fit is the only anchor there is (OCR)."""
    order = [*SECTIONS, "end"]
    return {
        s: RowBand(s, TEMPLATE_ROWS[s], TEMPLATE_ROWS[order[i + 1]], True)
        for i, s in enumerate(SECTIONS)
    }


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


def cell_text(words: list[Placed]) -> str:
    """Words of one cell in reading order: lines top to bottom, left to right."""
    return " ".join(" ".join(w.text for w in line) for line in lines_of(words))


# ---------------------------------------------------------------- into the raw certificate

UNANCHORED_FACTOR = 0.75  # a row found only by the template's position is a guess: < 0.8
DISPUTED_FACTOR = 0.75  # a row whose title and rules disagree: one of them misleads
OCR_BLANK_MARK = 0.75  # "not marked" from an OCR'd cell that read empty: a person confirms


def place_words(words: list[Word], transform: Affine, *, ocr: bool = False) -> list[Placed]:
    """Page words with their boxes in the template frame.

    OCR words come through ``ocr_words_in_template`` (labels removed, merged lines put
    back on their row); their box keeps its size around the corrected centre.
    """
    if not ocr:
        return [Placed.of(w.text, w.rect, transform.apply_rect(w.rect)) for w in words]
    out = []
    for w, tx, ty in ocr_words_in_template(words, transform):
        r = transform.apply_rect(w.rect)
        hw, hh = (r[2] - r[0]) / 2, min((r[3] - r[1]) / 2, 5.0)
        out.append(Placed.of(w.text, w.rect, (tx - hw, ty - hh, tx + hw, ty + hh)))
    return out


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


def row_map(bands: dict[str, RowBand]) -> Callable[[float], float] | None:
    """Template-frame y of this page → y on the 2016/03 form, row by row; None if the same.

    The page fit is one affine map for the whole page; an edition with other row heights
    needs more. Each row found on the page is stretched onto the template's row, so the
    limit and check boxes of that row are looked up where this edition prints them, and
    what is below the table moves with the table's end.
    """
    knots = [(bands[s].top, TEMPLATE_ROWS[s]) for s in SECTIONS]
    knots.append((bands[SECTIONS[-1]].bottom, TEMPLATE_ROWS["end"]))
    if all(abs(p - t) < 0.5 for p, t in knots):
        return None

    def to_template(y: float) -> float:
        if y < knots[0][0]:
            return y
        for (p0, t0), (p1, t1) in pairwise(knots):
            if p0 <= y < p1:
                return t0 + (y - p0) * (t1 - t0) / (p1 - p0)
        return y + knots[-1][1] - knots[-1][0]

    return to_template


def remap(placed: list[Placed], y_map: Callable[[float], float] | None) -> list[Placed]:
    """Words moved onto the template's rows (see ``row_map``)."""
    if y_map is None:
        return placed
    out = []
    for w in placed:
        dy = y_map(w.cy) - w.cy
        r = w.rect
        out.append(
            Placed(
                w.text, w.page_rect, (r[0], r[1] + dy, r[2], r[3] + dy), w.key, w.column, w.cy + dy
            )
        )
    return out
