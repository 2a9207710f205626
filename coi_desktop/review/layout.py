"""Read a printed (flattened or OCR'd) ACORD 25 from words with positions.

The form's own labels are found among the page's words and matched to where they
sit on the blank form; a least-squares affine fit of those pairs undoes the page's
offset, scale and (for scans) skew. Each remaining word is then placed in the form
box its centre falls in: the boxes never overlap a printed label, so values and
labels separate cleanly, and a value printed a few points off still lands in its box.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from coi_desktop.review.acord_fields import FORM_FIELDS, FormField, Rect
from coi_desktop.review.acord_template import TEMPLATE_WORDS
from coi_desktop.review.findings import union_rect

# How far outside its box a value's centre may fall and still belong to it (points).
BOX_MARGIN = 3.0
# Anchor pairs further than this from the fitted transform are mismatches, not the form.
OUTLIER_POINTS = 6.0
MIN_ANCHORS = 8  # below this the page is not laid out as an ACORD 25
_GRID = 12.0


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def center(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    @property
    def rect(self) -> Rect:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class Affine:
    """x' = a·x + b·y + c ; y' = d·x + e·y + f."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0
    e: float = 1.0
    f: float = 0.0

    def apply(self, x: float, y: float) -> tuple[float, float]:
        return self.a * x + self.b * y + self.c, self.d * x + self.e * y + self.f

    def inverse(self) -> Affine:
        det = self.a * self.e - self.b * self.d
        if abs(det) < 1e-9:
            return Affine()
        a, b, d, e = self.e / det, -self.b / det, -self.d / det, self.a / det
        return Affine(a, b, -(a * self.c + b * self.f), d, e, -(d * self.c + e * self.f))

    def apply_rect(self, r: Rect) -> Rect:
        """The box around the mapped corners (written out: it runs for every word).

        A linear map's extremes over a box are the sums of each term's extremes.
        """
        x0, y0, x1, y1 = r
        ax0, ax1, bx0, bx1 = self.a * x0, self.a * x1, self.b * y0, self.b * y1
        dy0, dy1, ey0, ey1 = self.d * x0, self.d * x1, self.e * y0, self.e * y1
        if ax0 > ax1:
            ax0, ax1 = ax1, ax0
        if bx0 > bx1:
            bx0, bx1 = bx1, bx0
        if dy0 > dy1:
            dy0, dy1 = dy1, dy0
        if ey0 > ey1:
            ey0, ey1 = ey1, ey0
        return (ax0 + bx0 + self.c, dy0 + ey0 + self.f, ax1 + bx1 + self.c, dy1 + ey1 + self.f)


_NOT_KEY = re.compile(r"[^A-Z0-9]")


@lru_cache(maxsize=8192)  # the form's own labels come back on every page
def normalize(text: str) -> str:
    return _NOT_KEY.sub("", text.upper())


def _unique_anchors() -> dict[str, tuple[float, float]]:
    """Template words that occur once on the form: each names one place on the page."""
    counts = Counter(normalize(w[4]) for w in TEMPLATE_WORDS)
    out: dict[str, tuple[float, float]] = {}
    for x0, y0, x1, y1, text in TEMPLATE_WORDS:
        key = normalize(text)
        if counts[key] == 1 and len(key) >= 4 and not key.isdigit():
            out[key] = ((x0 + x1) / 2, (y0 + y1) / 2)
    return out


ANCHORS = _unique_anchors()
# A word this close to the same printed word of the form is a label. Look-alike forms
# redraw their bands a few per cent taller or shorter: labels drift up and down (the
# header's DATE 5.2 pt), hardly sideways; a value box never sits within 7 pt below or above
# the same word printed as a label (Y / N over the N of "excluded": 9.8 pt).
LABEL_TOLERANCE_X = 5.0
LABEL_TOLERANCE_Y = 7.0


def label_key(text: str) -> str:
    """A word as labels are matched: capitals and digits, or a symbol as printed (``#``)."""
    return normalize(text) or text.strip()


def _template_places() -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {}
    for x0, y0, x1, y1, text in TEMPLATE_WORDS:
        key = label_key(text)
        if key:
            out.setdefault(key, []).append(((x0 + x1) / 2, (y0 + y1) / 2))
    return out


_TEMPLATE_PLACES = _template_places()


