"""The coverage table's horizontal ruling lines, drawn as vectors in printed PDFs.

Every ACORD 25 edition separates its coverage rows with a rule that runs across the
whole table: through INSR LTR, ADDL INSD, SUBR WVD, POLICY NUMBER and both date
columns. Rules inside a row (the limit lines, the check boxes of the type column) stop
at the LIMITS or the TYPE column, so a rule that crosses the policy columns is a row
boundary. PDF writers draw rules as stroked lines, as thin filled rectangles, or as the
edges of a rectangle; all three are read here.
"""

from __future__ import annotations

from typing import Any

from coi_desktop.review.layout import Affine

Rect = tuple[float, float, float, float]
MAX_THICKNESS = 2.5  # a filled rectangle thinner than this is a rule, not a box
MIN_LENGTH = 20.0  # shorter strokes are marks, underlines or box corners
FLAT = 0.5  # a line whose ends differ this little in height is horizontal
# The policy columns a row boundary crosses (template x: INSR LTR's right edge to the
# expiry date's left edge; see form_structure.COLUMNS).
CROSSES = (36.0, 378.0)
COVERED = 0.9  # share of that span the rule's pieces must cover (a few writers break rules)
MAX_SLOPE = 0.02  # a fit of a page with other row heights tilts its rules a little
MERGE = 1.0  # pieces of rule this close in height are one rule


def _segments(drawings: list[dict[str, Any]]) -> list[Rect]:
    """Horizontal pieces of rule on the page (page frame), as flat rects."""
    out: list[Rect] = []
    for d in drawings:
        kind = d.get("type") or ""
        if _white(d.get("fill") if "f" in kind else d.get("color")):
            continue  # a white fill covers (hidden text, erased rules); it does not rule
        for item in d.get("items") or ():
            if not item:
                continue
            if item[0] == "l" and "s" in kind and len(item) >= 3:
                (x0, y0), (x1, y1) = item[1][:2], item[2][:2]
                if abs(y1 - y0) <= FLAT and abs(x1 - x0) >= MIN_LENGTH:
                    y = (y0 + y1) / 2
                    out.append((min(x0, x1), y, max(x0, x1), y))
            elif item[0] == "re" and len(item) >= 2:
                x0, y0, x1, y1 = tuple(item[1])[:4]
                x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
                if x1 - x0 < MIN_LENGTH:
                    continue
                if y1 - y0 <= MAX_THICKNESS:
                    if "f" in kind or "s" in kind:
                        y = (y0 + y1) / 2
                        out.append((x0, y, x1, y))
                elif "s" in kind:  # an outlined box: its top and bottom edges are rules
                    out.extend(((x0, y0, x1, y0), (x0, y1, x1, y1)))
    return out


def _white(colour: Any) -> bool:
    return isinstance(colour, (tuple, list)) and len(colour) >= 3 and min(colour[:3]) > 0.9


def horizontal_rules(drawings: list[dict[str, Any]]) -> list[Rect]:
    """Horizontal rules of a page (page frame, flat rects), from ``page.get_cdrawings()``."""
    return _segments(drawings)


def row_rules(rules: list[Rect], transform: Affine) -> list[float]:
    """Heights (template frame) of the rules that cross the policy columns, top to bottom.

    ``rules`` are flat rects in the frame the page's words were fitted in.
    """
    pieces: list[tuple[float, float, float]] = []
    for r in rules:
        x0, y0 = transform.apply(r[0], r[1])
        x1, y1 = transform.apply(r[2], r[3])
        if abs(y1 - y0) > MAX_SLOPE * abs(x1 - x0):  # not horizontal in the form's frame
            continue
        pieces.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    pieces.sort()
    groups: list[list[tuple[float, float, float]]] = []
    for p in pieces:
        if groups and p[0] - groups[-1][-1][0] <= MERGE:
            groups[-1].append(p)
        else:
            groups.append([p])
    out: list[float] = []
    for g in groups:
        if _covered(g) >= COVERED * (CROSSES[1] - CROSSES[0]):
            out.append(sum(p[0] for p in g) / len(g))
    return out


def _covered(pieces: list[tuple[float, float, float]]) -> float:
    """Length of the CROSSES span that the pieces cover together."""
    spans = sorted((max(a, CROSSES[0]), min(b, CROSSES[1])) for _, a, b in pieces)
    total, reach = 0.0, CROSSES[0]
    for a, b in spans:
        if b <= reach:
            continue
        total += b - max(a, reach)
        reach = b
    return total
