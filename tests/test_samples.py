"""The sample generator: every style opens, prints exactly its truth, and defects really fail."""

from __future__ import annotations

import ast
import hashlib
import json
import random
import re
import shutil
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from coi_desktop.acord_form import COVERAGE_LIMIT_KEYS, FORM_ROWS, REMARKS_FIELD, SECTION_OF
from coi_desktop.samples import BlankFormMissing, find_blank_form
from coi_desktop.samples import world as world_module
from coi_desktop.samples.backing import random_endorsements
from coi_desktop.samples.certificates import field_values
from coi_desktop.samples.corpus import write_corpus
from coi_desktop.samples.endorsements import (
    BLANKET_WORDING,
    ENDORSEMENT_FORMS,
    EndorsementSpec,
    endorsement_truth,
    render_endorsement,
    render_endorsements,
)
from coi_desktop.samples.fillable import render_fillable
from coi_desktop.samples.flattened import render_flattened
from coi_desktop.samples.form_text import OTHER_ROW_TEXT
from coi_desktop.samples.realistic import Realism, shared_policies, stacked_policies
from coi_desktop.samples.scanned import render_scanned
from coi_desktop.samples.scenarios import DEFECTS, random_spec
from coi_desktop.samples.spec import Address, CertificateSpec, truth
from coi_desktop.samples.world import GENERAL_CONTRACTOR, build_world, sample_profiles

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 21, 15, 30, tzinfo=UTC)
HOLDER_NAME, HOLDER_ADDRESS = GENERAL_CONTRACTOR
VENDOR = "Acme Drywall LLC"


def _profiles() -> dict[str, dict[str, Any]]:
    projects = [{"id": f"p-{i}", "name": f"P{i}", "procore_project_id": i} for i in (1, 2, 3)]
    return sample_profiles(projects)


def _spec(seed: int = 1, defects: frozenset[str] = frozenset(), profile: str = "rp-1") -> Any:
    return random_spec(
        random.Random(seed),
        vendor_name=VENDOR,
        holder_name=HOLDER_NAME,
        holder_address=HOLDER_ADDRESS,
        profile=_profiles()[profile],
        today=TODAY,
        defects=defects,
        project="Riverside Tower, 100 River Rd, Chicago, IL 60601",
    )


# ---------------------------------------------------------------------------------------
# Reading back what was printed


def _money(text: str) -> int:
    """Parse the money formats the renderers use: $1,000,000 / 1,000,000.00 / 1M / 1,000K."""
    clean = text.replace("$", "").replace(",", "").strip()
    if clean.endswith("M"):
        return int(clean[:-1]) * 1_000_000
    if clean.endswith("K"):
        return int(clean[:-1]) * 1_000
    return int(float(clean))


def _day(text: str) -> str:
    month, day, year = (int(part) for part in text.split("/"))
    return date(year + 2000 if year < 100 else year, month, day).isoformat()


