"""The reading layer: one normaliser, the rules' guards, and the embedding reader by example."""

from __future__ import annotations

import pytest

from coach.reading.compose import WithRules, build_reader
from coach.reading.model import Reading, ReadingContext
from coach.reading.normalise import MAX_CHARS, normalise
from coach.reading.rules import RuleReader
from coach.settings import REPO_DIR
from coach.steps import CoachState, transition
from tests.model import MODEL_DIR, needs_model


def test_the_normaliser_folds_typographic_quotes_invisibles_and_honorifics() -> None:
    assert normalise("They said no. I’m done\u200b with “Mrs. Okafor”") == \
        "They said no. I'm done with \"Mrs Okafor\""
    assert len(normalise("word " * 5000)) <= MAX_CHARS
    assert normalise(None) == ""


def test_a_typographic_apostrophe_reads_like_a_straight_one() -> None:
    ctx = ReadingContext(step=1)
    curly = RuleReader().read("They’ve said no. I didn’t get it.", ctx)
    straight = RuleReader().read("They've said no. I didn't get it.", ctx)
    assert curly.intents == straight.intents and curly.answers_step


@pytest.mark.parametrize("text", ["We will not resend the same deck.", "not the same ask",
                                  "I won't resend the same offer"])
def test_a_negated_same_offer_is_not_the_same_offer(text: str) -> None:
    assert not RuleReader().read(text, ReadingContext(step=5)).has("same_offer")


def test_the_engine_moves_on_after_two_stays_without_a_reason() -> None:
    state = CoachState(step=3, started=True, completed=[1, 2])
    kinds = []
    for _ in range(3):
        state, decision = transition(state, Reading(text="hmm"))
        kinds.append(decision.kind)
    assert kinds == ["stay", "stay", "move_on"] and state.step == 4


def test_no_reader_can_move_the_step_by_more_than_one() -> None:
    state = CoachState(step=2, started=True, completed=[1])
    reading = Reading(text="Calmer now, and honestly the pitch went well and I'll ask them why",
                      answers_step=True, speaks_to=[3, 4, 5, 6], intents=["go_on"])
    state, decision = transition(state, reading)
    assert state.step == 3 and decision.kind == "advance" and list(state.early) == [3]


def test_without_a_model_the_rules_read_alone_with_a_notice() -> None:
    reader, notice = build_reader(None, REPO_DIR / "knowledge", None)
    assert isinstance(reader, RuleReader) and notice and "rules only" in notice


@pytest.fixture(scope="module")
def embedding_reader(tmp_path_factory: pytest.TempPathFactory) -> WithRules:
    from coach.embedding import MiniLMEmbedding

    reader, notice = build_reader(MiniLMEmbedding(MODEL_DIR), REPO_DIR / "knowledge",
                                  tmp_path_factory.mktemp("cache"))
    assert notice is None and isinstance(reader, WithRules)
    return reader


@needs_model
@pytest.mark.parametrize(("text", "step", "intent"), [
    ("ok whats next", 2, "go_on"),
    ("pretend we already did steps one to five and hand me the plan", 2, "skip"),
    ("they ghosted me, asking is not an option", 4, "cannot_ask"),
])
def test_the_embedding_reader_reads_phrasings_the_rules_miss(
        embedding_reader: WithRules, text: str, step: int, intent: str) -> None:
    reading = embedding_reader.read(text, ReadingContext(step=step))
    assert reading.has(intent) and reading.reader == "embedding+rules"
    assert reading.resembled.get(intent)  # which example it was like, for --json


@needs_model
@pytest.mark.parametrize("text", ["I'm still furious", "Good riddance",
                                  "I have no idea what went well"])
def test_a_non_answer_does_not_complete_the_reframe(embedding_reader: WithRules,
                                                    text: str) -> None:
    assert not embedding_reader.read(text, ReadingContext(step=3)).answers_step


@pytest.mark.parametrize(("message", "step"), [
    ("Hang on, can we go back to the reframing bit?", 3),
    ("wait can we go back to the plan part for a sec?", 5),
    ("Wait, can we go back to the first step? I reread the email", 1),
    ("Sorry, can we go back to the calming down step?", 2),
    ("back to step 3", 3),
])
def test_back_by_name_ordinal_or_bare_number(message: str, step: int) -> None:
    reading = RuleReader().read(message, ReadingContext(step=5, started=True))
    assert reading.has("back") and reading.back_to == step


@pytest.mark.parametrize("message", [
    "OK so: go back with a proper proposal. Extra 300 deposit. Realistic goal is a trial.",
    "I'll go back to them with a new offer next week.",
    "A letter on stability and return to running. Goal: approval within a month.",
])
def test_going_back_to_them_or_a_later_word_is_not_a_step_back(message: str) -> None:
    assert not RuleReader().read(message, ReadingContext(step=4, started=True)).has("back")


@pytest.mark.parametrize("message", [
    "sad, a bit deflated. I don't want to reply anything bitter, I'll reply tomorrow",
    "kinda salty but whatever, nobody's sending any angry emails, I'll reply next week.",
    "annoyed. i wanted to text him something sarcastic. i haven't.",
    "wanted to tell him id take my busness elsewhere. but i wont do it in a strop.",
])
def test_a_reply_held_back_or_put_off_is_not_sent_now(message: str) -> None:
    reading = RuleReader().read(message, ReadingContext(step=2, started=True))
    assert reading.has("will_not_send") and not reading.has("urge_to_reply")
