"""Files that are not files: `extract` refuses devices, pipes, folders and giant files up front."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coi_desktop.commands.extract import refusal

REPO = Path(__file__).resolve().parent.parent


def test_devices_pipes_folders_and_missing_files_are_refused_without_opening(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)  # opening it would block forever: refusal() must only stat it
    assert "not a regular file" in (refusal("/dev/zero") or "")
    assert "not a regular file" in (refusal(str(fifo)) or "")
    assert "is a folder" in (refusal(str(tmp_path)) or "")
    assert "no such file" in (refusal(str(tmp_path / "missing.pdf")) or "")
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024)  # sparse: costs no disk
    assert "larger than" in (refusal(str(big), max_bytes=1024 * 1024) or "")
    good = tmp_path / "small.pdf"
    good.write_bytes(b"%PDF-1.4\n%%EOF")
    assert refusal(str(good)) is None


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_extract_on_dev_zero_and_a_pipe_exits_at_once_with_one_sentence_each(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "coi_desktop",
            "extract",
            "/dev/zero",
            str(fifo),
            str(tmp_path / "missing.pdf"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COI_DESKTOP_HOME": str(tmp_path / "home")},
    )
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 3, run.stderr
    assert "Traceback" not in run.stderr and "MemoryError" not in run.stderr
    assert "missing.pdf: there is no such file" in run.stderr
