"""PDFs kept by content: ``documents/ab/abcdef….pdf`` named by SHA-256, never by a sender's name."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from coi_desktop.atomic import write_atomic

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class DocumentStoreError(Exception):
    """The bytes could not be stored as asked (wrong hash, bad name)."""


class DocumentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where a document lives; only a well-formed hash can name a path."""
        digest = sha256.lower()
        if not _SHA256.match(digest):
            raise DocumentStoreError(f"not a SHA-256 digest: {sha256[:80]!r}")
        return self.root / digest[:2] / f"{digest}.pdf"

    def put(self, data: bytes, expected_sha256: str | None = None) -> str:
        """Store ``data`` and return its digest; refuse it if it is not what was announced."""
        digest = hashlib.sha256(data).hexdigest()
        if expected_sha256 is not None and digest != expected_sha256.lower():
            raise DocumentStoreError(
                f"the document's content does not match its announced hash "
                f"(expected {expected_sha256[:12]}…, got {digest[:12]}…); it was not stored"
            )
        target = self.path_for(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(target, data)
        return digest

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """The stored bytes, verified again: a disk can corrupt what it held."""
        data = self.path_for(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256.lower():
            raise DocumentStoreError(f"stored document {sha256[:12]}… is damaged on disk")
        return data
