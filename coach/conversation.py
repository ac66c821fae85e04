"""A conversation kept in the store: the one persistence protocol the app, CLI and evals share.

The person's message is committed before any reply is made; the reply and the state after
it are committed together, in one transaction; a message that a crash left unanswered is
answered when the conversation is opened again; reaching the plan records its journal entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from coach import journal
from coach.session import Deps, Session, SessionState, Turn, TurnStream
from coach.steps import DONE
from coach.store import Store

TITLE_CHARS = 60  # a conversation is titled after its first message, or its scenario
OPENING_META = {"reveal_level": 0, "step_name": "rehearsal"}


class StoredSession:
    """A Session whose every turn is stored in `store` under `conv_id`."""

    def __init__(self, store: Store, conv_id: str, session: Session,
                 today: Callable[[], date] = date.today) -> None:
        self.store, self.id, self.session, self._today = store, conv_id, session, today

    @classmethod
    def start(cls, store: Store, session: Session, first_message: str = "") -> StoredSession:
        """A new stored conversation, titled after its scenario or the person's first message
        (not yet sent); a rehearsal's first message is the counterparty's No."""
        rehearsal = session.state.rehearsal
        title = rehearsal.scenario.title if rehearsal else first_message
        title = " ".join(title.split())[:TITLE_CHARS] or "Untitled"
        conv_id = store.create(session.state.mode, title, session.state.model_dump_json())
        if session.opening is not None:
            store.add_message(conv_id, "assistant", session.opening, OPENING_META)
        return cls(store, conv_id, session)

    @classmethod
    def open(cls, store: Store, conv_id: str, deps: Deps | None = None) -> StoredSession | None:
        """The stored conversation with its saved state, or None for an unknown id."""
        conv = store.get(conv_id)
        if conv is None:
            return None
        state = (SessionState.model_validate_json(conv.state) if conv.state
                 else SessionState(mode=conv.mode))
        return cls(store, conv.id, Session(state, deps=deps))

    def pending(self) -> str | None:
        """The person's last message, when a crash left it without a reply."""
        conv = self.store.get(self.id)
        last = conv.messages[-1] if conv and conv.messages else None
        return last.text if last is not None and last.role == "user" else None

    def say(self, text: str) -> TurnStream:
        """Commit the person's message, then stream the reply (committed when it is done)."""
        self.store.add_message(self.id, "user", text)
        return self.answer(text)

    def answer(self, text: str) -> TurnStream:
        """Stream the reply to an already stored message; commit it with the new state."""
        before = self.session.state.coach.step
        inner = self.session.stream(text)

        def finish() -> Turn:
            turn = inner.turn
            assert turn is not None
            meta = turn.model_dump(exclude={"user", "reply"}, exclude_none=True)
            state = self.session.state
            self.store.add_message(self.id, "assistant", turn.reply, meta,
                                   state=state.model_dump_json())
            if state.mode == "coach" and before < DONE <= state.coach.step:
                self.store.record_journal(journal.plan_entry(self.id, state.coach, self._today()))
            return turn

        return TurnStream(iter(inner), finish)
