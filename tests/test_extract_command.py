"""`coi-desktop extract`: JSON exactly in the documented schema, a readable summary, exit codes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from coi_desktop.review.extract_command import run
from coi_desktop.samples.corpus import write_corpus

TOP = {
    "file": (str,),
    "sha256": (str,),
    "kind": (str,),
    "method": (str, type(None)),
    "pages": (int,),
    "certificate_date": (str, type(None)),
    "producer": (dict,),
    "insured": (dict,),
    "insurers": (list,),
    "policies": (list,),
    "description_of_operations": (str, type(None)),
    "certificate_holder": (dict,),
    "endorsements": (list,),
    "evidence": (dict,),
    "warnings": (list,),
}
POLICY = {
    "coverage": (str,),
    "insurer_letter": (str, type(None)),
    "policy_number": (str, type(None)),
    "effective_date": (str, type(None)),
    "expiration_date": (str, type(None)),
    "additional_insured": (bool, type(None)),
    "waiver_of_subrogation": (bool, type(None)),
    "occurrence": (bool, type(None)),
    "aggregate_applies_per": (str, type(None)),
    "limits": (dict,),
}
LIMITS = {
    "general_liability": {
        "each_occurrence",
        "damage_to_rented_premises",
        "medical_expense",
        "personal_advertising_injury",
        "general_aggregate",
        "products_completed_ops_aggregate",
    },
    "automobile_liability": {
        "combined_single_limit",
        "bodily_injury_per_person",
        "bodily_injury_per_accident",
        "property_damage",
    },
    "umbrella_liability": {"each_occurrence", "aggregate", "retention"},
    "excess_liability": {"each_occurrence", "aggregate", "retention"},
    "workers_compensation": {
        "statutory",
        "el_each_accident",
        "el_disease_each_employee",
        "el_disease_policy_limit",
    },
}
COVERAGES = {
    *LIMITS,
    "professional_liability",
    "pollution_liability",
    "builders_risk",
    "other",
}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _typed(obj: dict[str, Any], schema: dict[str, tuple[type, ...]]) -> None:
    assert set(obj) == set(schema), set(obj) ^ set(schema)
    for key, types in schema.items():
        assert isinstance(obj[key], types), (key, obj[key])


def validate(result: dict[str, Any]) -> None:
    """The extraction JSON of docs/extraction.md, key by key and type by type."""
    _typed(result, TOP)
    assert result["kind"] in ("coi", "endorsement", "unknown")
    assert result["method"] in ("form", "text", "ocr", None)
    assert set(result["producer"]) == {"name", "contact", "phone", "email"}
    assert set(result["insured"]) == {"name", "address"}
    assert set(result["certificate_holder"]) == {"name", "address"}
    for insurer in result["insurers"]:
        assert set(insurer) == {"letter", "name", "naic"}
        assert insurer["letter"] in "ABCDEF"
        assert insurer["naic"] is None or re.fullmatch(r"\d{5}", insurer["naic"])
    for day in [result["certificate_date"]] + [
        p[k] for p in result["policies"] for k in ("effective_date", "expiration_date")
    ]:
        assert day is None or DATE.fullmatch(day)
    for policy in result["policies"]:
        _typed(policy, POLICY)
        assert policy["coverage"] in COVERAGES
        assert policy["aggregate_applies_per"] in ("policy", "project", "location", None)
        assert set(policy["limits"]) == LIMITS.get(policy["coverage"], {"limit"})
        for name, value in policy["limits"].items():
            allowed = (bool, type(None)) if name == "statutory" else (int, type(None))
            assert isinstance(value, allowed) and (name == "statutory" or value is not True)
    for endorsement in result["endorsements"]:
        assert set(endorsement) == {"form_number", "edition", "page", "provides"}
        assert set(endorsement["provides"]) <= {
            "additional_insured",
            "waiver_of_subrogation",
            "primary_noncontributory",
            "completed_operations",
        }
    for key, item in result["evidence"].items():
        assert re.fullmatch(r"[a-z_]+(\[\d+\])?(\.[a-z_]+)*(\[\d+\])?(\.[a-z_]+)*", key), key
        assert set(item) == {"page", "rect", "source", "confidence"}
        assert item["source"] in ("form", "text", "ocr")
        assert 0 <= item["confidence"] <= 1 and len(item["rect"]) == 4
    assert all(isinstance(w, str) for w in result["warnings"])


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("cmd")
    return write_corpus(out, 3, seed=8, styles=("fillable", "flattened", "endorsement"))


def _run(files: list[str], as_json: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(files, as_json, out, err)
    return code, out.getvalue(), err.getvalue()


def test_one_file_prints_one_object(samples: list[Path]) -> None:
    code, out, _ = _run([str(samples[0])], True)
    assert code == 0
    result = json.loads(out)
    assert isinstance(result, dict)
    validate(result)
    assert result["kind"] == "coi" and result["file"] == samples[0].name


def test_several_files_print_an_array(samples: list[Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 garbage")
    code, out, err = _run([*map(str, samples), str(broken)], True)
    assert code == 0
    results = json.loads(out)
    assert [r["kind"] for r in results] == ["coi", "coi", "endorsement", "unknown"]
    for result in results:
        validate(result)
    assert "broken.pdf" in err


def test_exit_status_is_1_when_every_file_fails(tmp_path: Path) -> None:
    bad = tmp_path / "a.pdf"
    bad.write_text("not a pdf")
    code, out, err = _run([str(bad), str(tmp_path / "missing.pdf")], True)
    assert code == 1
    assert [r["kind"] for r in json.loads(out)] == ["unknown", "unknown"]
    assert "not a PDF" in err


def test_human_summary(samples: list[Path]) -> None:
    code, out, _ = _run([str(p) for p in samples], False)
    assert code == 0
    assert "ACORD 25 certificate" in out and "read from form fields" in out
    assert "Insured:" in out and "Certificate holder:" in out
    assert "Endorsement p.1:" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_no_files_is_a_usage_error() -> None:
    code, _, err = _run([], True)
    assert code == 2 and "at least one" in err
