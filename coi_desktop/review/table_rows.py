"""Where each coverage row of the table is on this page (template frame).

Rows come from the row titles printed on the page itself (COMMERCIAL GENERAL LIABILITY,
AUTOMOBILE LIABILITY, UMBRELLA LIAB, WORKERS COMPENSATION, the E.L. limits that close
the workers' row, DESCRIPTION OF OPERATIONS that closes the table), so an edition with
other row heights (2010/05, 2014/01) finds its own rows.

The table's ruling lines (``rulings``: the vector rules a printed PDF draws between the
rows) check the titles: a row boundary with a rule where its title puts it is snapped onto
the rule; a boundary whose title was not found takes the rule between its neighbours; a
title with no rule near it while the table is ruled is disputed, and its rows' values are
trusted less. A row whose boundaries neither a title nor a rule placed keeps the
template's position and is marked unanchored: its values are trusted less (see
``row_policies``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from coi_desktop.review.form_structure import (
    SECTIONS,
    TABLE_BOTTOM,
    TABLE_TOP,
    Placed,
    is_form_label,
)

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
TITLE_SEARCH_X = 40.0  # a title is looked for this far left/right of its template place
TITLE_SEARCH_Y = 30.0  # ...and this far up/down (older editions have other row heights)


@dataclass(frozen=True)
class RowBand:
    section: str
    top: float
    bottom: float
    anchored: bool  # the row's title (or the rule between the rows) was found on the page
    disputed: bool = False  # the table is ruled, but not where the row's title puts it


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


def titled_boundaries(words: list[Placed]) -> set[str]:
    """Row boundaries (a section opening, or "end") whose printed title is near its place."""
    found = {n for n, ts in _ROW_TITLES.items() if any(_find_title(words, *t) for t in ts)}
    key, x, y1 = _WC_LAST_LABEL
    if _find_title(words, key, x, y1 - 6.7) is not None:
        found.add("other")
    return found


def template_rows() -> dict[str, RowBand]:
    """The 2016/03 form's rows, for pages whose fit is the only anchor there is (OCR)."""
    order = [*SECTIONS, "end"]
    return {
        s: RowBand(s, TEMPLATE_ROWS[s], TEMPLATE_ROWS[order[i + 1]], True)
        for i, s in enumerate(SECTIONS)
    }


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
    """Words moved onto the template's rows (see ``row_map``).

    A word that is one of the form's labels where the page was fitted stays one when
    moved: below the table a look-alike form's bands need not move with the table's end.
    """
    if y_map is None:
        return placed
    out = []
    for w in placed:
        dy = y_map(w.cy) - w.cy
        r = w.rect
        moved = (r[0], r[1] + dy, r[2], r[3] + dy)
        label = True if is_form_label(w) else None  # else: tested again where it lands
        out.append(Placed(w.text, w.page_rect, moved, w.key, w.column, w.cy + dy, label))
    return out
