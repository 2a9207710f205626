"""queue search index: a trigram full-text index over submissions.search_text

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

A substring search with LIKE must read every row it cannot rule out; in a filtered view
(unassigned, open) that means reading rows at random along the view's index. The FTS5
``trigram`` tokenizer indexes every three-character run of ``search_text``, so a phrase
query finds the rows containing any substring of three or more characters from the index
alone (queue.py builds that query).

The index holds no copy of the text (external content): rows are found by the rowid of
``submissions``, and the triggers below keep it in step with every insert, update of
``search_text`` and delete, including bulk inserts that bypass the ORM.

Keep in mind for later migrations: Alembic's SQLite batch mode rebuilds ``submissions``
by copy and rename. That drops these triggers with the old table and may renumber the
rowids the index points at. A migration that batch-alters ``submissions`` must create
the triggers again and rebuild the index (``_rebuild`` below). The same holds for
anything else that may renumber rowids of a table without an INTEGER PRIMARY KEY, such
as VACUUM.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "submissions_search"
TRIGGERS = {
    f"{INDEX}_after_insert": (
        "AFTER INSERT ON submissions BEGIN"
        f" INSERT INTO {INDEX} (rowid, search_text) VALUES (new.rowid, new.search_text);"
        " END"
    ),
    # An external-content index forgets a row only when told the text it indexed.
    f"{INDEX}_after_update": (
        "AFTER UPDATE OF search_text ON submissions BEGIN"
        f" INSERT INTO {INDEX} ({INDEX}, rowid, search_text)"
        " VALUES ('delete', old.rowid, old.search_text);"
        f" INSERT INTO {INDEX} (rowid, search_text) VALUES (new.rowid, new.search_text);"
        " END"
    ),
    f"{INDEX}_after_delete": (
        "AFTER DELETE ON submissions BEGIN"
        f" INSERT INTO {INDEX} ({INDEX}, rowid, search_text)"
        " VALUES ('delete', old.rowid, old.search_text);"
        " END"
    ),
}


def upgrade() -> None:
    # The trigram tokenizer folds case itself (case_sensitive 0), which also covers rows
    # whose search_text 0003 filled with SQLite's lower(), an ASCII-only one.
    op.execute(
        sa.text(
            f"CREATE VIRTUAL TABLE {INDEX} USING fts5("
            " search_text, content='submissions', content_rowid='rowid', tokenize='trigram')"
        )
    )
    for name, body in TRIGGERS.items():
        op.execute(sa.text(f"CREATE TRIGGER {name} {body}"))
    _rebuild()


def _rebuild() -> None:
    """Index every row already stored (reads search_text from submissions)."""
    op.execute(sa.text(f"INSERT INTO {INDEX} ({INDEX}) VALUES ('rebuild')"))


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(sa.text(f"DROP TRIGGER {name}"))
    op.execute(sa.text(f"DROP TABLE {INDEX}"))
