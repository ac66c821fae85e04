"""Conversations, their messages and the journal in SQL: SQLite in the data dir, or any URL.

Every write commits before the call returns, so a crash loses nothing that was on screen.
SQLite runs in WAL mode with synchronous=FULL; `COACH_DATABASE_URL` points elsewhere
(e.g. postgresql+psycopg://user@host/db). The store never sees settings other than the URL,
so no key or LLM setting can reach a row or an export. It does not decide anything about a
conversation: the session's state is an opaque JSON string here.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy import delete as sql_delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from coach.settings import get_settings

Mode = Literal["coach", "rehearse"]
Role = Literal["user", "assistant"]
_ID = re.compile(r"^[A-Za-z0-9_-]{4,32}$")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class _Base(DeclarativeBase):
    pass


class _Conversation(_Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    state: Mapped[str | None] = mapped_column(Text, nullable=True)


class _Message(_Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("conversation_id", "seq"), {"sqlite_autoincrement": True})


class _Journal(_Base):
    __tablename__ = "journal"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    context: Mapped[str] = mapped_column(String(32))
    worked_on: Mapped[date] = mapped_column(Date, index=True)
    follow_up: Mapped[date | None] = mapped_column(Date, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")


@dataclass(frozen=True)
class Message:
    seq: int  # 1, 2, ... in the order the messages were said
    role: Role
    text: str
    meta: dict[str, Any]  # step, citations, source, safety, assessment, reveal_level...
    created_at: datetime


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    mode: Mode
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Conversation(ConversationSummary):
    state: str | None  # the session's serialised state (JSON), None before the first save
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class JournalEntry:
    conversation_id: str
    context: str
    worked_on: date
    follow_up: date | None
    summary: str


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite hands timestamps back naive; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _storable(text: str) -> str:
    """Text every backend accepts: lone surrogates and NUL (Postgres refuses it) become U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit is on disk before it returns
    cursor.execute("PRAGMA busy_timeout=10000")  # other processes may hold the write lock
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """The engine for `url`, else settings.database_url, else <data_dir>/coach.db."""
    settings = get_settings()
    url = url or settings.database_url
    if url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{settings.data_dir / 'coach.db'}"
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    """All reads and writes of conversations; safe to share between threads and processes."""

    def __init__(self, url: str | None = None) -> None:
        self.engine = make_engine(url)
        _Base.metadata.create_all(self.engine)

    def create(self, mode: Mode, title: str, state: str | None = None) -> str:
        """A new empty conversation (with the session's initial state, if given); its id."""
        conv_id = secrets.token_urlsafe(8)
        now = _now()
        with Session(self.engine) as db, db.begin():
            db.add(_Conversation(id=conv_id, title=_storable(title), mode=mode, created_at=now,
                                 updated_at=now, state=_storable(state) if state else None))
        return conv_id

    def add_message(self, conv_id: str, role: Role, text: str,
                    meta: dict[str, Any] | None = None, state: str | None = None) -> int:
        """Append a message and commit it; returns its seq. Raises KeyError for unknown ids.

        `state`, when given, is saved in the same transaction: a reply and the state it
        leads to are kept together or not at all.
        """
        for _attempt in range(5):  # another writer may take the same seq (Postgres): retry
            try:
                with Session(self.engine) as db, db.begin():
                    if db.get(_Conversation, conv_id) is None:
                        raise KeyError(conv_id)
                    last = db.scalar(select(func.max(_Message.seq))
                                     .where(_Message.conversation_id == conv_id))
                    seq = (last or 0) + 1
                    now = _now()
                    db.add(_Message(conversation_id=conv_id, seq=seq, role=role,
                                    text=_storable(text), meta=json.dumps(meta or {}),
                                    created_at=now))
                    changes: dict[str, Any] = {"updated_at": now}
                    if state is not None:
                        changes["state"] = _storable(state)
                    db.execute(update(_Conversation).where(_Conversation.id == conv_id)
                               .values(**changes))
                return seq
            except IntegrityError:
                continue
        raise RuntimeError(f"could not append to conversation {conv_id}")

    def save_state(self, conv_id: str, state_json: str) -> None:
        with Session(self.engine) as db, db.begin():
            db.execute(update(_Conversation).where(_Conversation.id == conv_id)
                       .values(state=_storable(state_json), updated_at=_now()))

    def get(self, conv_id: str) -> Conversation | None:
        """The conversation with its messages in order; None for an unknown or malformed id."""
        if not isinstance(conv_id, str) or not _ID.match(conv_id):
            return None
        with Session(self.engine) as db:
            row = db.get(_Conversation, conv_id)
            if row is None:
                return None
            msgs = db.scalars(select(_Message).where(_Message.conversation_id == conv_id)
                              .order_by(_Message.seq)).all()
            return Conversation(
                id=row.id, title=row.title, mode=row.mode,  # type: ignore[arg-type]
                created_at=_utc(row.created_at), updated_at=_utc(row.updated_at),
                state=row.state,
                messages=tuple(Message(m.seq, m.role, m.text,  # type: ignore[arg-type]
                                       json.loads(m.meta), _utc(m.created_at)) for m in msgs))

    def recent(self, limit: int = 50) -> list[ConversationSummary]:
        """The most recently active conversations first."""
        with Session(self.engine) as db:
            rows = db.scalars(select(_Conversation)
                              .order_by(_Conversation.updated_at.desc()).limit(limit)).all()
            return [ConversationSummary(r.id, r.title, r.mode,  # type: ignore[arg-type]
                                        _utc(r.created_at), _utc(r.updated_at)) for r in rows]

    def rename(self, conv_id: str, title: str) -> bool:
        with Session(self.engine) as db, db.begin():
            result = db.execute(update(_Conversation).where(_Conversation.id == conv_id)
                                .values(title=_storable(title)))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def delete(self, conv_id: str) -> bool:
        """Delete the conversation with its messages and journal entry."""
        with Session(self.engine) as db, db.begin():
            db.execute(sql_delete(_Message).where(_Message.conversation_id == conv_id))
            db.execute(sql_delete(_Journal).where(_Journal.conversation_id == conv_id))
            result = db.execute(sql_delete(_Conversation).where(_Conversation.id == conv_id))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def record_journal(self, entry: JournalEntry) -> None:
        """One entry per conversation: recording again replaces it."""
        with Session(self.engine) as db, db.begin():
            db.merge(_Journal(conversation_id=entry.conversation_id, context=entry.context,
                              worked_on=entry.worked_on, follow_up=entry.follow_up,
                              summary=_storable(entry.summary)))

    def journal(self) -> list[JournalEntry]:
        """Every entry, oldest first."""
        with Session(self.engine) as db:
            rows = db.scalars(select(_Journal).order_by(_Journal.worked_on)).all()
            return [JournalEntry(r.conversation_id, r.context, r.worked_on, r.follow_up,
                                 r.summary) for r in rows]

    def export_json(self, conv_id: str) -> str | None:
        """The whole conversation as JSON (messages with their meta, and the state)."""
        conv = self.get(conv_id)
        if conv is None:
            return None
        return json.dumps({
            "id": conv.id, "title": conv.title, "mode": conv.mode,
            "created_at": conv.created_at.isoformat(), "updated_at": conv.updated_at.isoformat(),
            "state": json.loads(conv.state) if conv.state else None,
            "messages": [{"seq": m.seq, "role": m.role, "text": m.text, "meta": m.meta,
                          "created_at": m.created_at.isoformat()} for m in conv.messages],
        }, indent=2, ensure_ascii=False)

    def export_markdown(self, conv_id: str) -> str | None:
        """A readable transcript: who said what, with the step and the guide cards cited."""
        conv = self.get(conv_id)
        if conv is None:
            return None
        lines = [f"# {conv.title}", "",
                 f"{'Coaching' if conv.mode == 'coach' else 'Rehearsal'}, "
                 f"started {conv.created_at:%Y-%m-%d %H:%M} UTC", ""]
        for m in conv.messages:
            if m.meta.get("debrief"):  # the rehearsal's verdict, not a line the counterparty said
                lines += ["## Debrief", "", m.text, ""]
                continue
            speaker = "You" if m.role == "user" else _speaker(conv.mode, m.meta)
            lines += [f"**{speaker}:**", "", m.text, ""]
            cited = [c.get("title", "") for c in m.meta.get("citations") or []]
            if cited:
                lines += [f"*Guide: {'; '.join(cited)}*", ""]
        return "\n".join(lines)


def _speaker(mode: str, meta: dict[str, Any]) -> str:
    if mode == "rehearse":
        return "Counterparty"
    step, name = meta.get("step"), meta.get("step_name")
    return f"Coach (step {step}, {name})" if step and name else "Coach"
