"""The endorsement pages a broker sends to back a certificate for a requirement profile."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from coi_desktop.acord_form import GL

from .endorsements import (
    ADDITIONAL_INSURED,
    ENDORSEMENT_FORMS,
    PRIMARY_NONCONTRIBUTORY,
    WAIVER_OF_SUBROGATION,
    EndorsementSpec,
)
from .spec import CertificateSpec


def random_endorsements(
    rng: random.Random,
    certificate: CertificateSpec,
    profile: dict[str, Any],
    *,
    project: str,
    defects: frozenset[str] = frozenset(),
) -> list[EndorsementSpec]:
    """Endorsement pages a broker sends for `certificate` to meet `profile`.

    Standard forms are taken from the profile's accepted endorsements where it lists them;
    some brokers send one blanket page instead. `missing_addl_insd` / `missing_subr_wvd`
    leave out the pages that would provide those.
    """
    pages: list[EndorsementSpec] = []
    for line in profile.get("lines", []):
        policy = certificate.policy(line["coverage"])
        if policy is None:
            continue
        wanted = _wanted(line, defects)
        if not wanted:
            continue
        base = EndorsementSpec(
            policy_number=policy.policy_number,
            insurer_name=certificate.insurers[policy.insurer_letter].name,
            named_insured=certificate.insured_name,
            effective_date=policy.effective_date,
            additional_insured=certificate.holder_name,
            project=project,
            blanket=tuple(wanted),
        )
        if line["coverage"] == GL and rng.random() < 0.25:
            pages.append(base)  # one blanket page from the broker instead of ISO forms
            continue
        accepted = line.get("accepted_endorsements") or list(ENDORSEMENT_FORMS)
        for form_number in _forms_for(rng, line["coverage"], wanted, accepted):
            pages.append(replace(base, form_number=form_number, blanket=()))
    return pages


def _wanted(line: dict[str, Any], defects: frozenset[str]) -> list[str]:
    wanted = []
    if line.get("additional_insured") and "missing_addl_insd" not in defects:
        wanted.append(ADDITIONAL_INSURED)
    if line.get("waiver_of_subrogation") and "missing_subr_wvd" not in defects:
        wanted.append(WAIVER_OF_SUBROGATION)
    if line.get("primary_noncontributory") and "missing_addl_insd" not in defects:
        wanted.append(PRIMARY_NONCONTRIBUTORY)
    return wanted


def _forms_for(
    rng: random.Random, coverage: str, wanted: list[str], accepted: Sequence[str]
) -> list[str]:
    """Standard forms for `coverage` covering `wanted`, preferring those the profile accepts."""
    chosen: list[str] = []
    for item in wanted:
        forms = [
            number
            for number, form in ENDORSEMENT_FORMS.items()
            if form.coverage == coverage and item in form.provides
        ]
        preferred = [number for number in forms if number in accepted] or forms
        if not preferred:
            continue
        if item == ADDITIONAL_INSURED and coverage == GL:
            ongoing = [n for n in preferred if n in ("CG 20 10", "CG 20 26")] or preferred
            chosen.append(rng.choice(ongoing))
            if "CG 20 37" in preferred:
                chosen.append("CG 20 37")  # completed operations, usually sent with 20 10
        else:
            chosen.append(rng.choice(preferred))
    return list(dict.fromkeys(chosen))
