"""Readers by composition: the embedding reader with the rules' precise guards, and a fallback.

`WithRules` reads with both and merges: intents are the union, except that a back request
is the rules' alone, an embedding's skip counts only on a message that does no step work,
and the rules' negation scope wins ("won't send" is not an urge; "won't resend the same
deck" is not the same offer); step numbers, dates, stop rules, feelings and the spans the
plan keeps come from the rules; step work is the embedding's, or the rules' where they
read numbers and dates (steps 4-6), or the rules' at step 3 when they see a trap.
`FallbackReader` reads with the best reader and, on any failure, the next (the LLM reader,
then the embedding reader). `build_reader` picks the readers the settings and the model
allow, in one place.
"""

from __future__ import annotations

import logging
from pathlib import Path

from coach.reading.embedding import Embedder, EmbeddingReader
from coach.reading.model import INTENTS, Reader, Reading, ReadingContext, TrapSeen
from coach.reading.rules import RuleReader, negates_same_offer

log = logging.getLogger(__name__)
_RULES_PRECISE = (4, 6)  # steps whose work the rules read well (sending, dates, stop rules)


class WithRules:
    """A reader whose reading the rules reader's guards always apply to."""

    def __init__(self, reader: Reader, rules: RuleReader | None = None) -> None:
        self._reader, self._rules = reader, rules or RuleReader()
        self.name = f"{reader.name}+rules"

    def read(self, text: str, ctx: ReadingContext) -> Reading:
        rules = self._rules.read(text, ctx)
        try:
            other = self._reader.read(text, ctx)
        except Exception:  # a failing reader falls back to the rules alone
            return rules
        intents = {*rules.intents, *other.intents}
        if not rules.has("back"):  # a step to go back to is the rules' to read, never guessed
            intents.discard("back")
        if other.answers_step and not rules.has("skip"):  # doing the step's work is no jump
            intents.discard("skip")
        if rules.has("will_not_send"):
            intents.discard("urge_to_reply")
        if rules.has("heated") and not rules.has("calmer"):  # "still fuming" is not calmer
            intents.discard("calmer")
        if negates_same_offer(rules.text):
            intents.discard("same_offer")
        step = ctx.step
        answers = other.answers_step or (step in _RULES_PRECISE and rules.answers_step)
        if step == 3 and rules.traps:  # "this always happens to me" is a trap, not a reframe
            answers = rules.answers_step
        return other.model_copy(update={
            "intents": [i for i in INTENTS if i in intents],
            "back_to": rules.back_to if rules.back_to is not None else other.back_to,
            "advice_topic": rules.advice_topic or other.advice_topic,
            "answers_step": answers,
            "speaks_to": sorted({*rules.speaks_to, *other.speaks_to} - {step}),
            "traps": _merged(other.traps, rules.traps),
            "follow_up": rules.follow_up, "stop_rule": rules.stop_rule,
            "work": rules.work, "own_message": rules.own_message, "feelings": rules.feelings,
            "reader": f"{other.reader}+rules",
        })


def _merged(read: list[TrapSeen], ruled: list[TrapSeen]) -> list[TrapSeen]:
    """The reader's traps in its order, with the words the rules found for each, then the
    rules' others: a trap with words was seen, one without was guessed by resemblance."""
    words = {t.trap: t.words for t in ruled}
    named = [t.model_copy(update={"words": t.words or words.get(t.trap, "")}) for t in read]
    return named + [t for t in ruled if t.trap not in {n.trap for n in named}]


class FallbackReader:
    """The first reader, and the next one whenever it fails (like llm.FallbackModel)."""

    def __init__(self, first: Reader, then: Reader) -> None:
        self._first, self._then = first, then
        self.name = f"{first.name}|{then.name}"

    def read(self, text: str, ctx: ReadingContext) -> Reading:
        try:
            return self._first.read(text, ctx)
        except Exception as exc:  # any failure of the first reader: the next one reads
            log.info("reader %s failed (%s), reading with %s", self._first.name,
                     exc.__class__.__name__, self._then.name)
            return self._then.read(text, ctx)


def build_reader(embedder: Embedder | None, knowledge_dir: Path, cache: Path | None,
                 choice: str = "auto", llm: Reader | None = None) -> tuple[Reader, str | None]:
    """The reader the choice allows, with the rules' guards, and a notice when it fell back.

    "rules": the rules alone. "auto": the embedding reader when the model is there, else
    the rules. "llm": the given LLM reader first, then what "auto" gives.
    """
    if choice == "rules":
        return RuleReader(), None
    offline, notice = _offline(embedder, knowledge_dir, cache)
    if choice == "llm" and llm is not None:
        inner = llm if offline is None else FallbackReader(llm, offline)
        return WithRules(inner), None
    return (RuleReader() if offline is None else WithRules(offline)), notice


def _offline(embedder: Embedder | None, knowledge_dir: Path,
             cache: Path | None) -> tuple[Reader | None, str | None]:
    """The embedding reader, built once per process (the app builds deps per browser session)."""
    if embedder is None:
        return None, "Reading by rules only: no embedding model could be loaded."
    key = (embedder.identity(), knowledge_dir, cache)
    if key not in _BUILT:
        try:
            _BUILT[key] = EmbeddingReader(embedder, knowledge_dir / "reading", cache), None
        except Exception as exc:  # a broken bank must not stop the coach
            return None, f"Reading by rules only: the example banks failed ({exc})."
    return _BUILT[key]


_BUILT: dict[tuple[str, Path, Path | None], tuple[Reader | None, str | None]] = {}
