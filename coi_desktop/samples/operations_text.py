"""The DESCRIPTION OF OPERATIONS text of a generated certificate, as brokers word it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from coi_desktop.acord_form import AUTO, EXCESS, GL, UMBRELLA, WC

from .spec import Policy

_LINE_NAMES = {GL: "general liability", AUTO: "auto liability", UMBRELLA: "umbrella liability",
               EXCESS: "excess liability", WC: "workers compensation"}  # fmt: skip


def operations_description(
    policies: list[Policy],
    holder_name: str,
    project: str | None,
    lines: dict[str, dict[str, Any]],
    defects: frozenset[str],
) -> str:
    """The DESCRIPTION OF OPERATIONS box: project, who is additional insured, and so on.

    It only claims what the marks above show, so a defect is not contradicted here.
    """
    sentences = [f"Re: {project}." if project else "Re: All operations of the named insured."]
    ai = [_LINE_NAMES[p.coverage] for p in policies if p.additional_insured and p.coverage in
          _LINE_NAMES]  # fmt: skip
    if ai:
        sentences.append(
            f"{holder_name} is included as additional insured with respect to {_and(ai)} "
            "where required by written contract."
        )
    wants_pnc = any(line.get("primary_noncontributory") for line in lines.values())
    if ai and wants_pnc and "missing_addl_insd" not in defects:
        sentences.append("Coverage is primary and non-contributory.")
    waived = [_LINE_NAMES[p.coverage] for p in policies if p.waiver_of_subrogation and
              p.coverage in _LINE_NAMES]  # fmt: skip
    if waived:
        sentences.append(
            f"Waiver of subrogation applies in favor of the certificate holder on {_and(waived)}."
        )
    umbrella = next((p for p in policies if p.coverage in (UMBRELLA, EXCESS)), None)
    if umbrella is not None:
        sentences.append(
            "Umbrella follows form over general liability, auto and employers liability."
        )
    return " ".join(sentences)


def _and(items: Iterable[str]) -> str:
    words = list(dict.fromkeys(items))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
