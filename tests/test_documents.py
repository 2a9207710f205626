"""Content-addressed document store: hashes verified, names never used as paths."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from coi_desktop.documents import DocumentStore, DocumentStoreError


def test_put_stores_under_the_hash_and_reads_back(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    data = b"%PDF-1.7 certificate"
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.path_for(digest) == tmp_path / "docs" / digest[:2] / f"{digest}.pdf"
    assert store.read(digest) == data
    assert store.has(digest)


def test_put_refuses_bytes_that_do_not_match_the_announced_hash(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    with pytest.raises(DocumentStoreError, match="does not match"):
        store.put(b"tampered", expected_sha256=hashlib.sha256(b"original").hexdigest())
    assert not any((tmp_path / "docs").rglob("*.pdf")) if (tmp_path / "docs").exists() else True


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "acme_coi.pdf", "a" * 64 + "/../x", "", "ABCDEF" * 20]
)
def test_names_from_outside_are_never_paths(tmp_path: Path, name: str) -> None:
    store = DocumentStore(tmp_path / "docs")
    with pytest.raises(DocumentStoreError, match="not a SHA-256"):
        store.path_for(name)


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    digest = store.put(b"one")
    store.put(b"one")  # storing twice is a no-op
    files = [p.name for p in (tmp_path / "docs").rglob("*") if p.is_file()]
    assert files == [f"{digest}.pdf"]


def test_damage_on_disk_is_detected_on_read(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "docs")
    digest = store.put(b"good bytes")
    store.path_for(digest).write_bytes(b"bit rot")
    with pytest.raises(DocumentStoreError, match="damaged"):
        store.read(digest)
