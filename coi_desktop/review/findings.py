"""What a reader found on a page before it is parsed: raw text with its evidence.

Every reader (form fields, positioned text, OCR) produces the same shape, so one
assembler turns any of them into the extraction JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Rect = tuple[float, float, float, float]
Source = Literal["form", "text", "ocr"]


@dataclass(frozen=True)
class Found:
    """A piece of text read from one box of a page."""

    text: str
    page: int  # 1-based
    rect: Rect
    source: Source
    confidence: float


@dataclass
class RawPolicy:
    """One coverage line as read: ``section`` is gl/auto/umbrella/wc/other.

    Field keys: letter, addl, subr, policy_number, eff, exp, occur, claims_made,
    agg_policy, agg_project, agg_location, umbrella, excess, statutory, description,
    and ``limit.<name>`` for every limit box.
    """

    section: str
    fields: dict[str, Found] = field(default_factory=dict)


@dataclass
class RawCertificate:
    """Everything read from the certificate page(s), keyed by slot (see acord_fields)."""

    slots: dict[str, Found] = field(default_factory=dict)
    policies: list[RawPolicy] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def union_rect(rects: list[Rect]) -> Rect:
    return (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )


def join_found(parts: list[Found], sep: str = " ") -> Found | None:
    """Several boxes read as one value (an address from its lines)."""
    parts = [p for p in parts if p.text.strip()]
    if not parts:
        return None
    return Found(
        text=sep.join(p.text.strip() for p in parts),
        page=parts[0].page,
        rect=union_rect([p.rect for p in parts if p.page == parts[0].page]),
        source=parts[0].source,
        confidence=min(p.confidence for p in parts),
    )
