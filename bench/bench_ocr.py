"""OCR engines side by side on real and generated scans: accuracy and time per page.

    .venv/bin/python bench/bench_ocr.py [--scanned 12] [--repeat 2] [--engines tesseract,...]

Reads every scanned PDF of the development set (``../shared/real-certificates``, truth
style ``real-scan``; scored as ``../shared/tools/score_real.py`` scores it, confidently
wrong values included) and ``--scanned`` generated scans (scored like
bench/bench_extraction.py), once per engine and ``--repeat`` times, and prints per engine
field accuracy, wall and CPU seconds per OCR page, and the machine's load.

Engines (the pipeline around them is the product's: only the call that turns an image
into words is swapped):
- ``tesseract``: Debian's program, one process per image (what COI Desk uses);
- ``tesserocr``: the same Tesseract through its C API in this process, one API object
  per thread (``pip install tesserocr``; it reads Debian's traineddata);
- ``rapidocr``: PP-OCR models inside the ``rapidocr-onnxruntime`` wheel, on onnxruntime.
Engines not installed are reported and skipped; neither is a dependency of COI Desk.

    .venv/bin/python bench/bench_ocr.py --versus-plain 5

instead times COI Desk reading each real scan against one plain ``tesseract`` pass over
the same page rendered at 300 dpi (PNG file in, text out, one thread), alternately, so
both meet the same load: the ratio of the two says more than either time on a machine
others share. Prints each pair, the medians and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coi_desktop.review import extraction, tesseract  # noqa: E402
from coi_desktop.review.layout import Word  # noqa: E402
from coi_desktop.samples.corpus import compare, write_corpus  # noqa: E402

BLANK_FORM = REPO / "tests" / "data" / "acord25-2016-03-blank-fillable.pdf"
REAL = REPO.parent / "shared" / "real-certificates"
SCORE_TOOLS = REPO.parent / "shared" / "tools"
TESSDATA = "/usr/share/tesseract-ocr/5/tessdata/"

Recognise = Callable[..., list[Word]]


def _pgm_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and pixels of a binary PGM (P5) as PyMuPDF writes it."""
    fields: list[bytes] = []
    at = 0
    while len(fields) < 4:
        while data[at : at + 1].isspace():
            at += 1
        end = at
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[at:end])
        at = end
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[at + 1 : at + 1 + width * height]


def tesserocr_engine() -> Recognise:
    import tesserocr  # type: ignore[import-not-found]

    local = threading.local()

    def one(image: tesseract.Image, *, timeout: float, psm: int) -> list[Word]:
        api = getattr(local, "api", None)
        if api is None:
            api = local.api = tesserocr.PyTessBaseAPI(path=TESSDATA, lang="eng")
        width, height, pixels = _pgm_pixels(image.data)
        api.SetPageSegMode(psm)
        api.SetImageBytes(pixels, width, height, 1, width)
        api.SetSourceResolution(image.dpi)
        api.Recognize()
        return tesseract.words_from_tsv(_TSV_HEADER + api.GetTSVText(0), image)

    return _parallel(one)


_TSV_HEADER = (
    "\t".join(
        [
            "level",
            "page_num",
            "block_num",
            "par_num",
            "line_num",
            "word_num",
            "left",
            "top",
            "width",
            "height",
            "conf",
            "text",
        ]
    )
    + "\n"
)


def rapidocr_engine() -> Recognise:
    import numpy as np
    from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]

    engine = RapidOCR()
    lock = threading.Lock()  # onnxruntime already spreads one call over every core

    def one(image: tesseract.Image, *, timeout: float, psm: int) -> list[Word]:
        width, height, pixels = _pgm_pixels(image.data)
        grey = np.frombuffer(pixels, dtype=np.uint8).reshape(height, width)
        with lock:
            found, _ = engine(np.stack([grey] * 3, axis=-1), use_cls=False)
        words = []
        ox, oy = image.origin
        for box, text, _score in found or []:
            x0, x1 = min(p[0] for p in box), max(p[0] for p in box)
            y0, y1 = min(p[1] for p in box), max(p[1] for p in box)
            # a line comes back whole; its words are placed by their share of its letters
            at = 0
            for token in text.split(" "):
                if token:
                    a, b = at / len(text), (at + len(token)) / len(text)
                    wx0, wx1 = x0 + a * (x1 - x0), x0 + b * (x1 - x0)
                    s = image.scale
                    words.append(Word(ox + wx0 / s, oy + y0 / s, ox + wx1 / s, oy + y1 / s, token))
                at += len(token) + 1
        return words

    return _parallel(one)


def _parallel(one: Callable[..., list[Word]]) -> Recognise:
    from concurrent.futures import ThreadPoolExecutor

    def recognise_all(
        images: Sequence[tesseract.Image], *, timeout: float, psm: int = tesseract.WHOLE_PAGE
    ) -> list[Word]:
        with ThreadPoolExecutor(max_workers=max(1, len(images))) as pool:
            parts = pool.map(lambda image: one(image, timeout=timeout, psm=psm), images)
            return [word for part in parts for word in part]

    def recognise(
        image: tesseract.Image, *, timeout: float, psm: int = tesseract.WHOLE_PAGE
    ) -> list[Word]:
        return one(image, timeout=timeout, psm=psm)

    recognise_all.single = recognise  # type: ignore[attr-defined]
    return recognise_all


ENGINES: dict[str, Callable[[], Recognise]] = {
    "tesseract": lambda: tesseract.recognise_all,
    "tesserocr": tesserocr_engine,
    "rapidocr": rapidocr_engine,
}


