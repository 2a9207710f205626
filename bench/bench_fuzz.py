"""The long PDF fuzz run: damaged and crafted certificates through extraction.

    .venv/bin/python bench/bench_fuzz.py --n 1000 --seed 7

generates certificates with coi_desktop.samples.corpus, damages them in several ways
(byte flips, truncation, deleted and repeated spans, spliced files) and adds crafted
hostile files (a flate bomb, a 40000 × 40000 image, a 5 MB form field, 500 pages, deep
nesting), then extracts each one in a worker process with a hard timeout. Prints: files,
crashes (an exception out of extract_document), hangs (over the timeout), slowest and p95
seconds, the worker's peak resident memory, and how many damaged files were read as a
certificate with no warning (issue #14 point 9). Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _mutate(good: bytes, rng: random.Random, others: list[bytes]) -> tuple[str, bytes]:
    data = bytearray(good)
    kind = rng.choice(["flip", "truncate", "delete", "repeat", "splice", "zero"])
    if kind == "flip":
        for _ in range(rng.randint(1, 200)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == "truncate":
        del data[rng.randrange(16, len(data)) :]
    elif kind == "delete":
        start = rng.randrange(len(data))
        del data[start : start + rng.randint(1, 4096)]
    elif kind == "repeat":
        start = rng.randrange(len(data))
        span = bytes(data[start : start + rng.randint(1, 4096)])
        data[start:start] = span * rng.randint(2, 50)
    elif kind == "splice":
        other = rng.choice(others)
        cut = rng.randrange(len(data))
        data = data[:cut] + bytearray(other[rng.randrange(len(other)) :])
    else:
        start = rng.randrange(len(data))
        data[start : start + rng.randint(1, 8192)] = b"\0" * rng.randint(1, 8192)
    return kind, bytes(data)


def _crafted() -> dict[str, bytes]:
    import pymupdf

    files: dict[str, bytes] = {}
    bomb = zlib.compress(b"0 0 m 1 1 l S\n" * (30 * 1024 * 1024 // 14), 9)
    files["flate_bomb"] = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        + f"4 0 obj<</Length {len(bomb)}/Filter/FlateDecode>>stream\n".encode()
        + bomb
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
    )
    with pymupdf.open() as doc:
        page = doc.new_page()
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 40, 40), False)
        pix.clear_with(200)
        page.insert_image(page.rect, pixmap=pix)
        xref = page.get_images()[0][0]
        doc.xref_set_key(xref, "Width", "40000")
        doc.xref_set_key(xref, "Height", "40000")
        files["huge_image"] = doc.tobytes()
    with pymupdf.open() as doc:
        page = doc.new_page()
        widget = pymupdf.Widget()
        widget.field_name = "INSURED"
        widget.field_type = pymupdf.mupdf.PDF_WIDGET_TYPE_TEXT
        widget.rect = pymupdf.Rect(50, 50, 300, 80)
        widget.field_value = "A" * (5 * 1024 * 1024)
        page.add_widget(widget)
        files["huge_field"] = doc.tobytes()
    with pymupdf.open() as doc:
        for _ in range(500):
            doc.new_page()
        files["500_pages"] = doc.tobytes()
    files["deep_nesting"] = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/X "
        + b"[" * 100_000
        + b"]" * 100_000
        + b">>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
    )
    return files


def _extract(data: bytes, name: str) -> dict[str, Any]:
    from coi_desktop.review.damage import is_damaged
    from coi_desktop.review.extraction import extract_document

    started = time.perf_counter()
    try:
        result = extract_document(data, name)
        crashed = None
    except Exception as exc:  # the thing we count: extraction must never raise
        result, crashed = {}, f"{type(exc).__name__}: {exc}"[:200]
    return {
        "seconds": time.perf_counter() - started,
        "kind": result.get("kind"),
        "warnings": len(result.get("warnings") or []),
        "damaged": is_damaged(result),
        "crashed": crashed,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="damaged files (crafted ones added)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per file")
    args = parser.parse_args()

    from coi_desktop.samples.corpus import write_corpus

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        goods = [
            p.read_bytes()
            for p in write_corpus(Path(tmp), 20, seed=args.seed, styles=("fillable", "flattened"))
        ]
    cases: list[tuple[str, bytes]] = [(name, data) for name, data in _crafted().items()]
    for _ in range(args.n):
        cases.append(_mutate(rng.choice(goods), rng, goods))

    ctx = mp.get_context("spawn")
    pool = ctx.Pool(1, maxtasksperchild=200)
    rows: list[tuple[str, dict[str, Any]]] = []
    hangs: list[str] = []
    started = time.perf_counter()
    for index, (kind, data) in enumerate(cases):
        job = pool.apply_async(_extract, (data, f"{kind}-{index}.pdf"))
        try:
            rows.append((kind, job.get(timeout=args.timeout)))
        except mp.TimeoutError:
            hangs.append(kind)
            pool.terminate()
            pool = ctx.Pool(1, maxtasksperchild=200)
    pool.close()
    pool.join()
    seconds = [r["seconds"] for _, r in rows]
    crashes = [(k, r["crashed"]) for k, r in rows if r["crashed"]]
    mutated = [
        r for k, r in rows if k in ("flip", "truncate", "delete", "repeat", "zero", "splice")
    ]
    as_coi = [r for r in mutated if r["kind"] == "coi"]
    silent = sum(1 for r in as_coi if r["warnings"] == 0)
    marked = sum(1 for r in as_coi if r["damaged"])
    slowest = max(rows, key=lambda row: row[1]["seconds"])
    print(
        f"files {len(cases)} ({args.n} damaged + {len(cases) - args.n} crafted), "
        f"wall {time.perf_counter() - started:.0f} s"
    )
    print(f"crashes {len(crashes)}, hangs (> {args.timeout:.0f} s) {len(hangs)} {hangs}")
    print(
        f"per file: median {statistics.median(seconds) * 1000:.0f} ms, "
        f"p95 {statistics.quantiles(seconds, n=20)[18]:.2f} s, "
        f"slowest {slowest[1]['seconds']:.2f} s ({slowest[0]})"
    )
    print(f"worker peak resident memory {max(r['rss_mb'] for _, r in rows):.0f} MB")
    print(
        f"damaged files read as a certificate: {len(as_coi)}; marked damaged (values to "
        f"needs_review) {marked}; with no warning at all {silent}"
    )
    for kind, message in crashes[:10]:
        print(f"  crash {kind}: {message}")
    return 1 if crashes or hangs else 0


if __name__ == "__main__":
    raise SystemExit(main())
