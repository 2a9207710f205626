"""Extraction accuracy and speed on a generated corpus, with pypdf as a point of comparison.

    .venv/bin/python bench/bench_extraction.py --n 300 --scanned 30

writes a corpus of fillable and flattened certificates (and, separately, scanned ones:
OCR takes seconds a page) with coi_desktop.samples.corpus, extracts every file, and
prints per-style field accuracy against the truth files, the fields most often wrong,
mean milliseconds per text certificate and per OCR page, and, on the same fillable
files, COI Desk's form reading beside reading the fields with pypdf. Beside the generated
corpus it scores the real development set (``--real``, default ../shared/real-certificates
when it is there) with the shared scorer's own comparison (``score_real.walk``): field
accuracy, confidently wrong values (wrong at confidence >= 0.8) and time per file.
With ``--realistic N`` it also prints the realistic corpus's accuracy per variation (each
file's NAME.variations.json: layout, row values, marks, overtyped, other row, umbrella row).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coi_desktop.review.assembly import assemble_certificate  # noqa: E402
from coi_desktop.review.extraction import extract_file  # noqa: E402
from coi_desktop.review.form_reader import WidgetValue, read_form  # noqa: E402
from coi_desktop.samples.corpus import compare, write_corpus  # noqa: E402

BLANK_FORM = REPO / "tests" / "data" / "acord25-2016-03-blank-fillable.pdf"
REAL = REPO.parent / "shared" / "real-certificates"
CONFIDENT = 0.8
_INDEX = re.compile(r"\[\d+\]")


def score(result: dict[str, Any], truth: dict[str, Any]) -> tuple[int, int, list[str]]:
    """(fields right, fields in the truth, paths of the wrong ones)."""
    total, wrong = compare(result, truth)
    return total - len(wrong), total, [path for path, _, _ in wrong]


def pypdf_widgets(path: Path) -> list[WidgetValue]:
    """The form fields of page 1 as pypdf reads them, in the shape read_form takes."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    page = reader.pages[0]
    height = float(page.mediabox.height)
    out: list[WidgetValue] = []
    for ref in page.get("/Annots") or []:
        annot = ref.get_object()
        if annot.get("/Subtype") != "/Widget":
            continue
        parent = annot.get("/Parent")
        field = parent.get_object() if parent is not None and "/T" not in annot else annot
        name = str(field.get("/T", ""))
        kind = "check" if field.get("/FT") == "/Btn" else "text"
        value = field.get("/V")
        if kind == "check":
            state = value if value is not None else annot.get("/AS")
            text = "X" if state is not None and str(state) not in ("/Off", "") else ""
        else:
            text = str(value) if value is not None else ""
        x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
        out.append((name, kind, text, (x0, height - y1, x1, height - y0)))
    return out


def extract_with_pypdf(path: Path) -> dict[str, Any]:
    raw = read_form(pypdf_widgets(path), 1)
    result = assemble_certificate(raw)
    result.update({"kind": "coi", "pages": 1, "endorsements": []})
    return result


def run(corpus: Path, files: list[Path]) -> None:
    accuracy: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    seconds: dict[str, list[float]] = defaultdict(list)
    wrong_fields: Counter[str] = Counter()
    pypdf_score = [0, 0]
    pypdf_seconds: list[float] = []
    form_seconds: list[float] = []
    # (style, kind of variation, value) -> [fields right, fields] for the realistic corpus
    by_variation: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for pdf in files:
        style = pdf.stem.split("_")[-1]
        if pdf.parent.name == "realistic":
            style = f"real-like {style}"
        truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text(encoding="utf-8"))
        started = time.perf_counter()
        result = extract_file(pdf)
        elapsed = time.perf_counter() - started
        seconds[style].append(
            elapsed / (result.get("pages") or 1) if style.endswith("scanned") else elapsed
        )
        right, total, wrong = score(result, truth)
        accuracy[style][0] += right
        accuracy[style][1] += total
        sidecar = pdf.with_name(pdf.stem + ".variations.json")
        if sidecar.is_file():
            for kind, value in json.loads(sidecar.read_text(encoding="utf-8")).items():
                cell = by_variation[(style, kind, value)]
                cell[0] += right
                cell[1] += total
                cell.append(total - right)  # this file's misses, to tell one bad file apart
        wrong_fields.update(f"{style}: {_INDEX.sub('[]', p)}" for p in wrong)
        if style == "fillable":
            form_seconds.append(elapsed)
            started = time.perf_counter()
            other = extract_with_pypdf(pdf)
            pypdf_seconds.append(time.perf_counter() - started)
            right, total, _ = score(other, truth)
            pypdf_score[0] += right
            pypdf_score[1] += total
    print(f"corpus: {corpus}  ({len(files)} files)")
    print(f"{'style':12s} {'files':>5s} {'fields':>7s} {'accuracy':>9s} {'mean ms':>9s}")
    for style in sorted(accuracy):
        right, total = accuracy[style]
        unit = "ms/OCR page" if style.endswith("scanned") else "ms/file"
        mean_ms = 1000 * sum(seconds[style]) / len(seconds[style])
        print(
            f"{style:12s} {len(seconds[style]):5d} {total:7d} {100 * right / total:8.2f}%"
            f" {mean_ms:9.1f} {unit}"
        )
    text_times = seconds.get("fillable", []) + seconds.get("flattened", [])
    if text_times:
        print(f"mean per text certificate: {1000 * sum(text_times) / len(text_times):.1f} ms")
    if pypdf_seconds:
        print("\nfillable files, form fields read by:")
        print(
            f"  PyMuPDF (COI Desk)  {100 * _share(accuracy['fillable']):6.2f}%"
            f"  {1000 * sum(form_seconds) / len(form_seconds):6.1f} ms/file (whole extraction)"
        )
        print(
            f"  pypdf               {100 * _share(pypdf_score):6.2f}%"
            f"  {1000 * sum(pypdf_seconds) / len(pypdf_seconds):6.1f} ms/file (fields + assembly)"
        )
    if by_variation:
        print("\nper variation (files; fields; accuracy; misses of the worst file):")
        for (style, kind, value), cell in sorted(by_variation.items()):
            right, total, *misses = cell
            print(
                f"  {style:20s} {kind:13s} {value:16s} {len(misses):3d} files {total:6d}"
                f" {100 * right / total:7.2f}%  worst file -{max(misses)}"
            )
    print("\nworst fields:")
    for field, count in wrong_fields.most_common(12):
        print(f"  {count:4d}  {field}")


