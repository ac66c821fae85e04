"""The store keeps every message in order, across Store objects and processes, and exports it."""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from coach import journal
from coach.settings import get_settings
from coach.store import JournalEntry, Store


def test_a_fresh_data_dir_is_created_with_a_wal_database() -> None:
    data_dir = get_settings().data_dir
    assert not data_dir.exists()
    Store()
    db = data_dir / "coach.db"
    assert db.exists()
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_round_trip_keeps_text_meta_and_order() -> None:
    store = Store()
    conv_id = store.create("coach", "Lexa said no")
    meta = {"step": 1, "step_name": "acknowledge", "source": "template",
            "citations": [{"id": "acknowledge-1", "topic": "acknowledge", "title": "Face it"}]}
    assert store.add_message(conv_id, "user", "Jonas said no to 0.13 — ünïcode ✓") == 1
    assert store.add_message(conv_id, "assistant", "That's a real No.", meta) == 2
    assert store.add_message(conv_id, "user", "I got a no.") == 3
    assert store.get(conv_id).state is None  # type: ignore[union-attr]
    store.add_message(conv_id, "assistant", "Good.", {"step": 2}, state='{"step": 3}')
    assert store.get(conv_id).state == '{"step": 3}'  # type: ignore[union-attr]
    store.save_state(conv_id, '{"step": 2}')

    conv = store.get(conv_id)
    assert conv is not None
    assert [m.role for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    assert conv.messages[0].text == "Jonas said no to 0.13 — ünïcode ✓"
    assert conv.messages[1].meta == meta
    assert conv.state == '{"step": 2}'
    assert conv.mode == "coach" and conv.title == "Lexa said no"
    assert conv.messages[0].created_at.tzinfo is not None


def test_recent_lists_the_last_active_conversation_first() -> None:
    store = Store()
    first = store.create("coach", "first")
    second = store.create("rehearse", "second", state='{"scenario": "landlord"}')
    assert store.get(second).state == '{"scenario": "landlord"}'  # type: ignore[union-attr]
    store.add_message(first, "user", "back to the first one")
    assert [c.id for c in store.recent()] == [first, second]
    assert [c.id for c in store.recent(limit=1)] == [first]


def test_rename_and_delete() -> None:
    store = Store()
    conv_id = store.create("coach", "Untitled")
    store.add_message(conv_id, "user", "hello")
    store.record_journal(JournalEntry(conv_id, "job_offer", date(2026, 11, 1), None, "plan"))
    assert store.rename(conv_id, "Salary talk")
    assert store.get(conv_id).title == "Salary talk"  # type: ignore[union-attr]
    assert store.delete(conv_id)
    assert store.get(conv_id) is None
    assert store.journal() == []
    assert not store.delete(conv_id) and not store.rename(conv_id, "x")


@pytest.mark.parametrize("bad", ["", "nope", "../../etc/passwd", "' OR 1=1 --", "x" * 5000])
def test_unknown_or_malformed_ids_give_none(bad: str) -> None:
    store = Store()
    assert store.get(bad) is None
    assert store.export_json(bad) is None and store.export_markdown(bad) is None


def test_adding_to_an_unknown_conversation_raises_key_error() -> None:
    with pytest.raises(KeyError):
        Store().add_message("doesnotexist", "user", "hi")


def test_two_stores_on_one_file_see_each_others_writes() -> None:
    a, b = Store(), Store()
    conv_id = a.create("coach", "shared")
    seqs = []
    for i in range(10):
        seqs.append((a if i % 2 else b).add_message(conv_id, "user", f"m{i}"))
    assert seqs == list(range(1, 11))
    conv = b.get(conv_id)
    assert conv is not None
    assert [m.text for m in conv.messages] == [f"m{i}" for i in range(10)]


def test_an_explicit_url_is_used(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    conv_id = Store(url).create("coach", "there")
    assert (tmp_path / "elsewhere.db").exists()
    assert Store(url).get(conv_id) is not None
    assert Store().get(conv_id) is None


def test_exports_carry_the_transcript_and_citations() -> None:
    store = Store()
    conv_id = store.create("coach", "Lexa")
    store.add_message(conv_id, "user", "<script>alert(1)</script> they said no")
    store.add_message(conv_id, "assistant", "That's a real No.",
                      {"step": 1, "step_name": "acknowledge",
                       "citations": [{"id": "a", "topic": "acknowledge", "title": "Face it"}]})
    store.save_state(conv_id, '{"step": 2}')

    data = json.loads(store.export_json(conv_id) or "")
    assert data["title"] == "Lexa" and data["state"] == {"step": 2}
    assert [m["text"] for m in data["messages"]][0].startswith("<script>")
    assert data["messages"][1]["meta"]["step"] == 1

    md = store.export_markdown(conv_id) or ""
    assert md.startswith("# Lexa")
    assert "**You:**" in md and "**Coach (step 1, acknowledge):**" in md
    assert "*Guide: Face it*" in md
    assert md.index("they said no") < md.index("That's a real No.")


def test_journal_keeps_one_entry_per_conversation_oldest_first() -> None:
    store = Store()
    a, b = store.create("coach", "a"), store.create("coach", "b")
    nov, dec = date(2026, 11, 20), date(2026, 12, 4)
    store.record_journal(JournalEntry(b, "business_deal", nov, None, "first draft"))
    store.record_journal(JournalEntry(a, "job_offer", date(2026, 10, 2), None, "ask again"))
    store.record_journal(JournalEntry(b, "business_deal", nov, dec, "final"))
    entries = store.journal()
    assert [(e.conversation_id, e.summary) for e in entries] == [(a, "ask again"), (b, "final")]
    assert entries[1].follow_up == date(2026, 12, 4)


def test_text_no_backend_accepts_is_kept_with_a_replacement_mark() -> None:
    store = Store()
    conv_id = store.create("coach", "t\x00")
    for text in ["a\x00b", "lone \ud800 surrogate", "\u202eRTL override", "x" * 200_000]:
        store.add_message(conv_id, "user", text)
    conv = store.get(conv_id)
    assert conv is not None
    assert [m.text for m in conv.messages][:3] == ["a\ufffdb", "lone \ufffd surrogate",
                                                   "\u202eRTL override"]
    assert len(conv.messages[3].text) == 200_000


def _pg(bin_dir: str, *args: str) -> None:
    # initdb refuses to run as root; the Debian package brings a postgres user for this.
    cmd = [os.path.join(bin_dir, args[0]), *args[1:]]
    if os.geteuid() == 0:
        cmd = ["su", "postgres", "-c", " ".join(f"'{a}'" for a in cmd)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway Postgres cluster on 127.0.0.1, when the server binaries are installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("Postgres server binaries not installed (apt-get install postgresql)")
    bin_dir = os.path.dirname(found[-1])
    # Not under tmp_path: pytest makes its parents private to root, and the server runs as
    # the postgres user.
    root = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _pg(bin_dir, "initdb", "-D", f"{root}/db", "-A", "trust", "-U", "coach")
    _pg(bin_dir, "pg_ctl", "-D", f"{root}/db", "-l", f"{root}/log", "-w", "-o",
        f"-k {root} -p {port} -c listen_addresses=127.0.0.1", "start")
    try:
        yield f"postgresql+psycopg://coach@127.0.0.1:{port}/postgres"
    finally:
        _pg(bin_dir, "pg_ctl", "-D", f"{root}/db", "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_postgres_through_the_database_url(postgres_url: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_DATABASE_URL", postgres_url)
    get_settings.cache_clear()
    a, b = Store(), Store()
    assert a.engine.dialect.name == "postgresql"
    conv_id = a.create("rehearse", "on postgres")
    assert [(a if i % 2 else b).add_message(conv_id, "user", f"m{i}\x00") for i in range(4)] \
        == [1, 2, 3, 4]
    a.save_state(conv_id, '{"reveal_level": 2}')
    a.record_journal(JournalEntry(conv_id, "other", date(2026, 11, 2), None, "one"))
    a.record_journal(JournalEntry(conv_id, "other", date(2026, 11, 2), date(2026, 12, 1), "two"))
    conv = b.get(conv_id)
    assert conv is not None and conv.state == '{"reveal_level": 2}'
    assert [m.text for m in conv.messages] == [f"m{i}\ufffd" for i in range(4)]
    assert [e.summary for e in b.journal()] == ["two"]
    assert b.delete(conv_id) and a.get(conv_id) is None


def _entries() -> list[JournalEntry]:
    return [
        JournalEntry("a1b2", "job_offer", date(2026, 10, 2), date(2026, 10, 30), "old"),
        JournalEntry("c3d4", "job_offer", date(2026, 10, 20), None, "no date"),
        JournalEntry("e5f6", "business_deal", date(2026, 11, 20), date(2026, 12, 4),
                     "Offer Lexa 0.12; a review in six months, no more; stop after two Nos. " * 3),
    ]


def test_journal_views_count_per_month_and_list_upcoming_follow_ups() -> None:
    entries = _entries()
    assert journal.per_month(entries) == [
        {"month": "2026-10", "label": "Oct 2026", "context": "a job offer", "count": 2},
        {"month": "2026-11", "label": "Nov 2026", "context": "a business deal", "count": 1},
    ]
    assert [e.conversation_id for e in journal.upcoming(entries, date(2026, 11, 1))] == ["e5f6"]
    assert journal.upcoming(entries, date(2027, 1, 1)) == []


def test_the_ics_reminder_is_a_valid_folded_calendar() -> None:
    ics = journal.follow_up_ics(_entries(), now=datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    lines = ics.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert ics.count("BEGIN:VEVENT") == 2  # the entry without a follow-up date has no reminder
    assert "DTSTART;VALUE=DATE:20261204" in lines and "DTEND;VALUE=DATE:20261205" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = ics.replace("\r\n ", "")
    assert "DESCRIPTION:Offer Lexa 0.12\\; a review in six months\\, no more\\;" in unfolded
    assert "SUMMARY:Follow up on a business deal" in unfolded
