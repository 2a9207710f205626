"""`coi-desktop extract FILE.pdf [...] [--json]`: print what extraction reads from each file."""

from __future__ import annotations

import json
from typing import Any, TextIO

from coi_desktop.review.extraction import extract_file

JSON = dict[str, Any]


def run(files: list[str], as_json: bool, out: TextIO, err: TextIO) -> int:
    """Extract every file; exit status 0 unless every file failed (1), 2 with no files."""
    if not files:
        err.write("coi-desktop extract: give at least one PDF file\n")
        return 2
    results = []
    for path in files:
        try:
            result = extract_file(path)
        except Exception as exc:  # extract_file never raises; this guards a bug, not input
            result = {"file": path, "kind": "unknown", "warnings": [f"internal error: {exc!r}"]}
        results.append(result)
        if as_json:  # the summary shows warnings itself; with JSON they also go to stderr
            for warning in result.get("warnings", []):
                err.write(f"{path}: {warning}\n")
    if as_json:
        payload: Any = results[0] if len(results) == 1 else results
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        for result in results:
            out.write(summary(result) + "\n")
    failed = sum(1 for r in results if _failed(r))
    return 1 if failed == len(results) else 0


def _failed(result: JSON) -> bool:
    """A file failed when it is neither a certificate nor an endorsement we could read."""
    return result.get("kind") == "unknown"


def _money(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"${value:,}"
    return "—"


def _mark(value: bool | None) -> str:
    return {True: "Y", False: "N", None: "—"}[value]


def summary(result: JSON) -> str:
    """A reviewer-readable account of one file's extraction."""
    lines = [f"{result.get('file') or '(no name)'}: {_kind_text(result)}"]
    if result.get("kind") == "coi":
        insured = result["insured"]
        holder = result["certificate_holder"]
        lines.append(f"  Certificate date: {result.get('certificate_date') or '—'}")
        lines.append(f"  Producer: {result['producer'].get('name') or '—'}")
        lines.append(f"  Insured: {insured.get('name') or '—'}")
        if insured.get("address"):
            lines.append(f"           {insured['address']}")
        for insurer in result["insurers"]:
            lines.append(
                f"  Insurer {insurer['letter']}: {insurer.get('name') or '—'}"
                f" (NAIC {insurer.get('naic') or '—'})"
            )
        for policy in result["policies"]:
            coverage = policy["coverage"].replace("_", " ").capitalize()
            lines.append(
                f"  {coverage} [{policy.get('insurer_letter') or '?'}]"
                f" {policy.get('policy_number') or '—'}"
                f" {policy.get('effective_date') or '?'} to {policy.get('expiration_date') or '?'}"
                f"  ADDL INSD {_mark(policy.get('additional_insured'))}"
                f"  SUBR WVD {_mark(policy.get('waiver_of_subrogation'))}"
            )
            for name, value in policy["limits"].items():
                lines.append(f"      {name.replace('_', ' ')}: {_money(value)}")
        lines.append(f"  Certificate holder: {holder.get('name') or '—'}")
        if result.get("description_of_operations"):
            lines.append(f"  Description: {result['description_of_operations']}")
    for endorsement in result.get("endorsements", []):
        number = endorsement.get("form_number") or "blanket wording"
        edition = f" {endorsement['edition']}" if endorsement.get("edition") else ""
        provides = ", ".join(p.replace("_", " ") for p in endorsement["provides"])
        lines.append(f"  Endorsement p.{endorsement['page']}: {number}{edition} — {provides}")
    review = sorted(k for k, v in result.get("evidence", {}).items() if v["confidence"] < 0.8)
    if review:
        lines.append(f"  Low confidence (check by eye): {', '.join(review)}")
    for warning in result.get("warnings", []):
        lines.append(f"  Warning: {warning}")
    return "\n".join(lines)


def _kind_text(result: JSON) -> str:
    kind = result.get("kind")
    method = {"form": "form fields", "text": "printed text", "ocr": "OCR"}.get(
        result.get("method") or "", "nothing readable"
    )
    pages = result.get("pages") or 0
    if kind == "coi":
        return f"ACORD 25 certificate, {pages} page(s), read from {method}"
    if kind == "endorsement":
        return f"endorsement(s), {pages} page(s), read from {method}"
    return "not recognised as a certificate or endorsement"