def _real_walk(real: Path) -> Any:
    """``walk`` of the shared scorer, so the real-set figures are the issue's figures."""
    tools = real.parent / "tools"
    sys.path.insert(0, str(tools))
    try:
        spec = importlib.util.spec_from_file_location("score_real", tools / "score_real.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.walk
    finally:
        sys.path.remove(str(tools))


def run_real(real: Path) -> None:
    walk = _real_walk(real)
    ok_all = total_all = 0
    confident: list[str] = []
    by_style: dict[str, list[float]] = defaultdict(list)
    print(f"\nreal development set: {real}")
    for pdf in sorted(real.glob("*.pdf")):
        truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text(encoding="utf-8"))
        started = time.perf_counter()
        result = extract_file(pdf)
        elapsed = time.perf_counter() - started
        by_style[truth.get("style", "?")].append(elapsed)
        rows: list[dict[str, Any]] = []
        walk(truth, result, "", "", "", result.get("evidence") or {}, rows)
        ok = sum(r["status"] == "ok" for r in rows)
        ok_all += ok
        total_all += len(rows)
        for r in rows:
            if r["status"] == "wrong" and (r["conf"] or 0) >= CONFIDENT:
                confident.append(f"{pdf.name}: {r['field']} = {r['got']!r} ({r['conf']})")
        print(f"  {pdf.name:44s} {ok:3d}/{len(rows):<3d} {1000 * elapsed:8.1f} ms")
    if not total_all:
        return
    print(
        f"real accuracy={100 * ok_all / total_all:.1f}% ({ok_all}/{total_all})"
        f" confident_wrong={len(confident)}"
    )
    for style, times in sorted(by_style.items()):
        print(f"  {style:14s} {len(times):3d} files  mean {1000 * sum(times) / len(times):8.1f} ms")
    for line in confident:
        print(f"  confidently wrong: {line}")


def _share(pair: list[int]) -> float:
    return pair[0] / pair[1] if pair[1] else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="fillable + flattened files")
    parser.add_argument("--scanned", type=int, default=20, help="scanned files (slow: OCR)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="keep the corpus here")
    parser.add_argument("--real", type=Path, default=REAL, help="real certificates + truth")
    parser.add_argument(
        "--realistic",
        type=int,
        default=0,
        help="also N flattened and N/5 scanned printed as real brokers and scanners do",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.out or Path(tmp)
        files = write_corpus(
            corpus / "text", args.n, args.seed, ("fillable", "flattened"), blank_form=BLANK_FORM
        )
        if args.scanned:
            files += write_corpus(
                corpus / "scanned", args.scanned, args.seed, ("scanned",), blank_form=BLANK_FORM
            )
        if args.realistic:
            files += write_corpus(
                corpus / "realistic",
                args.realistic + args.realistic // 5,
                args.seed,
                ("flattened",) * 5 + ("scanned",),
                blank_form=BLANK_FORM,
                realistic=True,
            )
        run(corpus, files)
    if args.real.is_dir():
        run_real(args.real)
    else:
        print(f"\nreal development set not found at {args.real}; not scored")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