def is_label_at(text: str, cx: float, cy: float) -> bool:
    """The form itself prints the word ``text`` near (cx, cy), template frame."""
    for tx, ty in _TEMPLATE_PLACES.get(label_key(text), ()):  # a loop: it runs for every word
        if -LABEL_TOLERANCE_X <= tx - cx <= LABEL_TOLERANCE_X and (
            -LABEL_TOLERANCE_Y <= ty - cy <= LABEL_TOLERANCE_Y
        ):
            return True
    return False


def _solve3(m: list[list[float]], v: list[float]) -> list[float] | None:
    """Solve a 3x3 linear system by Cramer's rule."""

    def det(a: list[list[float]]) -> float:
        return (
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        )

    d = det(m)
    if abs(d) < 1e-6:
        return None
    out = []
    for col in range(3):
        mc = [row[:] for row in m]
        for r in range(3):
            mc[r][col] = v[r]
        out.append(det(mc) / d)
    return out


def _fit(pairs: list[tuple[tuple[float, float], tuple[float, float]]]) -> Affine | None:
    """Least-squares affine map from page points to template points."""
    if len(pairs) < 3:
        return None
    sxx = sxy = syy = sx = sy = 0.0
    n = float(len(pairs))
    bx = [0.0, 0.0, 0.0]
    by = [0.0, 0.0, 0.0]
    for (x, y), (u, v) in pairs:
        sxx += x * x
        sxy += x * y
        syy += y * y
        sx += x
        sy += y
        bx[0] += x * u
        bx[1] += y * u
        bx[2] += u
        by[0] += x * v
        by[1] += y * v
        by[2] += v
    m = [[sxx, sxy, sx], [sxy, syy, sy], [sx, sy, n]]
    px, py = _solve3(m, bx), _solve3(m, by)
    if px is None or py is None:
        return None
    return Affine(px[0], px[1], px[2], py[0], py[1], py[2])


def _fit_upright(pairs: list[tuple[tuple[float, float], tuple[float, float]]]) -> Affine | None:
    """Least-squares scale and offset along each axis alone: a map that neither turns nor
    shears the page."""
    n = float(len(pairs))
    if n < 2:
        return None
    mx = sum(x for (x, _), _ in pairs) / n
    my = sum(y for (_, y), _ in pairs) / n
    mu = sum(u for _, (u, _) in pairs) / n
    mv = sum(v for _, (_, v) in pairs) / n
    sxx = sum((x - mx) ** 2 for (x, _), _ in pairs)
    syy = sum((y - my) ** 2 for (_, y), _ in pairs)
    if sxx < 1e-6 or syy < 1e-6:
        return None
    a = sum((x - mx) * (u - mu) for (x, _), (u, _) in pairs) / sxx
    e = sum((y - my) * (v - mv) for (_, y), (_, v) in pairs) / syy
    return Affine(a, 0.0, mu - a * mx, 0.0, e, mv - e * my)


