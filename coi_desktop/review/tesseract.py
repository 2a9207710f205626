"""Debian's ``tesseract`` program, run on page images PyMuPDF renders.

PyMuPDF can OCR by itself (``Page.get_textpage_ocr``), but with the Tesseract built
into its wheel, which read the same 300 dpi certificate in 4.6 s where Debian's
``tesseract`` took 2.2–3.1 s (see docs/benchmarks.md). The program also runs in a
process of its own, so it gets a deadline that a C call inside PyMuPDF cannot, and
two of them use both cores of a reviewer's laptop.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from coi_desktop.review.layout import Word

PROGRAM = "tesseract"
LANGUAGE = "eng"
# Tesseract's OpenMP threads spin against each other: on two cores one page took 18 s
# with them and 2.2 s without. Parallelism comes from running one process per band.
ONE_THREAD = {"OMP_THREAD_LIMIT": "1"}


# Page segmentation modes (tesseract --help-psm).
WHOLE_PAGE = 3  # find the blocks and columns of a page
ONE_COLUMN = 4  # lines of text one under another, as on the canvas of re-read boxes


@dataclass(frozen=True)
class OcrWord(Word):
    """A word as Tesseract read it, with how sure it was (0-100, its TSV ``conf``)."""

    conf: float = 100.0


class TesseractError(RuntimeError):
    """Tesseract could not read an image (missing, failed or out of time)."""


@dataclass(frozen=True)
class Image:
    """An image file's bytes (PGM, PNG) and where its words go: pixels / scale + origin.

    ``dpi`` is the resolution the pixels were rendered at; Tesseract guesses it wrong
    from a PGM (which carries none), and then misreads short values.
    """

    data: bytes
    dpi: int
    origin: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0


def available() -> bool:
    return shutil.which(PROGRAM) is not None


def recognise(image: Image, *, timeout: float, psm: int = WHOLE_PAGE) -> list[Word]:
    """The words Tesseract reads in one image, in page coordinates (PDF points)."""
    command = [PROGRAM, "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(image.dpi)]
    command += ["--psm", str(psm), "tsv"]
    try:
        done = subprocess.run(
            command,
            input=image.data,
            capture_output=True,
            timeout=timeout,
            env={**os.environ, **ONE_THREAD},
            check=False,
        )
    except FileNotFoundError as exc:
        raise TesseractError("Tesseract is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise TesseractError("Tesseract did not finish within the time limit for a file") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TesseractError(f"Tesseract failed: {reason[-1] if reason else done.returncode}")
    return words_from_tsv(done.stdout.decode("utf-8", "replace"), image)


def recognise_all(images: Sequence[Image], *, timeout: float, psm: int = WHOLE_PAGE) -> list[Word]:
    """Several images OCR'd at once, one process each (threads only wait on them)."""
    if len(images) <= 1:
        return [word for image in images for word in recognise(image, timeout=timeout, psm=psm)]
    with ThreadPoolExecutor(max_workers=len(images)) as pool:
        parts = pool.map(lambda image: recognise(image, timeout=timeout, psm=psm), images)
        return [word for part in parts for word in part]


MIN_WORD_HEIGHT_PT = 1.2  # lower than any printed glyph but a dash: a table rule read as text


def words_from_tsv(tsv: str, image: Image) -> list[Word]:
    """Tesseract's TSV as page words, without the rules and double readings it makes.

    Tesseract reads a stretch of table rule as a flat "word", and now and then a value
    twice (once with the rule under it as a second line): the readings overlap, and the
    one that holds more letters and digits is kept.
    """
    ox, oy = image.origin
    scale = image.scale
    found: list[tuple[OcrWord, int, float]] = []
    # quoting off: a recognised word may well be a lone '"'
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        left, top = int(row["left"]), int(row["top"])
        width, height = int(row["width"]), int(row["height"])
        if height / image.dpi * 72 < MIN_WORD_HEIGHT_PT:
            continue
        conf = float(row["conf"])
        word = OcrWord(
            ox + left / scale,
            oy + top / scale,
            ox + (left + width) / scale,
            oy + (top + height) / scale,
            text,
            conf,
        )
        found.append((word, sum(ch.isalnum() for ch in text), conf))
    kept: list[int] = []
    for i in sorted(range(len(found)), key=lambda i: found[i][1:], reverse=True):
        if not any(_overlap(found[i][0], found[k][0]) > 0.5 for k in kept):
            kept.append(i)
    return [found[i][0] for i in sorted(kept)]


def _overlap(a: Word, b: Word) -> float:
    """Shared area as a share of the smaller box."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0))
    return w * h / smaller if smaller > 0 else 0.0
