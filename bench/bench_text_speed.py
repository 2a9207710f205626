"""Time to read a text (printed) certificate in process: median and p95, wall and CPU.

    .venv/bin/python bench/bench_text_speed.py [--n 10] [--repeat 5] [--profile]

Reads the development set's printed certificates (``--real``, default
../shared/real-certificates, its scan left out) and ``--n`` generated flattened
certificates of each kind (plain, and printed as real brokers print them), each file
``--repeat`` times after one warm-up pass, and prints the median and 95th percentile of
the wall and CPU time per file. CPU time is the figure to compare on a shared machine;
wall time grows with the load, which is printed beside it. ``--profile`` prints
cProfile's top functions instead.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coi_desktop.review.extraction import extract_document  # noqa: E402
from coi_desktop.samples.corpus import write_corpus  # noqa: E402

BLANK_FORM = REPO / "tests" / "data" / "acord25-2016-03-blank-fillable.pdf"
REAL = REPO.parent / "shared" / "real-certificates"


def _files(real: Path, n: int, out: Path) -> list[Path]:
    files = [p for p in sorted(real.glob("*.pdf")) if "2010_05" not in p.name]  # the scan
    files += write_corpus(out / "plain", n, 31, ("flattened",), blank_form=BLANK_FORM)
    files += write_corpus(
        out / "realistic", n, 31, ("flattened",), blank_form=BLANK_FORM, realistic=True
    )
    return [p for p in files if p.suffix == ".pdf"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="generated files of each kind")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = [(p.name, p.read_bytes()) for p in _files(args.real, args.n, Path(tmp))]
    for name, pdf in data:  # warm: imports, caches, MuPDF's fonts
        extract_document(pdf, name, ocr=False)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for name, pdf in data * args.repeat:
            extract_document(pdf, name, ocr=False)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return 0
    wall: list[float] = []
    cpu: list[float] = []
    load_before = os.getloadavg()[0]
    for _ in range(args.repeat):
        for name, pdf in data:
            started, cpu_started = time.perf_counter(), time.process_time()
            extract_document(pdf, name, ocr=False)
            wall.append(1000 * (time.perf_counter() - started))
            cpu.append(1000 * (time.process_time() - cpu_started))
    load = (load_before + os.getloadavg()[0]) / 2
    print(
        f"{len(data)} text certificates x {args.repeat},"
        f" load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"  wall  median {statistics.median(wall):6.1f} ms  p95 {_percentile(wall, 0.95):6.1f} ms"
    )
    print(f"  CPU   median {statistics.median(cpu):6.1f} ms  p95 {_percentile(cpu, 0.95):6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
