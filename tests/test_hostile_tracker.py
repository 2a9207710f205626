"""A hostile or broken tracker on loopback: redirects, bad items, crafted ids, echoed secrets,
bombs, drips and endless pages. Each case asserts a plain sentence, no traceback, bounded
time and memory, and no lost or misdelivered decision.
"""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from coi_desktop.commands.sync import print_report
from coi_desktop.models import OutboxItem, Submission, SyncCursor
from coi_desktop.sync.engine import SyncConfig, SyncEngine
from coi_desktop.sync.limits import MAX_JSON_BYTES
from coi_desktop.sync.tracker import TrackerClient, TrackerError
from coi_desktop.sync.transport import AnswerRefused, RetryLater, SyncProblem
from coi_desktop.workspace import Workspace
from tests.hostile_tracker import (
    ME,
    FakeServer,
    Seen,
    endless,
    gzip_bomb,
    json_body,
    ok,
    page,
    submission,
)
from tests.test_sync_helpers import FAST, decide

TOKEN = "EVILTOKEN-5f2d9c1e7a"


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    server = FakeServer()
    server.routes["GET /api/v1/me"] = ok(ME)
    try:
        yield server
    finally:
        server.close()


def _engine(workspace: Workspace, fake: FakeServer) -> SyncEngine:
    config = SyncConfig(
        tracker_url=fake.url, tracker_token=TOKEN, timeout=(1.0, 2.0), backoff=FAST, prepare_limit=0
    )
    return SyncEngine(workspace.database, workspace.documents, config)


