"""A corpus of sample PDFs with ground truth, for tests and the extraction accuracy benchmark.

    python -m coi_desktop.samples.corpus OUT_DIR --n 300 --seed 1

writes NAME.pdf + NAME.truth.json pairs. Styles take turns, so every style gets the same
share; about a third of the certificates carry a defect. The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Collection, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from . import require_blank_form
from .backing import random_endorsements
from .certificates import STYLES, render
from .endorsements import endorsement_truth, render_endorsements
from .realistic import Realism, random_realism
from .scenarios import DEFECTS, random_spec
from .spec import truth
from .world import GENERAL_CONTRACTOR, PROJECTS, VENDORS, sample_profiles

# Certificates are dated relative to this day, so a corpus never depends on the clock.
CORPUS_TODAY = date(2026, 11, 2)
CORPUS_STYLES = (*STYLES, "endorsement")


def write_corpus(
    out_dir: Path,
    n: int,
    seed: int,
    styles: Sequence[str] = STYLES,
    *,
    blank_form: Path | None = None,
    today: date = CORPUS_TODAY,
    realistic: bool = False,
    without: Collection[str] = (),
) -> list[Path]:
    """Write `n` PDFs with their truth into `out_dir`; return the PDF paths in order.

    `styles` may include "endorsement" for endorsement packets besides the certificate styles.
    `realistic` prints flattened and scanned certificates the ways real brokers and scanners
    do (`realistic.Realism`: top-line rows, drawn and glyph marks, edited fields, several
    policies on the other row, a stacked umbrella row, look-alike forms, the 2010/05
    edition, crooked and sideways scans), and writes NAME.variations.json beside each
    printed one (`Realism.variations`); the reader is measured on those apart from the
    default corpus. `without` leaves out variations by name (fields of `Realism`).
    """
    unknown = set(styles) - set(CORPUS_STYLES)
    if unknown or not styles:
        raise ValueError(f"styles must be among {CORPUS_STYLES}, got {list(styles)}")
    form = require_blank_form(blank_form)
    out_dir.mkdir(parents=True, exist_ok=True)
    profiles = list(_corpus_profiles().values())
    paths = []
    for index in range(n):
        style = styles[index % len(styles)]
        rng = random.Random(f"corpus:{seed}:{index}")
        pdf, facts, realism = _sample(rng, style, profiles, form, today, realistic, without)
        name = f"sample_{index:04d}_{style}"
        (out_dir / f"{name}.pdf").write_bytes(pdf)
        text = json.dumps(facts, indent=2, sort_keys=True) + "\n"
        (out_dir / f"{name}.truth.json").write_text(text, encoding="utf-8")
        if realism is not None:  # what it was printed with, for accuracy per variation
            text = json.dumps(realism.variations(), indent=2, sort_keys=True) + "\n"
            (out_dir / f"{name}.variations.json").write_text(text, encoding="utf-8")
        paths.append(out_dir / f"{name}.pdf")
    return paths


# What a truth file leaves out: it names no file, hash, reading method or evidence.
NOT_COMPARED = ("file", "sha256", "method", "evidence", "warnings")


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every scalar of the extraction JSON with its path; an empty list is one leaf."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def compare(
    result: dict[str, Any], truth: dict[str, Any]
) -> tuple[int, list[tuple[str, Any, Any]]]:
    """An extraction against its truth file: (fields in the truth, [(path, want, got)] wrong)."""
    got = dict(leaves({k: v for k, v in result.items() if k not in NOT_COMPARED}))
    expected = list(leaves(truth))
    wrong = [
        (path, want, got.get(path)) for path, want in expected if got.get(path, "<missing>") != want
    ]
    return len(expected), wrong


def _corpus_profiles() -> dict[str, dict[str, Any]]:
    projects = [
        {"id": f"p-{i}", "name": name, "procore_project_id": procore_id}
        for i, (name, _, procore_id) in enumerate(PROJECTS, start=1)
    ]
    return sample_profiles(projects)


def _sample(
    rng: random.Random,
    style: str,
    profiles: list[dict[str, Any]],
    blank_form: Path,
    today: date,
    realistic: bool = False,
    without: Collection[str] = (),
) -> tuple[bytes, dict[str, Any], Realism | None]:
    profile = rng.choice(profiles)
    project_name, project_address, _ = rng.choice(PROJECTS)
    project = f"{project_name}, {project_address}"
    defects: frozenset[str] = frozenset()
    if style != "endorsement" and rng.random() < 0.33:
        defects = frozenset({rng.choice(sorted(DEFECTS))})
    spec = random_spec(
        rng,
        vendor_name=rng.choice(VENDORS),
        holder_name=GENERAL_CONTRACTOR[0],
        holder_address=GENERAL_CONTRACTOR[1],
        profile=profile,
        today=today,
        defects=defects,
        project=project,
    )
    if style == "endorsement":
        pages = random_endorsements(rng, spec, profile, project=project)
        return render_endorsements(pages), endorsement_truth(pages), None
    realism = random_realism(rng, spec, without) if realistic else None
    # A fillable form is filled in its own fields: no broker's habits to print with.
    printed = realism if style != "fillable" else None
    return render(spec, style, blank_form, rng, realism), truth(spec, printed), printed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coi_desktop.samples.corpus",
        description="Write sample ACORD 25 PDFs with NAME.truth.json ground truth.",
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=300, help="number of PDFs (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--styles",
        default=",".join(STYLES),
        help=f"comma-separated, among {','.join(CORPUS_STYLES)} (default: the three COI styles)",
    )
    parser.add_argument("--blank-form", type=Path, default=None)
    parser.add_argument(
        "--realistic", action="store_true", help="print as real brokers and scanners do"
    )
    args = parser.parse_args(argv)
    styles = [style.strip() for style in args.styles.split(",") if style.strip()]
    try:
        paths = write_corpus(
            args.out_dir,
            args.n,
            args.seed,
            styles,
            blank_form=args.blank_form,
            realistic=args.realistic,
        )
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(paths)} PDFs with truth to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