def _use(engine: Recognise) -> None:
    tesseract.recognise_all = engine  # type: ignore[assignment]
    single = getattr(engine, "single", None)
    tesseract.recognise = single or _PROGRAM_SINGLE  # type: ignore[assignment]


_PROGRAM_SINGLE = tesseract.recognise


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _score_real(result: dict[str, Any], truth: dict[str, Any]) -> tuple[int, int, int]:
    sys.path.insert(0, str(SCORE_TOOLS))
    from score_real import CONFIDENT, walk  # type: ignore[import-not-found]

    rows: list[dict[str, Any]] = []
    walk(truth, result, "", "", "", result.get("evidence") or {}, rows)
    ok = sum(r["status"] == "ok" for r in rows)
    sure_wrong = sum(
        r["status"] == "wrong" and isinstance(r["conf"], (int, float)) and r["conf"] >= CONFIDENT
        for r in rows
    )
    return ok, len(rows), sure_wrong


def real_scans() -> list[Path]:
    if not REAL.is_dir():
        return []
    out = []
    for truth in sorted(REAL.glob("*.truth.json")):
        if json.loads(truth.read_text()).get("style") == "real-scan":
            out.append(truth.with_name(truth.name.replace(".truth.json", ".pdf")))
    return out


def measure(files: list[Path], real: set[Path], repeat: int) -> dict[str, Any]:
    points = [0, 0]
    real_points = [0, 0, 0]
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeat):
        for pdf in files:
            truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text())
            data = pdf.read_bytes()
            wall, cpu = time.perf_counter(), _cpu()
            result = extraction.extract_document(data, pdf.name)
            pages = result.get("pages") or 1
            walls.append((time.perf_counter() - wall) / pages)
            cpus.append((_cpu() - cpu) / pages)
            if pdf in real:
                ok, total, sure_wrong = _score_real(result, truth)
                real_points[0] += ok
                real_points[1] += total
                real_points[2] += sure_wrong
            else:
                total, wrong = compare(result, truth)
                points[0] += total - len(wrong)
                points[1] += total
    walls.sort()
    return {
        "real": real_points,
        "generated": points,
        "wall": sum(walls) / len(walls),
        "wall_median": walls[len(walls) // 2],
        "cpu": sum(cpus) / len(cpus),
    }


def versus_plain(files: list[Path], repeat: int) -> None:
    """COI Desk's reading of each page against one plain Tesseract pass, alternately."""
    import pymupdf

    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        for pdf in files:
            with pymupdf.open(pdf) as doc:
                png = Path(tmp) / f"{pdf.stem}.png"
                doc[0].get_pixmap(dpi=300, colorspace=pymupdf.csGRAY).save(png)
            ours: list[float] = []
            plain: list[float] = []
            cpus: list[float] = []
            for _ in range(repeat):
                wall, cpu = time.perf_counter(), _cpu()
                extraction.extract_document(pdf.read_bytes(), pdf.name)
                ours.append(time.perf_counter() - wall)
                cpus.append(_cpu() - cpu)
                wall = time.perf_counter()
                command = ["tesseract", str(png), "-", "-l", "eng", "--dpi", "300"]
                subprocess.run(command, env=env, capture_output=True, check=True)
                plain.append(time.perf_counter() - wall)
                load = os.getloadavg()[0]
                print(
                    f"  {pdf.name}: COI Desk {ours[-1]:.2f} s (CPU {cpus[-1]:.2f} s),"
                    f" plain tesseract {plain[-1]:.2f} s, load {load:.1f}"
                )
            mid = len(ours) // 2
            ours.sort()
            plain.sort()
            cpus.sort()
            print(
                f"{pdf.name}: median COI Desk {ours[mid]:.2f} s (CPU {cpus[mid]:.2f} s),"
                f" plain tesseract at 300 dpi {plain[mid]:.2f} s,"
                f" ratio {ours[mid] / plain[mid]:.2f}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scanned", type=int, default=12, help="generated scans")
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--repeat", type=int, default=2, help="readings of every file")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--versus-plain",
        type=int,
        default=0,
        metavar="N",
        help="only time the real scans N times against a plain tesseract pass",
    )
    args = parser.parse_args(argv)
    real = real_scans()
    print(f"load before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}  ({os.cpu_count()} cores)")
    if args.versus_plain:
        versus_plain(real, args.versus_plain)
        print(f"load after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        generated = write_corpus(
            Path(tmp), args.scanned, args.seed, ("scanned",), blank_form=BLANK_FORM
        )
        files = real + generated
        print(f"{len(real)} real scan(s), {len(generated)} generated scans, x{args.repeat}")
        header = f"{'engine':10s} {'real fields':>14s} {'conf. wrong':>11s} {'generated':>16s}"
        print(header + f" {'s/page':>7s} {'median':>7s} {'CPU s':>6s}")
        for name in args.engines.split(","):
            try:
                engine = ENGINES[name]()
            except ImportError as exc:
                print(f"{name:10s} not installed ({exc.name})")
                continue
            _use(engine)
            m = measure(files, set(real), args.repeat)
            ok, total, sure_wrong = m["real"]
            gok, gtotal = m["generated"]
            print(
                f"{name:10s} {_pct(ok, total):>14s} {sure_wrong // args.repeat:11d}"
                f" {_pct(gok, gtotal):>16s} {m['wall']:7.2f} {m['wall_median']:7.2f}"
                f" {m['cpu']:6.2f}"
            )
    print(f"load after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


def _pct(ok: int, total: int) -> str:
    return f"{100 * ok / total:.1f}% ({ok}/{total})" if total else "-"


if __name__ == "__main__":
    raise SystemExit(main())
