"""How much of a server's answer COI Desk reads, and for how long.

A hostile or broken server must not be able to fill memory or hold a sync pass: every
answer is read in pieces under a size cap (raw and decompressed) and one deadline per
request that includes the body. Documents are capped by the size the tracker announced.
"""

from __future__ import annotations

# JSON answers: a page of 200 submissions is well under 1 MB; 16 MB leaves room for any
# honest server and none for a decompression bomb.
MAX_JSON_BYTES = 16 * 1024 * 1024
# Documents: certificates are a few hundred KB; a file the tracker says is larger than this
# is refused before it is downloaded.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# A document whose announced size is off by more than this is not what was announced.
DOCUMENT_SIZE_SLACK = 64 * 1024
# Seconds from sending a request to the last byte of its answer.
REQUEST_DEADLINE = 60.0
# Documents are larger: they get this many times the deadline of a JSON call.
DOCUMENT_DEADLINE_FACTOR = 2.0
# Server text we keep (outbox.last_error) or show: one short line.
MAX_ERROR_TEXT = 300
# Our own sentence around it (what failed, what to do) may add a little.
MAX_PROBLEM_TEXT = 600
# Pages of submissions in one pass; a server that says "more" forever is stopped here.
MAX_PAGES_PER_PASS = 200


def document_cap(announced_size: int | None) -> int:
    """The most bytes to accept for a document the tracker announced at ``announced_size``."""
    if announced_size and announced_size > 0:
        return min(MAX_DOCUMENT_BYTES, announced_size + DOCUMENT_SIZE_SLACK)
    return MAX_DOCUMENT_BYTES


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"