def _policies_from_fields(values: dict[str, str], facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Read each coverage row of a fillable certificate back into truth's shape."""
    read = []
    for expected in facts["policies"]:
        row = FORM_ROWS[SECTION_OF[expected["coverage"]]]
        limits: dict[str, Any] = {key: None for key in COVERAGE_LIMIT_KEYS[expected["coverage"]]}
        for key, name in row.limits.items():
            if name in values:
                limits[key] = _money(values[name])
        if "statutory" in limits:
            limits["statutory"] = (
                "WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A"
                in values
            )
        additional = None
        if row.additional_insured is not None:
            additional = values.get(row.additional_insured) == "Y"
        read.append(
            {
                "insurer_letter": values[row.letter],
                "policy_number": values[row.policy_number],
                "effective_date": _day(values[row.effective]),
                "expiration_date": _day(values[row.expiration]),
                "additional_insured": additional,
                "waiver_of_subrogation": values.get(row.waiver) == "Y",
                "limits": limits,
            }
        )
    return read


# ---------------------------------------------------------------------------------------
# Certificates


def test_every_style_opens_as_one_page(blank_form: Path) -> None:
    spec = _spec()
    for data in (
        render_fillable(spec, blank_form),
        render_flattened(spec, blank_form, random.Random(2)),
        render_scanned(spec, blank_form, random.Random(3)),
    ):
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            assert doc.page_count == truth(spec)["pages"] == 1
            assert doc[0].rect == pymupdf.Rect(0, 0, 612, 792)


def test_truth_has_the_documented_shape() -> None:
    facts = truth(_spec())
    assert set(facts) == {
        "kind", "pages", "certificate_date", "producer", "insured", "insurers", "policies",
        "description_of_operations", "certificate_holder", "endorsements",
    }  # fmt: skip
    assert facts["kind"] == "coi" and facts["endorsements"] == []
    assert set(facts["producer"]) == {"name", "contact", "phone", "email"}
    assert all(re.fullmatch(r"\d{5}", insurer["naic"]) for insurer in facts["insurers"])
    for policy in facts["policies"]:
        assert set(policy["limits"]) == set(COVERAGE_LIMIT_KEYS[policy["coverage"]])
        date.fromisoformat(policy["effective_date"])
        assert policy["insurer_letter"] in {i["letter"] for i in facts["insurers"]}
    json.dumps(facts)  # JSON-ready


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_fillable_fields_hold_the_truth(blank_form: Path, seed: int) -> None:
    spec = _spec(seed)
    facts = truth(spec)
    values = field_values(render_fillable(spec, blank_form))
    assert values["NamedInsured_FullName_A"] == facts["insured"]["name"]
    assert values["Producer_FullName_A"] == facts["producer"]["name"]
    assert values["Producer_ContactPerson_EmailAddress_A"] == facts["producer"]["email"]
    assert values["CertificateHolder_FullName_A"] == facts["certificate_holder"]["name"]
    assert values[REMARKS_FIELD] == facts["description_of_operations"]
    assert _day(values["Form_CompletionDate_A"]) == facts["certificate_date"]
    for insurer in facts["insurers"]:
        assert values[f"Insurer_FullName_{insurer['letter']}"] == insurer["name"]
        assert values[f"Insurer_NAICCode_{insurer['letter']}"] == insurer["naic"]
    expected = [
        {key: policy[key] for key in read}
        for policy, read in zip(
            facts["policies"], _policies_from_fields(values, facts), strict=True
        )
    ]
    assert _policies_from_fields(values, facts) == expected


def test_fillable_widgets_have_appearances(blank_form: Path) -> None:
    """Viewers show the values: the page text (from appearance streams) has them too."""
    spec = _spec()
    with pymupdf.open(stream=render_fillable(spec, blank_form), filetype="pdf") as doc:
        page = doc[0]
        assert doc.is_form_pdf
        shown = (
            page.get_pixmap(dpi=40, annots=True).samples
            != page.get_pixmap(dpi=40, annots=False).samples
        )
        assert shown


def _money_printed(amount: int, text: str) -> bool:
    variants = {f"{amount:,}", f"${amount:,}", f"{amount:,}.00"}
    if amount % 1_000_000 == 0:
        variants.add(f"{amount // 1_000_000}M")
    if amount % 1_000 == 0:
        variants.add(f"{amount // 1_000:,}K")
    return any(variant in text for variant in variants)


@pytest.mark.parametrize("seed", range(6))
def test_flattened_prints_every_value_and_has_no_widgets(blank_form: Path, seed: int) -> None:
    spec = _spec(seed)
    facts = truth(spec)
    with pymupdf.open(
        stream=render_flattened(spec, blank_form, random.Random(seed)), filetype="pdf"
    ) as doc:
        page = doc[0]
        assert list(page.widgets()) == []
        assert not doc.is_form_pdf
        text = page.get_text()
    words = " ".join(text.split())
    assert "CERTIFICATE OF LIABILITY INSURANCE" in text  # the form's labels stay
    for value in (
        facts["insured"]["name"],
        facts["producer"]["name"],
        facts["producer"]["phone"],
        facts["certificate_holder"]["name"],
        *(insurer["name"] for insurer in facts["insurers"]),
        *(insurer["naic"] for insurer in facts["insurers"]),
    ):
        assert value in text
    assert facts["description_of_operations"] in words  # wrapped lines join with spaces
    for policy in facts["policies"]:
        assert policy["policy_number"] in text
        for key, amount in policy["limits"].items():
            if isinstance(amount, int) and not isinstance(amount, bool):
                assert _money_printed(amount, text), (policy["coverage"], key, amount)


def test_flattened_values_sit_inside_their_boxes(blank_form: Path) -> None:
    """Each printed value lies within a few points of its widget's box, not on a label."""
    spec = _spec(5)
    with pymupdf.open(stream=blank_form.read_bytes(), filetype="pdf") as blank:
        boxes = {w.field_name: pymupdf.Rect(w.rect) for w in blank[0].widgets()}
    data = render_flattened(spec, blank_form, random.Random(9))
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        hits = doc[0].search_for(spec.insured_name)
        policy = spec.policies[0]
        number_hits = doc[0].search_for(policy.policy_number)
    assert hits and hits[0] in _grown(boxes["NamedInsured_FullName_A"], 4)
    assert number_hits and number_hits[0] in _grown(boxes[FORM_ROWS[policy.row].policy_number], 4)


def _grown(rect: pymupdf.Rect, by: float) -> pymupdf.Rect:
    return pymupdf.Rect(rect.x0 - by, rect.y0 - by, rect.x1 + by, rect.y1 + by)


def test_scanned_is_one_image_without_text(blank_form: Path) -> None:
    data = render_scanned(_spec(), blank_form, random.Random(4))
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        page = doc[0]
        assert page.get_text().strip() == ""
        assert len(page.get_images()) == 1
        assert list(page.widgets()) == []


@pytest.mark.ocr
def test_ocr_reads_the_insured_name_of_a_scan(blank_form: Path) -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (Debian: apt-get install tesseract-ocr)")
    spec = _spec(7)
    data = render_scanned(spec, blank_form, random.Random(7))
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        # OCR only the INSURED box (with room for skew): the whole page takes seconds.
        pix = doc[0].get_pixmap(dpi=300, clip=pymupdf.Rect(15, 170, 320, 262))
    with pymupdf.open("pdf", pix.pdfocr_tobytes()) as ocr:
        text = " ".join(ocr[0].get_text().split())
    assert spec.insured_name in text


def test_address_parses_the_tracker_format() -> None:
    parsed = Address.parse("100 Main St, Suite 4, Chicago IL 60601")
    assert parsed == Address("100 Main St", "Chicago", "IL", "60601", line2="Suite 4")
    assert str(parsed) == "100 Main St, Suite 4, Chicago, IL 60601"
    with pytest.raises(ValueError):
        Address.parse("nowhere")


def test_unprintable_text_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot print"):
        replace(_spec(), insured_name="Acme 株式会社")
    assert isinstance(_spec(), CertificateSpec)


# ---------------------------------------------------------------------------------------
# Defects


def _problems(facts: dict[str, Any], profile: dict[str, Any]) -> set[str]:
    """What a reviewer would flag on a certificate, from its truth alone."""
    found = set()
    policies = {policy["coverage"]: policy for policy in facts["policies"]}
    for line in profile["lines"]:
        policy = policies.get(line["coverage"])
        if policy is None:
            found.add("missing_coverage")
            continue
        for key, required in (line.get("limits") or {}).items():
            if (policy["limits"].get(key) or 0) < required:
                found.add("low_limit")
        if line.get("additional_insured") and not policy["additional_insured"]:
            found.add("missing_addl_insd")
        if line.get("waiver_of_subrogation") and not policy["waiver_of_subrogation"]:
            found.add("missing_subr_wvd")
        if line.get("per_project_aggregate") and policy["aggregate_applies_per"] != "project":
            found.add("aggregate_not_per_project")
        if line.get("statutory") and not policy["limits"].get("statutory"):
            found.add("not_statutory")
    for policy in facts["policies"]:
        left = (date.fromisoformat(policy["expiration_date"]) - TODAY).days
        if left < 0:
            found.add("expired")
        elif left < profile["min_days_remaining"]:
            found.add("expiring_soon")
    if facts["certificate_holder"]["name"] != HOLDER_NAME:
        found.add("wrong_holder")
    if facts["insured"]["name"] != VENDOR:
        found.add("insured_mismatch")
    return found


@pytest.mark.parametrize("profile_id", ["rp-1", "rp-2", "rp-3", "rp-4"])
def test_compliant_certificates_meet_their_profile(profile_id: str) -> None:
    profile = _profiles()[profile_id]
    for seed in range(25):
        facts = truth(_spec(seed, profile=profile_id))
        assert _problems(facts, profile) == set(), seed


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_defect_makes_the_certificate_deficient(defect: str) -> None:
    for profile_id in ("rp-1", "rp-3"):
        profile = _profiles()[profile_id]
        for seed in range(10):
            facts = truth(_spec(seed, frozenset({defect}), profile_id))
            problems = _problems(facts, profile)
            assert defect in problems, (profile_id, seed, problems)


def test_low_limit_is_below_the_required_figure() -> None:
    profile = _profiles()["rp-1"]
    facts = truth(_spec(3, frozenset({"low_limit"})))
    required = {
        (line["coverage"], key): amount
        for line in profile["lines"]
        for key, amount in line["limits"].items()
    }
    assert any(
        (policy["limits"][key] or 0) < amount
        for policy in facts["policies"]
        for (coverage, key), amount in required.items()
        if coverage == policy["coverage"]
    )


def test_unknown_defect_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown defects"):
        _spec(defects=frozenset({"typo"}))


# ---------------------------------------------------------------------------------------
# Endorsements


def _endorsement(form_number: str | None = None, blanket: tuple[str, ...] = ()) -> EndorsementSpec:
    return EndorsementSpec(
        policy_number="CGL 4471092-03",
        insurer_name="Zurich American Insurance Company",
        named_insured=VENDOR,
        effective_date=TODAY,
        additional_insured=HOLDER_NAME,
        project="Riverside Tower, 100 River Rd, Chicago, IL 60601",
        form_number=form_number,
        blanket=blanket,
    )


@pytest.mark.parametrize("form_number", sorted(ENDORSEMENT_FORMS))
def test_endorsement_pages_carry_their_form_number(form_number: str) -> None:
    form = ENDORSEMENT_FORMS[form_number]
    with pymupdf.open(stream=render_endorsement(_endorsement(form_number)), filetype="pdf") as doc:
        assert doc.page_count == 1
        text = doc[0].get_text()
    words = " ".join(text.split())
    assert form.printed_number in text
    assert form.title in words
    assert HOLDER_NAME in text
    assert "CGL 4471092-03" in text


def test_endorsement_table_matches_the_documented_mapping() -> None:
    provides = {number: set(form.provides) for number, form in ENDORSEMENT_FORMS.items()}
    assert provides["CG 20 10"] == provides["CG 20 26"] == {"additional_insured"}
    assert provides["CG 20 37"] == {"additional_insured", "completed_operations"}
    assert provides["CG 24 04"] == provides["CA 04 44"] == {"waiver_of_subrogation"}
    assert provides["WC 00 03 13"] == {"waiver_of_subrogation"}
    assert provides["CG 20 01"] == {"primary_noncontributory"}
    assert provides["CA 20 48"] == {"additional_insured"}
    assert ENDORSEMENT_FORMS["CG 20 10"].printed_number == "CG 20 10 04 13"


def test_blanket_endorsement_has_wording_and_no_form_number() -> None:
    items = ("additional_insured", "primary_noncontributory", "waiver_of_subrogation")
    spec = _endorsement(blanket=items)
    with pymupdf.open(stream=render_endorsement(spec), filetype="pdf") as doc:
        words = " ".join(doc[0].get_text().split()).lower()
    for item in items:
        assert BLANKET_WORDING[item] in words
    assert not any(form.printed_number in words.upper() for form in ENDORSEMENT_FORMS.values())
    facts = endorsement_truth([spec])
    assert facts["endorsements"] == [
        {"form_number": None, "edition": None, "page": 1, "provides": list(spec.provides)}
    ]


def test_endorsement_packet_truth_numbers_pages(blank_form: Path) -> None:
    spec = _spec(2)
    pages = random_endorsements(
        random.Random(1), spec, _profiles()["rp-1"], project="Riverside Tower"
    )
    facts = endorsement_truth(pages)
    with pymupdf.open(stream=render_endorsements(pages), filetype="pdf") as doc:
        assert doc.page_count == facts["pages"] == len(pages) >= 3
        for entry in facts["endorsements"]:
            if entry["form_number"]:
                header = f"{entry['form_number']} "
                assert header in doc[entry["page"] - 1].get_text()
    provided = {item for entry in facts["endorsements"] for item in entry["provides"]}
    assert {"additional_insured", "waiver_of_subrogation"} <= provided


# ---------------------------------------------------------------------------------------
# World and corpus


@pytest.fixture(scope="module")
def world() -> world_module.World:
    form = find_blank_form()
    assert form is not None
    # 100 submissions: enough for the mixes to show, quick enough for a loaded CI machine.
    return build_world(11, NOW, n_submissions=100, blank_form=form)


def test_world_is_deterministic(blank_form: Path) -> None:
    first = build_world(5, NOW, n_submissions=16, blank_form=blank_form)
    second = build_world(5, NOW, n_submissions=16, blank_form=blank_form)
    assert first.submissions == second.submissions
    assert first.documents == second.documents
    assert first.truths == second.truths
    other = build_world(6, NOW, n_submissions=4, blank_form=blank_form)
    assert other.submissions != first.submissions[:4]


def _parse(stamp: str) -> datetime:
    assert stamp.endswith("Z")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_world_is_shaped_as_the_tracker_api(world: world_module.World) -> None:
    roles = [user["role"] for user in world.users]
    assert roles.count("reviewer") >= 5 and 1 <= roles.count("lead") <= 2
    assert roles.count("read_only") == 1
    assert all(set(u) == {"id", "name", "email", "role"} for u in world.users)
    assert len(world.submissions) == 100
    keys = {
        "id", "version", "kind", "status", "received_at", "due_at", "assigned_to", "vendor",
        "project", "commitment", "procore_company_id", "requirement_profile_id", "scope",
        "documents",
    }  # fmt: skip
    user_ids = {user["id"] for user in world.users}
    for submission in world.submissions:
        assert set(submission) == keys
        assert submission["kind"] in ("coi", "endorsement")
        assert submission["status"] in ("new", "in_review")
        received, due = _parse(submission["received_at"]), _parse(submission["due_at"])
        assert due - received == timedelta(hours=24)
        assert NOW - timedelta(hours=30) <= received <= NOW
        assert submission["assigned_to"] is None or submission["assigned_to"] in user_ids
        if submission["status"] == "in_review":
            assert submission["assigned_to"] is not None
        assert set(submission["vendor"]) == {"id", "name", "procore_vendor_id"}
        assert submission["requirement_profile_id"] in world.requirement_profiles
        if submission["scope"] == "project":
            assert set(submission["project"]) == {"id", "name", "procore_project_id"}
            assert set(submission["commitment"]) == {"id", "procore_commitment_id"}
        else:
            assert submission["project"] is None and submission["commitment"] is None
        for document in submission["documents"]:
            data = world.documents[document["id"]]
            assert document["size"] == len(data)
            assert document["content_type"] == "application/pdf"
            assert document["filename"].endswith(".pdf")
            assert document["sha256"] == hashlib.sha256(data).hexdigest()
            assert document["id"] in world.truths
    json.dumps(world.submissions)
    json.dumps(world.requirement_profiles)
    json.dumps(world.truths)


def test_world_mixes_deadlines_styles_and_defects(world: world_module.World) -> None:
    dues = [_parse(s["due_at"]) for s in world.submissions]
    assert any(due < NOW for due in dues), "some are overdue"
    assert any(NOW <= due <= NOW + timedelta(hours=4) for due in dues), "some are due soon"
    statuses = {s["status"] for s in world.submissions}
    assert statuses == {"new", "in_review"}
    assert any(s["status"] == "new" and s["assigned_to"] for s in world.submissions)
    assert {s["kind"] for s in world.submissions} == {"coi", "endorsement"}
    assert {s["scope"] for s in world.submissions} == {"project", "global"}
    certificate_styles = [
        style for style in world.styles.values() if style in ("fillable", "flattened", "scanned")
    ]
    shares = {style: certificate_styles.count(style) / len(certificate_styles) for style in
              ("fillable", "flattened", "scanned")}  # fmt: skip
    assert 0.3 < shares["fillable"] < 0.6
    assert 0.25 < shares["flattened"] < 0.55
    assert 0.05 < shares["scanned"] < 0.3
    deficient = sum(1 for defects in world.defects.values() if defects) / len(world.defects)
    assert 0.2 < deficient < 0.5
    profiles = world.requirement_profiles
    assert sum(1 for p in profiles.values() if "global" in p["name"].lower()) == 1
    assert len(profiles) >= 3


def test_world_truth_kinds_match_documents(world: world_module.World) -> None:
    for document_id, facts in world.truths.items():
        expected = "endorsement" if world.styles[document_id] == "endorsement" else "coi"
        assert facts["kind"] == expected
    with pymupdf.open(stream=world.documents["d-501"], filetype="pdf") as doc:
        assert doc.page_count == world.truths["d-501"]["pages"]


def test_world_needs_the_blank_form(monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_blank_form() is not None  # running from a checkout
    monkeypatch.setattr("coi_desktop.samples.find_blank_form", lambda: None)
    with pytest.raises(BlankFormMissing, match="source checkout"):
        build_world(1, NOW, n_submissions=2)


def test_corpus_writes_pdf_and_truth_pairs(tmp_path: Path, blank_form: Path) -> None:
    styles = ("fillable", "flattened", "scanned", "endorsement")
    paths = write_corpus(tmp_path / "a", n=8, seed=3, styles=styles, blank_form=blank_form)
    again = write_corpus(tmp_path / "b", n=8, seed=3, styles=styles, blank_form=blank_form)
    assert len(paths) == 8
    for path, twin in zip(paths, again, strict=True):
        facts = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
        assert facts["kind"] == ("endorsement" if "endorsement" in path.name else "coi")
        assert path.read_bytes() == twin.read_bytes()
        with pymupdf.open(path) as doc:
            assert doc.page_count == facts["pages"]


# -- printed as real brokers print (realistic.Realism) ------------------------------


def _realistic(blank_form: Path, realism: Realism, seed: int = 3) -> tuple[Any, bytes]:
    spec = _spec(seed)
    return spec, render_flattened(spec, blank_form, random.Random(seed), realism)


def test_top_line_rows_put_every_row_value_beside_the_rows_first_limit(blank_form: Path) -> None:
    spec, data = _realistic(blank_form, Realism(top_line=True))
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        page = doc[0]
        for policy in spec.policies:
            row = FORM_ROWS[policy.row]
            (number,) = page.search_for(policy.policy_number)
            first_limit = min(
                (r for key in row.limits if (r := _widget_rect(blank_form, row.limits[key]))),
                key=lambda r: r.y0,
            )
            assert (
                abs(number.y0 - first_limit.y0) < 6
                if policy.row != "wc"
                else (number.y0 < first_limit.y0)
            )


@cache
def _widgets(blank_form: Path) -> dict[str, pymupdf.Rect]:
    with pymupdf.open(blank_form) as blank:
        return {str(w.field_name): pymupdf.Rect(w.rect) for w in blank[0].widgets()}


def _widget_rect(blank_form: Path, name: str) -> pymupdf.Rect:
    return _widgets(blank_form)[name]


def test_drawn_marks_are_strokes_and_glyph_marks_are_heavy_xs(blank_form: Path) -> None:
    printed = {}
    for style in ("text", "vector", "glyph"):
        _, data = _realistic(blank_form, Realism(marks=style))
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            words = Counter(str(w[4]) for w in doc[0].get_text("words"))
            printed[style] = (words, len(doc[0].get_drawings()))
    marks = printed["text"][0] - printed["vector"][0]  # the words drawing them took away
    assert set(marks) <= {"X", "Y"} and marks.total() >= 3  # coverage, occurrence, aggregate
    assert printed["vector"][1] == printed["text"][1] + marks.total()  # a crossed pair each
    assert printed["glyph"][0]["\u2716"] == marks.total()
    assert printed["glyph"][0] + marks == printed["text"][0] + Counter({"\u2716": marks.total()})


def test_an_overtyped_field_hides_its_old_value_under_a_white_box(blank_form: Path) -> None:
    spec = _spec(3)
    field = FORM_ROWS[spec.policies[0].row].policy_number
    _, data = _realistic(blank_form, Realism(overtyped=field))
    number = spec.policies[0].policy_number
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        page = doc[0]
        words = [w[4] for w in page.get_text("words")]
        old = [w for w in words if w != number and len(w) == len(number) and w[:3] == number[:3]]
        assert number in words and old  # both are in the text layer...
        (hidden,) = page.search_for(old[0])
        white = [
            d
            for d in page.get_drawings()
            if d.get("fill") == (1.0, 1.0, 1.0)
            and d["rect"].contains((hidden.tl + hidden.br) / 2)
            and d["rect"].width >= hidden.width
        ]
        assert white  # ...but the old one lies under a white box


def test_several_policies_on_the_other_row_are_separate_items_each_on_its_own_line(
    blank_form: Path,
) -> None:
    spec = _spec(3)
    shared = shared_policies(random.Random(5), spec)
    own = [policy for policy in spec.policies if policy.row == "other"]
    assert len(own) + len(shared) >= 2
    realism = Realism(shared=shared)
    facts = truth(spec, realism)
    assert facts["policies"][: len(spec.policies)] == truth(spec)["policies"]
    extra = facts["policies"][len(spec.policies) :]
    assert [p["policy_number"] for p in extra] == [p.policy_number for p in shared]
    assert {p["coverage"] for p in extra}.isdisjoint(p.coverage for p in own)
    data = render_flattened(spec, blank_form, random.Random(3), realism)
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        page = doc[0]
        words = page.get_text("words")
        tops = []
        for policy in [*own, *shared]:
            (number,) = page.search_for(policy.policy_number)
            line = [w for w in words if abs((w[1] + w[3]) / 2 - (number.y0 + number.y1) / 2) < 3]
            texts = [str(w[4]) for w in line]
            # its own letter left of the number, its limit on the same line
            assert policy.insurer_letter in [str(w[4]) for w in line if w[2] < number.x0 - 150]
            assert _printed_amount(policy.limits["limit"]) & set(texts)
            tops.append(number.y0)
    assert tops == sorted(tops) and min(b - a for a, b in pairwise(tops)) > 8


def _printed_amount(amount: Any) -> set[str]:
    """Every way a broker's formatter may print `amount` (see flattened._money_formatter)."""
    return {
        f"{amount:,}",
        f"${amount:,}",
        f"{amount:,}.00",
        f"{amount // 1_000_000}M",
        f"{amount // 1_000:,}K",
    }


def test_the_realistic_corpus_shares_the_other_row_in_some_certificates(tmp_path: Path) -> None:
    files = write_corpus(tmp_path, 10, seed=8, styles=("flattened",), realistic=True)
    counts = []
    for pdf in files:
        facts = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text())
        rows = Counter(
            "other" if p["coverage"] in OTHER_ROW_TEXT else p["coverage"] for p in facts["policies"]
        )
        counts.append(rows["other"])
    assert max(counts) >= 2 and min(counts) <= 1  # some rows shared, not every one


WC_ROW = "wc"


def test_a_look_alike_form_has_other_row_heights_and_keeps_each_value_in_its_row(
    blank_form: Path,
) -> None:
    spec = _spec(3)
    stretch = (1.0, 1.1, 0.9, 1.1, 0.95, 1.0, 0.98)  # still fits the page: no shrinking
    _, plain = _realistic(blank_form, Realism())
    _, redrawn = _realistic(blank_form, Realism(look_alike=stretch))
    titles = ("COMMERCIAL", "AUTOMOBILE", "UMBRELLA", "WORKERS", "DESCRIPTION")
    tops = {}
    for name, data in (("plain", plain), ("redrawn", redrawn)):
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            page = doc[0]
            tops[name] = [page.search_for(title)[0].y0 for title in titles]
            numbers = {p.row: page.search_for(p.policy_number)[0].y0 for p in spec.policies}
            order = ["gl", "auto", "umbrella", "wc"]
            for row, (top, bottom) in zip(order, pairwise(tops[name]), strict=True):
                if row in numbers:
                    assert top - 2 < numbers[row] < bottom  # each value still in its row
    gaps = [b - a for a, b in pairwise(tops["redrawn"])]
    blank_gaps = [b - a for a, b in pairwise(tops["plain"])]
    for gap, blank_gap, k in zip(gaps, blank_gaps, stretch[1:5], strict=True):
        # every row its own height (give or take the titles' 2-3 pt inside their rows)
        assert gap == pytest.approx(blank_gap * k, abs=1.0)
    assert truth(spec, Realism(look_alike=stretch)) == truth(spec)  # the same facts


def test_a_stacked_umbrella_row_lists_two_policies_each_on_its_own_line(blank_form: Path) -> None:
    spec = _spec(3)
    (own,) = [p for p in spec.policies if p.row == "umbrella"]
    (layer,) = stacked_policies(random.Random(2), spec)
    assert layer.coverage == "excess_liability" and layer.insurer_letter != own.insurer_letter
    realism = Realism(stacked=(layer,), marks="vector")
    policies = truth(spec, realism)["policies"]
    # separate items, the row's own first, in the form's row order; the rest as without
    coverages = [p["coverage"] for p in policies]
    assert coverages.index("excess_liability") == coverages.index(own.coverage) + 1
    assert [p for p in policies if p["policy_number"] != layer.policy_number] == truth(spec)[
        "policies"
    ]
    (item,) = [p for p in policies if p["policy_number"] == layer.policy_number]
    assert item["insurer_letter"] == layer.insurer_letter
    assert item["limits"] == {
        "each_occurrence": layer.limits["each_occurrence"],
        "aggregate": None,
        "retention": None,
    }
    assert item["occurrence"] is None  # the row's OCCUR box is the first policy's
    data = render_flattened(spec, blank_form, random.Random(3), realism)
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        page = doc[0]
        words = page.get_text("words")
        (first,) = page.search_for(own.policy_number)
        (second,) = page.search_for(layer.policy_number)
        row_top = _widget_rect(blank_form, "ExcessUmbrella_Umbrella_EachOccurrenceAmount_A").y0
        assert abs(first.y0 - row_top) < 6 and second.y0 - first.y0 > 18  # lines 1 and 3
        line = [w for w in words if abs((w[1] + w[3]) / 2 - (second.y0 + second.y1) / 2) < 3]
        texts = [str(w[4]) for w in line]
        assert layer.insurer_letter in [str(w[4]) for w in line if w[2] < 40]
        assert _printed_amount(layer.limits["each_occurrence"]) & set(texts)
        assert {"EACH", "OCCURRENCE"} <= set(texts)
        excess_box = _widget_rect(blank_form, "Policy_PolicyType_ExcessIndicator_A")
        assert any(excess_box.contains(d["rect"]) for d in page.get_drawings())  # marked


def test_no_stacked_policy_without_an_umbrella_row() -> None:
    spec = _spec(3)
    plain = replace(spec, policies=tuple(p for p in spec.policies if p.row != "umbrella"))
    assert stacked_policies(random.Random(2), plain) == ()


def test_the_older_edition_has_its_own_wording_and_right_aligned_amounts(
    blank_form: Path,
) -> None:
    spec, plain = _realistic(blank_form, Realism())
    _, older = _realistic(blank_form, Realism(older_edition=True))
    with pymupdf.open(stream=plain, filetype="pdf") as a, pymupdf.open(stream=older) as b:
        before, after = a[0].get_text(), b[0].get_text()
        assert "AUTOS ONLY" in before and "AUTOS ONLY" not in after
        assert "ALL OWNED" in after and "HIRED AUTOS" in after
        assert "INSURER A :" in before and "INSURER A :" not in after and "INSURER A" in after
        assert "ACORD 25 (2014/01)" in after and "must be endorsed" in after
        box = _widget_rect(blank_form, "GeneralLiability_GeneralAggregate_LimitAmount_A")
        (gl,) = [p for p in spec.policies if p.row == "gl"]
        hits = [
            r
            for text in _printed_amount(gl.limits["general_aggregate"])
            for r in b[0].search_for(text)
            if box.intersects(r)
        ]
        assert hits and all(abs(r.x1 - box.x1) < 3 for r in hits)  # against the right edge
    assert truth(spec, Realism(older_edition=True)) == truth(spec)  # the same facts


def test_the_realistic_corpus_names_each_files_variations(tmp_path: Path) -> None:
    files = write_corpus(tmp_path, 16, seed=8, styles=("flattened", "fillable"), realistic=True)
    seen: dict[str, set[str]] = {}
    for pdf in files:
        sidecar = pdf.with_name(pdf.stem + ".variations.json")
        assert sidecar.is_file() == pdf.stem.endswith("flattened")  # a fillable is not printed
        if sidecar.is_file():
            for kind, value in json.loads(sidecar.read_text()).items():
                seen.setdefault(kind, set()).add(value)
    assert set(seen) == {"layout", "row values", "marks", "overtyped", "other row", "umbrella row"}
    assert "2010/05 edition" in seen["layout"] and seen["umbrella row"] == {"stacked", "one policy"}
    without = write_corpus(
        tmp_path / "without", 8, seed=8, styles=("flattened",), realistic=True,
        without=("stacked", "older_edition"),
    )  # fmt: skip
    for pdf in without:
        tags = json.loads(pdf.with_name(pdf.stem + ".variations.json").read_text())
        assert tags["umbrella row"] == "one policy" and tags["layout"] != "2010/05 edition"
    with pytest.raises(ValueError, match="unknown variations"):
        write_corpus(tmp_path / "bad", 1, seed=8, styles=("flattened",), realistic=True,
                     without=("sideways",))  # fmt: skip
    assert not list((tmp_path / "plain").glob("*")) and not any(
        p.name.endswith(".variations.json")
        for p in write_corpus(tmp_path / "plain", 2, seed=8, styles=("flattened",))
    )


def test_realistic_scans_are_crooked_coarser_or_sideways(blank_form: Path, tmp_path: Path) -> None:
    files = write_corpus(tmp_path, 12, seed=4, styles=("scanned",), realistic=True)
    shapes = set()
    for pdf in files:
        with pymupdf.open(pdf) as doc:
            page = doc[0]
            assert page.get_text().strip() == ""
            shapes.add((page.rotation, page.mediabox.width > page.mediabox.height))
    assert len(shapes) >= 2  # not every scan upright and portrait


def test_the_default_corpus_is_not_changed_by_realism(blank_form: Path, tmp_path: Path) -> None:
    plain = write_corpus(tmp_path / "a", 3, seed=9, styles=("flattened",))
    realistic = write_corpus(tmp_path / "b", 3, seed=9, styles=("flattened",), realistic=True)
    for a, b in zip(plain, realistic, strict=True):
        assert a.with_suffix(".truth.json").name == b.with_suffix(".truth.json").name
        truth_a = json.loads(a.with_name(a.stem + ".truth.json").read_text())
        truth_b = json.loads(b.with_name(b.stem + ".truth.json").read_text())
        # same certificates; a shared other row or a stacked umbrella row only adds policies
        # after their row's own
        own = [p for p in truth_b["policies"] if p in truth_a["policies"]]
        assert own == truth_a["policies"]
        assert truth_a == {**truth_b, "policies": truth_a["policies"]}
        assert a.read_bytes() != b.read_bytes()  # printed differently
    again = write_corpus(tmp_path / "c", 3, seed=9, styles=("flattened",))
    assert [p.read_bytes() for p in plain] == [p.read_bytes() for p in again]


def test_the_generator_shares_only_the_forms_facts_with_the_reader() -> None:
    """Its truth must not be the reader's by construction: samples/ never imports review/,
    and acord_form (what both use) imports neither, nor anything outside the standard library."""
    package = Path(__file__).resolve().parents[1] / "coi_desktop"

    def imported(path: Path) -> set[str]:
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names.add(node.module or "")
        return names

    for module in (package / "samples").glob("*.py"):
        assert not any(name.startswith("coi_desktop.review") for name in imported(module)), module
    assert imported(package / "acord_form.py") <= {"__future__", "dataclasses"}