def _printed(report: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    print_report(report, out, err)
    return out.getvalue(), err.getvalue()


def _assert_plain(text: str) -> None:
    for raw in ("Traceback", "unexpectedly", "Error(", "SQL:", "recursion", "HTTPConnection"):
        assert raw not in text, text


def _pull_one(workspace: Workspace, fake: FakeServer, sub_id: str = "s-1") -> None:
    fake.routes["GET /api/v1/submissions"] = ok(page([submission(sub_id)]))
    engine = _engine(workspace, fake)
    try:
        assert engine.run_once().inbound.pulled == 1
    finally:
        engine.close()


def _decision_item(workspace: Workspace) -> OutboxItem:
    with workspace.database.session() as session:
        item = session.query(OutboxItem).filter(OutboxItem.kind == "decision").one()
        session.expunge(item)
        return item


# ---------------------------------------------------------------- 1. redirects


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirected_decision_is_kept_not_delivered_and_never_sent_elsewhere(
    workspace: Workspace, fake: FakeServer, status: int
) -> None:
    elsewhere = FakeServer()
    elsewhere.routes["PUT /api/v1/submissions/s-1/decision"] = ok({"decision": {}}, 201)
    try:
        _pull_one(workspace, fake)
        decide(workspace, "s-1", with_claim=False)
        target = f"{elsewhere.url}/submissions/s-1/decision"
        fake.routes["PUT /api/v1/submissions/s-1/decision"] = lambda _r: (
            status,
            {"Location": target, "Content-Length": "0"},
            b"",
        )
        engine = _engine(workspace, fake)
        try:
            report = engine.run_once()
        finally:
            engine.close()
        assert elsewhere.seen == []
        item = _decision_item(workspace)
        assert item.state == "failed" and item.stage == "tracker"
        assert item.last_error is not None and "redirected" in item.last_error
        assert "another host" in item.last_error
        assert report.delivery.delivered == 0 and report.exit_code != 0
        out, err = _printed(report)
        _assert_plain(err)
        assert "delivered 0" in out
    finally:
        elsewhere.close()


def test_a_redirected_read_is_one_sentence(fake: FakeServer) -> None:
    fake.routes["GET /api/v1/me"] = lambda _r: (
        302,
        {"Location": "http://example.invalid/", "Content-Length": "0"},
        b"",
    )
    client = TrackerClient(fake.url, TOKEN, timeout=(1.0, 2.0))
    with pytest.raises(TrackerError) as refused:
        client.me()
    assert "redirected" in str(refused.value) and "Settings" in str(refused.value)
    assert "TooManyRedirects" not in str(refused.value)


# ---------------------------------------------------------------- 2. bad items


def test_one_bad_submission_is_skipped_the_rest_stored_and_the_cursor_moves(
    workspace: Workspace, fake: FakeServer
) -> None:
    items: list[Any] = [submission(f"s-{n}") for n in range(1, 6)]
    items[1]["version"] = 2**70
    items[2]["version"] = "3"
    items[3] = ["not", "an", "object"]
    fake.routes["GET /api/v1/submissions"] = ok(page(items, cursor="c-9"))
    engine = _engine(workspace, fake)
    try:
        report = engine.run_once()
        out, err = _printed(report)
        assert report.inbound.pulled == 2
        assert "received 2 submissions" in out
        assert err.count("skipped") == 3
        _assert_plain(err)
        with workspace.database.session() as session:
            assert {s.id for s in session.query(Submission)} == {"s-1", "s-5"}
            cursors = [c.value for c in session.query(SyncCursor)]
            assert cursors == ["c-9"]
        # The next pass starts after the bad page instead of failing on it for good.
        fake.routes["GET /api/v1/submissions"] = ok(page([], cursor="c-10"))
        again = engine.run_once()
        assert not again.errors and again.exit_code == 0
        assert "updated_since=c-9" in fake.seen[-1].path
    finally:
        engine.close()


# ---------------------------------------------------------------- 3. ids in URLs


@pytest.mark.parametrize("bad_id", ["../../../../etc/passwd", "d-1?x=1#frag", "d 1", "..", ""])
def test_ids_that_are_not_plain_are_refused_and_never_requested(
    workspace: Workspace, fake: FakeServer, bad_id: str
) -> None:
    doc = {"id": bad_id, "sha256": "a" * 64, "size": 10, "filename": "x.pdf"}
    fake.routes["GET /api/v1/submissions"] = ok(
        page([submission("s-1", documents=[doc]), submission("s-2")])
    )
    engine = _engine(workspace, fake)
    try:
        report = engine.run_once()
    finally:
        engine.close()
    paths = [seen.path for seen in fake.seen]
    assert all(p.startswith("/api/v1/") for p in paths), paths
    assert not any("content" in p for p in paths), paths
    assert report.inbound.pulled == 1
    _, err = _printed(report)
    assert "not a plain name" in err
    _assert_plain(err)


def test_the_client_quotes_and_refuses_ids_itself(fake: FakeServer) -> None:
    client = TrackerClient(fake.url, TOKEN, timeout=(1.0, 2.0))
    for bad in ("../../../../etc/passwd", "d-1?x=1#frag", "a/b"):
        with pytest.raises(TrackerError, match="not a plain name"):
            client.document(bad)
        with pytest.raises(TrackerError, match="not a plain name"):
            client.decide(bad, "k", 1, {})
    assert fake.seen == []


# ---------------------------------------------------------------- 4. secrets echoed back


def test_a_token_echoed_in_an_error_is_never_stored_or_printed(
    workspace: Workspace, fake: FakeServer
) -> None:
    _pull_one(workspace, fake)
    decide(workspace, "s-1", with_claim=False)
    fake.routes["PUT /api/v1/submissions/s-1/decision"] = ok(
        {"error": f"token {TOKEN} lacks scope decisions:write; Bearer {TOKEN}"}, 422
    )
    engine = _engine(workspace, fake)
    try:
        report = engine.run_once()
    finally:
        engine.close()
    item = _decision_item(workspace)
    assert item.state == "failed"
    assert item.last_error is not None and TOKEN not in item.last_error
    assert "lacks scope" in item.last_error
    out, err = _printed(report)
    assert TOKEN not in out + err


def test_a_token_echoed_by_me_is_scrubbed(fake: FakeServer) -> None:
    fake.routes["GET /api/v1/me"] = ok({"message": f"{TOKEN} is not allowed here"}, 403)
    client = TrackerClient(fake.url, TOKEN, timeout=(1.0, 2.0))
    with pytest.raises(TrackerError) as refused:
        client.me()
    assert TOKEN not in str(refused.value) and "not allowed" in str(refused.value)


def test_a_huge_error_message_is_kept_short(workspace: Workspace, fake: FakeServer) -> None:
    _pull_one(workspace, fake)
    decide(workspace, "s-1", with_claim=False)
    fake.routes["PUT /api/v1/submissions/s-1/decision"] = ok({"error": "x" * 2_000_000}, 422)
    engine = _engine(workspace, fake)
    try:
        report = engine.run_once()
    finally:
        engine.close()
    item = _decision_item(workspace)
    assert item.last_error is not None and len(item.last_error) < 1000
    _, err = _printed(report)
    assert len(err) < 3000


# ---------------------------------------------------------------- 7. bounded reads


def test_a_gzip_bomb_is_refused_with_bounded_memory(fake: FakeServer) -> None:
    bomb = gzip_bomb(MAX_JSON_BYTES * 4)  # 64 MB of zeros in ~64 KB
    assert len(bomb) < 200_000
    fake.routes["GET /api/v1/me"] = lambda _r: (
        200,
        {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        bomb,
    )
    client = TrackerClient(fake.url, TOKEN, timeout=(1.0, 5.0))
    tracemalloc.start()
    try:
        with pytest.raises(AnswerRefused, match="larger than"):
            client.me()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_JSON_BYTES


def test_a_large_body_is_refused_unread(fake: FakeServer) -> None:
    sent = []

    def big(_request: Seen) -> tuple[int, dict[str, str], Any]:
        def pieces() -> Iterator[bytes]:
            for _ in range(100):  # 100 MB, chunk by chunk, no Content-Length
                sent.append(1)
                yield b"[" + b"0," * (512 * 1024 - 1) + b"0]"

        return 200, {"Content-Type": "application/json"}, pieces()

    fake.routes["GET /api/v1/me"] = big
    client = TrackerClient(fake.url, TOKEN, timeout=(1.0, 5.0))
    with pytest.raises(AnswerRefused, match="larger than"):
        client.me()
    assert len(sent) < 60  # the client stopped reading near the cap, not at the end


def test_a_document_larger_than_announced_is_refused(fake: FakeServer) -> None:
    fake.routes["GET /api/v1/documents/d-1/content"] = lambda _r: (
        200,
        {"Content-Type": "application/pdf"},
        b"%PDF" + b"0" * 1_000_000,
    )
    client = TrackerClient(fake.url, TOKEN, timeout=(1.0, 5.0))
    with pytest.raises(AnswerRefused, match="COI Desk accepts for it; it was not read"):
        client.document("d-1", size=1000)


def test_a_dripping_server_is_abandoned_at_the_deadline(fake: FakeServer) -> None:
    fake.drip_pause = 0.3
    fake.routes["GET /api/v1/me"] = lambda _r: (
        200,
        {"Content-Type": "application/json"},
        endless(b" "),
    )
    client = TrackerClient(fake.url, TOKEN, timeout=(1.0, 2.0), deadline=1.5)
    started = time.monotonic()
    with pytest.raises(RetryLater, match="still arriving"):
        client.me()
    assert time.monotonic() - started < 5


def test_headers_dripped_byte_by_byte_are_abandoned_at_the_deadline() -> None:
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.is_set():
                    conn.sendall(b"X")  # one byte of a header line, never finished
                    time.sleep(0.2)
            except OSError:
                pass

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    client = TrackerClient(
        f"http://127.0.0.1:{port}/api/v1", TOKEN, timeout=(1.0, 1.0), deadline=1.5
    )
    started = time.monotonic()
    try:
        with pytest.raises(RetryLater, match="still arriving after 2 s"):
            client.me()
        assert time.monotonic() - started < 4
    finally:
        stop.set()
        listener.close()
        client.close()


def test_a_slow_answer_is_waited_for_once(fake: FakeServer) -> None:
    def slow(_request: Seen) -> tuple[int, dict[str, str], bytes]:
        time.sleep(1.5)
        return 200, {"Content-Type": "application/json"}, json_body(ME)

    fake.routes["GET /api/v1/me"] = slow
    client = TrackerClient(fake.url, TOKEN, timeout=(1.0, 0.5))
    with pytest.raises(RetryLater, match="no answer in time"):
        client.me()
    time.sleep(1.2)
    assert len(fake.seen) == 1


def test_has_more_forever_stops_with_a_message(
    workspace: Workspace, fake: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coi_desktop.sync.inbound.MAX_PAGES_PER_PASS", 20)  # 200 in use
    counter = iter(range(10**6))
    fake.routes["GET /api/v1/submissions"] = lambda _r: (
        200,
        {},
        json_body(page([], cursor=f"c-{next(counter)}", has_more=True)),
    )
    engine = _engine(workspace, fake)
    try:
        report = engine.run_once()
    finally:
        engine.close()
    _, err = _printed(report)
    assert "still announced more submissions after 20 pages" in err
    assert len(fake.seen) < 30


def test_has_more_with_the_same_cursor_stops_at_once(
    workspace: Workspace, fake: FakeServer
) -> None:
    fake.routes["GET /api/v1/submissions"] = ok(page([], cursor="same", has_more=True))
    engine = _engine(workspace, fake)
    try:
        report = engine.run_once()
    finally:
        engine.close()
    _, err = _printed(report)
    assert "same page position" in err
    assert len([s for s in fake.seen if "/submissions" in s.path]) <= 2


# ---------------------------------------------------------------- 8. messages


@pytest.mark.parametrize(
    "body", [b"[]", b"", b"null", b"[" * 200_000 + b"]" * 200_000, json_body({"name": "no id"})]
)
def test_a_wrong_me_answer_is_one_sentence(
    workspace: Workspace, fake: FakeServer, body: bytes
) -> None:
    fake.routes["GET /api/v1/me"] = lambda _r: (200, {"Content-Type": "application/json"}, body)
    engine = _engine(workspace, fake)
    try:
        report = engine.run_once()
    finally:
        engine.close()
    _, err = _printed(report)
    _assert_plain(err)
    assert "HTTP 200" not in err
    assert err.count("\n") <= 3 and len(err) < 600
    assert "tracker" in err.lower()


def test_every_sync_problem_reads_as_a_sentence(fake: FakeServer) -> None:
    fake.routes["GET /api/v1/me"] = lambda _r: (
        200,
        {"Content-Type": "application/json"},
        b'{"id": ',
    )
    client = TrackerClient(fake.url, TOKEN, timeout=(1.0, 2.0))
    with pytest.raises(SyncProblem) as problem:
        client.me()
    assert "not readable JSON" in str(problem.value)
