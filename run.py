#!/usr/bin/env python3
"""Bootstrap for the README's two commands: `python3 run.py demo` and `python3 run.py test`.

Creates `.venv`, installs COI Desk with its test extra (again only when
pyproject.toml changed), installs the Debian packages Qt and OCR need (for the demo
as for the tests) when run
as root on Debian/Ubuntu (otherwise says which are missing), then runs the
demo or the whole test suite. Safe to run any number of times.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".coi-desktop-installed"

# What Qt (offscreen and on a real X display) needs on Debian.
QT_PACKAGES = [
    "libegl1",
    "libgl1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libfontconfig1",
    "libglib2.0-0",
    "libdbus-1-3",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
    "fonts-dejavu-core",
]
# OCR: the demo's scanned certificates are unreadable without it, and the tests read them.
SYSTEM_PACKAGES = [*QT_PACKAGES, "tesseract-ocr", "tesseract-ocr-eng"]


def say(message: str) -> None:
    print(f"[run.py] {message}", file=sys.stderr, flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> None:
    if not venv_python().exists():
        say("creating .venv")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except Exception as exc:  # ensurepip missing on some Debian installs
            sys.exit(
                f"Could not create a virtual environment ({exc}).\n"
                "On Debian/Ubuntu: apt-get install python3-venv, then run this again."
            )
    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == fingerprint:
        return
    say("installing COI Desk and its test tools into .venv (first run only)")
    pip = [str(venv_python()), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(fingerprint)


def missing_debian_packages(names: list[str]) -> list[str]:
    if shutil.which("dpkg-query") is None:
        return []  # not Debian: nothing we can check or install
    missing = []
    for name in names:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True, check=False
        )
        if "install ok installed" not in done.stdout:
            missing.append(name)
    return missing


def ensure_system_packages(names: list[str]) -> None:
    missing = missing_debian_packages(names)
    if not missing:
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing Debian packages: {' '.join(missing)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)
    else:
        say(
            "these Debian packages are missing; scanned certificates stay unreadable (OCR "
            "tests are skipped) and Qt may not start "
            f"without them:\n    sudo apt-get install -y {' '.join(missing)}"
        )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test"):
        print("usage: python3 run.py demo [ARGS…] | python3 run.py test [PYTEST ARGS…]")
        return 2
    command, rest = argv[0], argv[1:]
    ensure_system_packages(SYSTEM_PACKAGES)  # the demo reads scans too
    ensure_venv()
    if command == "demo":
        script = VENV / "bin" / "coi-desktop"
        return subprocess.call([str(script), "--demo", *rest])
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.call([str(venv_python()), "-m", "pytest", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
