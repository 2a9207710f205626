"""The two document-level lines of the pre-check: the certificate holder is the one the
profile names, and the insured is the vendor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coi_desktop.review.checklist import ChecklistLine, JSONValue, Result
from coi_desktop.review.names import (
    NameMatch,
    addresses_match,
    compare_names,
    split_name_address,
)
from coi_desktop.review.precheck_context import (
    NO_EVIDENCE,
    Context,
    Evidence,
    checklist_line,
    doubt_clause,
    evidence_for,
    not_checked,
    text,
    text_lines,
    uncertain,
)


def holder_line(ctx: Context, profile: Mapping[str, Any], holder: Any) -> ChecklistLine:
    requirement, label = "certificate_holder", "Certificate holder"
    wanted = profile.get("certificate_holder")
    if isinstance(wanted, Mapping):  # tolerate {"name", "address"} as well as one string
        wanted = "\n".join(text(wanted.get(k)) for k in ("name", "address"))
    required = ", ".join(text_lines(text(wanted)))

    def line(
        result: Result, found: JSONValue, message: str, ev: Evidence = NO_EVIDENCE
    ) -> ChecklistLine:
        return checklist_line(
            requirement, None, label, result, required or None, found, message, ev
        )

    if not required:
        return line("na", None, "This requirement profile names no certificate holder.")
    if ctx.kind != "coi":
        return line("na", None, not_checked(ctx))
    holder = holder if isinstance(holder, Mapping) else {}
    name, address = text(holder.get("name")), text(holder.get("address"))
    ev = evidence_for(ctx, "certificate_holder.name")
    if not name:
        return line(
            "needs_review",
            None,
            "The certificate holder could not be read — check the certificate.",
            ev,
        )
    # The name box sometimes holds the whole block, address included.
    found_name, address_in_name = split_name_address(name)
    found_address = (
        split_name_address(f"{found_name}\n{address}")[1] if address else (address_in_name)
    )
    found = ", ".join(text_lines(f"{name}\n{address}" if address else name))
    required_name, required_address = split_name_address(required)
    match = compare_names(found_name, required_name)
    doubt = uncertain(ev[1], evidence_for(ctx, "certificate_holder.address")[1])
    if match is NameMatch.DIFFERENT:
        if doubt is not None:
            return line(
                "needs_review",
                found,
                f"The certificate holder reads {found!r}, not {required!r}, {doubt_clause(doubt)}.",
                ev,
            )
        return line(
            "fail",
            found,
            f"The certificate holder must be {required}; the certificate shows {found}.",
            ev,
        )
    if not match.accepted:
        return line(
            "needs_review",
            found,
            f"The certificate holder {found_name!r} {_near_miss(match)} the required "
            f"{required_name!r} — check it is the same company.",
            ev,
        )
    if required_address and not found_address:
        return line(
            "needs_review",
            found,
            f"The certificate holder name matches, but no address is shown; the "
            f"required address is {required_address}.",
            ev,
        )
    if required_address and not addresses_match(found_address, required_address):
        return line(
            "needs_review",
            found,
            f"The certificate holder name matches, but the address {found_address!r} "
            f"differs from the required {required_address!r} — check it.",
            ev,
        )
    if doubt is not None:
        return line(
            "needs_review",
            found,
            f"The certificate holder reads {found!r}, which matches, {doubt_clause(doubt)}.",
            ev,
        )
    return line("pass", found, f"The certificate holder matches {required}.", ev)


def insured_line(ctx: Context, insured: Any, vendor_name: str) -> ChecklistLine:
    requirement, label = "insured_name", "Insured"
    vendor = vendor_name.strip()

    def line(
        result: Result, found: JSONValue, message: str, ev: Evidence = NO_EVIDENCE
    ) -> ChecklistLine:
        return checklist_line(requirement, None, label, result, vendor or None, found, message, ev)

    insured = insured if isinstance(insured, Mapping) else {}
    # An insured box read as one block can carry the address lines too.
    name = text(insured.get("name"))
    name_only, address = split_name_address(name)
    name = name_only if address else name
    ev = evidence_for(ctx, "insured.name")
    if not vendor:
        return line("na", name or None, "No vendor name to compare the insured with.", ev)
    if ctx.kind == "unknown" or (ctx.kind == "endorsement" and not name):
        return line("na", name or None, not_checked(ctx), ev)
    if not name:
        return line(
            "needs_review",
            None,
            "The insured's name could not be read — check the certificate.",
            ev,
        )
    match = compare_names(name, vendor)
    doubt = uncertain(ev[1])
    if match is NameMatch.DIFFERENT:
        if doubt is not None:
            return line(
                "needs_review",
                name,
                f"The insured reads {name!r}, not the vendor {vendor!r}, {doubt_clause(doubt)}.",
                ev,
            )
        return line(
            "fail", name, f"The insured on the certificate is {name}; it must be {vendor}.", ev
        )
    if not match.accepted:
        return line(
            "needs_review",
            name,
            f"The insured {name!r} {_near_miss(match)} the vendor {vendor!r} — check it "
            f"is the same company.",
            ev,
        )
    if doubt is not None:
        return line(
            "needs_review",
            name,
            f"The insured reads {name!r}, which matches the vendor, {doubt_clause(doubt)}.",
            ev,
        )
    return line("pass", name, f"The insured {name} matches the vendor {vendor}.", ev)


def _near_miss(match: NameMatch) -> str:
    return {
        NameMatch.LEGAL_FORM_DIFFERS: "has a different legal form (LLC, Inc, …) from",
        NameMatch.PARTIAL: "only partly matches",
        NameMatch.SIMILAR: "is spelled slightly differently from",
    }.get(match, "differs from")
