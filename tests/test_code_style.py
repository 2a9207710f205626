"""The code is formatted and lint-clean: the test run checks it, so a red format fails CI."""

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
