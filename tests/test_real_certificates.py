"""The development set of real certificates (../shared/real-certificates), scored in process.

The scoring is the shared tool's own (``score_real.walk``: every scalar of a truth file is
one point, names compared case/space/punctuation-blind, list items matched by key), so
these floors mean what the issue's figures mean. Floors sit just under the measured
figures; a confidently wrong value (wrong at confidence >= 0.8) fails outright, because
the pre-check would pass it unreviewed.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from coi_desktop.review.extraction import extract_file

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL = SHARED / "real-certificates"
SCORER = SHARED / "tools" / "score_real.py"
CONFIDENT = 0.8

pytestmark = pytest.mark.skipif(
    not (REAL.is_dir() and SCORER.is_file()),
    reason=f"the real development set is not here ({REAL}); nothing to score",
)


def _scorer() -> ModuleType:
    sys.path.insert(0, str(SCORER.parent))  # score_real imports score_extraction beside it
    try:
        spec = importlib.util.spec_from_file_location("score_real", SCORER)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCORER.parent))


def _score(files: list[Path]) -> tuple[int, int, list[str], list[str]]:
    """Points right, points in all, the confidently wrong values, and every miss."""
    walk = _scorer().walk
    ok = total = 0
    confident: list[str] = []
    misses: list[str] = []
    for pdf in files:
        truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text(encoding="utf-8"))
        out = extract_file(pdf)
        rows: list[dict[str, Any]] = []
        walk(truth, out, "", "", "", out.get("evidence") or {}, rows)
        total += len(rows)
        for r in rows:
            if r["status"] == "ok":
                ok += 1
                continue
            misses.append(f"{pdf.name} {r['field']}: want {r['truth']!r}, got {r['got']!r}")
            if r["status"] == "wrong" and (r["conf"] or 0) >= CONFIDENT:
                confident.append(f"{misses[-1]} at {r['conf']}")
    return ok, total, confident, misses


def _style(pdf: Path) -> str:
    truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text(encoding="utf-8"))
    return str(truth.get("style", ""))


def _files(scanned: bool) -> list[Path]:
    pdfs = sorted(REAL.glob("*.pdf")) if REAL.is_dir() else []
    return [p for p in pdfs if (_style(p) == "real-scan") == scanned]


def test_printed_real_certificates() -> None:
    ok, total, confident, misses = _score(_files(scanned=False))
    assert not confident, confident  # the hard line: never a wrong value a pre-check trusts
    # measured 2026-12-03: 372/372 over the ten printed and non-ACORD files (one miss allowed)
    assert ok / total >= 0.997, misses


@pytest.mark.slow
@pytest.mark.ocr
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_scanned_real_certificates() -> None:
    ok, total, confident, misses = _score(_files(scanned=True))
    assert not confident, confident
    # measured 2026-12-03: 43/50 since the notice boxes are left out of whole-page OCR
    # (42/50 or 43/50 before: OCR's box re-reading finds the umbrella row's X or not,
    # depending on the boxes sharing its canvas). The scan itself lost letters
    # ("Casua ty") that the truth restores; those names are below the review line
    assert ok / total >= 0.84, misses
