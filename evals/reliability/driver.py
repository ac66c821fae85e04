"""A process that writes one conversation to the store in a loop, to be SIGKILLed mid-write.

`python -m evals.reliability.driver KIND URL` resumes its kind's conversation (or starts one)
and prints a line after every commit, flushed, so the harness knows what was committed:
    commit <conversation> <seq> <role> <sha256 of the text, 16 hex>
    state <conversation> <turns>
KIND "store": the user message, then the reply, then the state, three commits per turn.
KIND "app": the app's own path, coach.conversation.StoredSession: the user message, then
the reply saved with its state in one transaction.
Both answer a user message that a crash left unanswered before going on, as the app does.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

from coach.conversation import StoredSession
from coach.knowledge import load_cards
from coach.llm import FallbackModel
from coach.retrieval import Retriever
from coach.session import Deps, Session, SessionState
from coach.settings import REPO_DIR
from coach.store import Role, Store
from coach.story import RuleStoryExtractor

# A conversation that moves through the steps, then keeps going (after_done replies).
MESSAGES = (
    "My manager said no when I asked for a raise from 60k to 70k.",
    "They said no. I got rejected.",
    "Ok, I slept on it. Calmer now.",
    "I learned that the timing was bad for their budget.",
    "I'd send that, maybe a bit shorter.",
    "I'll ask for 65k plus a review in six months.",
    "In three weeks, and if they say no again I'll stop asking.",
    "Thanks, what should I prepare for next time?",
)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _say(*parts: object) -> None:
    sys.stdout.write(" ".join(map(str, parts)) + "\n")  # one write: the line whole or not at all
    sys.stdout.flush()


class _Said(Store):
    """The store, saying each commit as it lands (the app's path commits inside the service)."""

    def add_message(self, conv_id: str, role: Role, text: str,
                    meta: dict[str, Any] | None = None, state: str | None = None) -> int:
        seq = super().add_message(conv_id, role, text, meta, state)
        _say("commit", conv_id, seq, role, digest(text))
        return seq


def main(kind: str, url: str) -> None:
    store = _Said(url)
    deps = Deps(Retriever(load_cards(REPO_DIR / "knowledge")).search, FallbackModel(None),
                RuleStoryExtractor())
    title = f"crash loop ({kind})"  # the two kinds may share a database: keep them apart
    mine = [c.id for c in store.recent() if c.title == title]
    conv = mine[0] if mine else store.create("coach", title, SessionState().model_dump_json())
    _say("ready", conv)
    while True:
        stored = store.get(conv)
        assert stored is not None and stored.state is not None
        session = Session(SessionState.model_validate_json(stored.state), deps=deps)
        count = len(stored.messages)
        unanswered = count and stored.messages[-1].role == "user"  # the last run died there
        message = (stored.messages[-1].text if unanswered
                   else f"{MESSAGES[count // 2 % len(MESSAGES)]} (#{count // 2})")
        if kind == "app":
            kept = StoredSession(store, conv, session)
            for _ in kept.answer(message) if unanswered else kept.say(message):
                pass
        else:  # three commits: the message, the reply, then the state on its own
            if not unanswered:
                store.add_message(conv, "user", message)
            store.add_message(conv, "assistant", session.handle(message).reply)
            store.save_state(conv, session.state.model_dump_json())
        _say("state", conv, session.state.turns)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
