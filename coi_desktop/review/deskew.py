"""How far a scanned page is turned: its skew, measured from its own pixels.

An ACORD 25 is ruled edge to edge and its text runs in straight lines, so the ink
profile of a narrow vertical strip near the left edge and of one near the right edge
are the same curve, shifted down by as many pixels as the page is skewed over the
distance between them. The shift that lines the two profiles up best gives the angle.
Pure Python on a grey pixmap's bytes (no numpy): two strips, a few thousand rows.
"""

from __future__ import annotations

import math
import operator

MAX_SKEW_DEGREES = 6.0  # a scan turned further than this is not straightened (nor expected)
_DARK = bytes(1 if b < 128 else 0 for b in range(256))
_STRIP_AT = (0.12, 0.88)  # strip centres as shares of the width: inside the form's margins
_STRIP_SHARE = 0.03  # strip width as a share of the page width


def ink_profile(samples: bytes, stride: int, height: int, x0: int, x1: int) -> list[int]:
    """Dark pixels per row between columns x0 and x1 of a one-byte-per-pixel image."""
    return [
        samples[y * stride + x0 : y * stride + x1].translate(_DARK).count(1) for y in range(height)
    ]


def best_shift(left: list[int], right: list[int], max_shift: int) -> float:
    """The shift d (rows, sub-pixel) for which right[y + d] best matches left[y]."""
    n = len(left)
    if n == 0 or max_shift <= 0:
        return 0.0
    scores: dict[int, int] = {}
    for d in range(-max_shift, max_shift + 1):
        if d >= 0:
            scores[d] = sum(map(operator.mul, left[: n - d], right[d:]))
        else:
            scores[d] = sum(map(operator.mul, left[-d:], right[: n + d]))
    best = max(scores, key=lambda d: (scores[d], -abs(d)))
    if scores[best] == 0:
        return 0.0
    # a parabola through the peak and its neighbours places it between two rows
    before, after = scores.get(best - 1), scores.get(best + 1)
    if before is None or after is None:
        return float(best)
    bend = before - 2 * scores[best] + after
    return best + (0.5 * (before - after) / bend if bend else 0.0)


def skew_degrees(samples: bytes, width: int, height: int, stride: int) -> float:
    """The page's skew in degrees, clockwise as seen on screen (0.0 when flat or unknown).

    Rotating the image counter-clockwise by this angle straightens it.
    """
    strip = max(2, round(width * _STRIP_SHARE))
    centres = [round(width * share) for share in _STRIP_AT]
    if width < 40 or height < 40:
        return 0.0
    left, right = (
        ink_profile(samples, stride, height, c - strip // 2, c + strip // 2) for c in centres
    )
    distance = centres[1] - centres[0]
    max_shift = math.ceil(distance * math.tan(math.radians(MAX_SKEW_DEGREES)))
    return math.degrees(math.atan2(best_shift(left, right, max_shift), distance))