def _translation(pairs: list[tuple[tuple[float, float], tuple[float, float]]]) -> Affine:
    dxs = sorted(u - x for (x, _), (u, _) in pairs)
    dys = sorted(v - y for (_, y), (_, v) in pairs)
    return Affine(c=dxs[len(dxs) // 2], f=dys[len(dys) // 2])


def locate_form(words: list[Word], *, upright: bool = False) -> tuple[Affine, int]:
    """The page → template transform and how many form labels support it.

    ``upright``: the page's text is drawn level (printed text, not a scan), so the map only
    scales and shifts each axis. A full affine fit would take a look-alike form's rows,
    redrawn a few per cent taller or shorter band by band, for a slight shear, and tilt
    every line of the table by several points from its left edge to its right.
    """
    fit = _fit_upright if upright else _fit
    pairs = []
    for w in words:
        key = normalize(w.text)
        if key in ANCHORS:
            pairs.append((w.center, ANCHORS[key]))
    if len(pairs) < 3:
        return Affine(), len(pairs)
    # A median translation first, so stray matches (a value that spells a label) drop out.
    guess = _translation(pairs)
    pairs = [p for p in pairs if _dist(guess.apply(*p[0]), p[1]) < 40]
    transform = fit(pairs) if len(pairs) >= MIN_ANCHORS else None
    if transform is None:
        return (_translation(pairs) if pairs else guess), len(pairs)
    for _ in range(2):
        kept = [p for p in pairs if _dist(transform.apply(*p[0]), p[1]) < OUTLIER_POINTS]
        if len(kept) < MIN_ANCHORS or len(kept) == len(pairs):
            break
        pairs = kept
        transform = fit(pairs) or transform
    return transform, len(pairs)


def turn_rect(r: Rect, quarter: int, width: float, height: float) -> Rect:
    """A rect of a page turned ``quarter`` quarter turns clockwise (width, height unturned)."""
    x0, y0, x1, y1 = r
    if quarter == 1:
        return (height - y1, x0, height - y0, x1)
    if quarter == 2:
        return (width - x1, height - y1, width - x0, height - y0)
    if quarter == 3:
        return (y0, width - x1, y1, width - x0)
    return r


def turn_words(words: list[Word], quarter: int, width: float, height: float) -> list[Word]:
    return [Word(*turn_rect(w.rect, quarter, width, height), w.text) for w in words]


def locate_turned(
    words: list[Word], width: float, height: float, *, upright: bool = False
) -> tuple[int, Affine, int]:
    """The quarter turn that puts a sideways or upside-down form upright, with its fit.

    Text drawn sideways (a landscape page holding a portrait form, or a form rotated in
    its content stream) reads in the page's own frame as rotated words; each turn is
    tried and the one whose labels match the form best is kept.
    """
    best = (0, *locate_form(words, upright=upright))
    if best[2] >= MIN_ANCHORS:
        return best
    for quarter in (1, 2, 3):
        turned = turn_words(words, quarter, width, height)
        transform, anchors = locate_form(turned, upright=upright)
        if anchors > best[2]:
            best = (quarter, transform, anchors)
    return best


def _dist(p: tuple[float, float], q: tuple[float, float]) -> float:
    return float(((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5)


def _rect_distance(x: float, y: float, r: Rect) -> float:
    dx = max(r[0] - x, 0.0, x - r[2])
    dy = max(r[1] - y, 0.0, y - r[3])
    return float((dx * dx + dy * dy) ** 0.5)


def _field_grid() -> dict[tuple[int, int], list[FormField]]:
    grid: dict[tuple[int, int], list[FormField]] = {}
    for f in FORM_FIELDS:
        if f.rect[2] - f.rect[0] < 1:
            continue  # the edition identifier: a field with no box
        r = f.rect
        for gx in range(int((r[0] - BOX_MARGIN) // _GRID), int((r[2] + BOX_MARGIN) // _GRID) + 1):
            for gy in range(
                int((r[1] - BOX_MARGIN) // _GRID), int((r[3] + BOX_MARGIN) // _GRID) + 1
            ):
                grid.setdefault((gx, gy), []).append(f)
    return grid


_FIELD_GRID = _field_grid()


def box_of(x: float, y: float) -> FormField | None:
    """The form box a point (template coordinates) belongs to, allowing a small margin."""
    best: FormField | None = None
    best_d = BOX_MARGIN
    for f in _FIELD_GRID.get((int(x // _GRID), int(y // _GRID)), ()):
        d = _rect_distance(x, y, f.rect)
        if d < best_d or (d == best_d == 0.0 and best is not None and _area(f) < _area(best)):
            best, best_d = f, d
    return best


def _area(f: FormField) -> float:
    return (f.rect[2] - f.rect[0]) * (f.rect[3] - f.rect[1])


@dataclass(frozen=True)
class BoxText:
    """The words read in one form box: text in reading order and their page rect."""

    field: FormField
    text: str
    rect: Rect  # page coordinates


def read_boxes(
    words: list[Word],
    transform: Affine,
    *,
    ocr: bool = False,
    y_map: Callable[[float], float] | None = None,
) -> dict[str, BoxText]:
    """Slot → the text printed in that box; every box of the form is present (maybe empty).

    ``y_map`` moves template-frame heights onto the template's rows (an edition with other
    row heights, ``table_rows.row_map``).
    """
    placed: dict[str, list[tuple[float, float, Word]]] = {}
    located = (
        ocr_words_in_template(words, transform)
        if ocr
        else [(w, *transform.apply(*w.center)) for w in words]
    )
    for w, cx, y in located:
        cy = y_map(y) if y_map is not None else y
        f = box_of(cx, cy)
        # the form's own labels are no box's value: on a look-alike form a label can sit
        # within a box's margin (FAX just under the contact name's line); OCR'd words come
        # without them
        if f is not None and (ocr or not is_label_at(w.text, cx, y)):
            placed.setdefault(f.slot, []).append((cy, cx, w))
    back = transform.inverse()
    out: dict[str, BoxText] = {}
    for f in FORM_FIELDS:
        items = placed.get(f.slot)
        if not items:
            out[f.slot] = BoxText(f, "", back.apply_rect(f.rect))
            continue
        out[f.slot] = BoxText(f, _reading_order(items), union_rect([w.rect for _, _, w in items]))
    return out


def _reading_order(items: list[tuple[float, float, Word]]) -> str:
    """Words top to bottom in lines, left to right within a line; lines joined by a space."""
    items = sorted(items, key=lambda t: t[0])
    lines: list[list[tuple[float, float, Word]]] = []
    for item in items:
        if lines and abs(item[0] - lines[-1][0][0]) < 3.0:
            lines[-1].append(item)
        else:
            lines.append([item])
    return " ".join(
        " ".join(w.text for _, _, w in sorted(line, key=lambda t: t[1])) for line in lines
    )


# ---------------------------------------------------------------- OCR clean-up


_KEEP_SYMBOLS = frozenset({"$", "&", "@", "✓", "✔", "-", "/", "#"})


def clean_ocr_words(words: list[Word]) -> list[Word]:
    """Strip table-rule characters OCR glues to words; drop what is left empty."""
    out = []
    for w in words:
        text = w.text.strip("|[]_{}")
        if text.endswith(("|", "]")):
            text = text.rstrip("|]")
        if not any(ch.isalnum() for ch in text) and text not in _KEEP_SYMBOLS:
            continue
        out.append(Word(w.x0, w.y0, w.x1, w.y1, text))
    return out


def _template_grid() -> dict[tuple[int, int], list[tuple[float, float, str]]]:
    grid: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    for x0, y0, x1, y1, text in TEMPLATE_WORDS:
        key = normalize(text)
        if not key:
            continue
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        grid.setdefault((int(cx // 24), int(cy // 24)), []).append((cx, cy, key))
    return grid


_TEMPLATE_GRID = _template_grid()


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance, giving up (returning limit + 1) once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _label_match(key: str, tx: float, ty: float, dy_max: float) -> tuple[float, float] | None:
    """The template label a (possibly OCR-damaged) word is, near where it was found."""
    if not key or key.isdigit():
        return None
    best: tuple[float, float] | None = None
    best_d = 1e9
    gx, gy = int(tx // 24), int(ty // 24)
    for ix in (gx - 1, gx, gx + 1):
        for iy in (gy - 1, gy, gy + 1):
            for cx, cy, tkey in _TEMPLATE_GRID.get((ix, iy), ()):
                if abs(cx - tx) > 12 or abs(cy - ty) > dy_max:
                    continue
                if tkey != key:
                    if len(tkey) < 4:
                        continue
                    limit = max(1, len(tkey) // 3)
                    if levenshtein(key, tkey, limit) > limit:
                        continue
                d = abs(cx - tx) + abs(cy - ty)
                if d < best_d:
                    best, best_d = (cx, cy), d
    return best


def ocr_words_in_template(words: list[Word], transform: Affine) -> list[tuple[Word, float, float]]:
    """Value words with template-frame centres, label words removed.

    Tesseract gives every word the box of its whole text line, and in the dense coverage
    table it often merges neighbouring rows into one tall line. The printed labels on that
    line say which row it really is, so the line's words take the labels' height.
    """
    by_line: dict[tuple[float, float], list[tuple[Word, float, float]]] = {}
    for w in words:
        tx, ty = transform.apply(*w.center)
        by_line.setdefault((round(w.y0, 1), round(w.y1, 1)), []).append((w, tx, ty))
    out: list[tuple[Word, float, float]] = []
    for items in by_line.values():
        shifts: list[float] = []
        values: list[tuple[Word, float, float]] = []
        # a word's true height lies somewhere inside its (possibly merged) line box
        dy_max = max(4.0, (items[0][0].y1 - items[0][0].y0) / 2 + 1.5)
        for w, tx, ty in items:
            match = _label_match(normalize(w.text), tx, ty, dy_max)
            if match is None:
                values.append((w, tx, ty))
            else:
                shifts.append(match[1] - ty)
        shift = sorted(shifts)[len(shifts) // 2] if shifts else 0.0
        height = items[0][0].y1 - items[0][0].y0
        if not shifts and height > 13:
            shift = 0.0  # a tall line without labels: its centre is the best guess we have
        out.extend((w, tx, ty + shift) for w, tx, ty in values)
    return out
