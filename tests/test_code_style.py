"""The code is formatted, lint-clean and type-checked: the test run checks all three."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_the_code_is_formatted_by_ruff() -> None:
    done = _ruff("format", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_code_is_lint_clean() -> None:
    done = _ruff("check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_package_and_the_tests_type_check() -> None:
    """mypy --strict over coi_desktop/ and tests/ with the pyproject settings (tests/ relax one
    flag, said there). Its cache in .mypy_cache keeps a second run to a second or two."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
