"""The guide's cards: they all load, cover every topic and step, keep the scripted questions,
and a malformed card is refused with an error that names its file."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from coach.errors import KnowledgeError
from coach.knowledge import ADVICE_TOPICS, STEP_TOPICS, TOPICS, Card, load_cards, parse_card

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"

# People rehearse these word for word, so the cards must carry them exactly as the guide has them.
SCRIPTED = {
    "ask-feedback": [
        "Could I ask what specifically didn't work for you?",
        "I'm always looking to improve—could you share some insights on how I could better"
        " align future proposals with your expectations?",
    ],
    "real-reason": [
        "Can you walk me through what's preventing you from moving forward with this offer?",
    ],
    "no-as-leverage": [
        "I understand you're saying no right now, but is there a different arrangement or"
        " condition that might work better for you?",
    ],
}


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return load_cards(KNOWLEDGE)


def test_every_card_file_parses_and_is_named_after_its_id() -> None:
    paths = sorted((KNOWLEDGE / "cards").glob("*.md"))
    assert paths
    for path in paths:
        card = parse_card(path.read_text(encoding="utf-8"), path.name)
        assert card.id == path.stem
        assert card.id.startswith(card.topic + "-")


def test_every_topic_has_several_cards(cards: list[Card]) -> None:
    per_topic = Counter(card.topic for card in cards)
    assert set(per_topic) == set(TOPICS)
    assert min(per_topic.values()) >= 3


def test_step_cards_carry_their_step_and_advice_cards_none(cards: list[Card]) -> None:
    for card in cards:
        if card.topic in STEP_TOPICS:
            assert card.step == STEP_TOPICS.index(card.topic) + 1, card.id
        else:
            assert card.topic in ADVICE_TOPICS
            assert card.step is None, card.id


def test_bodies_are_short_enough_to_quote_and_long_enough_to_help(cards: list[Card]) -> None:
    for card in cards:
        words = len(card.body.split())
        assert 80 <= words <= 200, f"{card.id}: {words} words"
        assert "You might say or think:" in card.body, card.id


def test_scripted_questions_are_quoted_verbatim_in_their_topic(cards: list[Card]) -> None:
    for topic, questions in SCRIPTED.items():
        text = "\n".join(card.body for card in cards if card.topic == topic)
        for question in questions:
            assert question in text, f"{topic} lacks: {question}"


def test_cards_keep_the_guides_voice_out(cards: list[Card]) -> None:
    for card in cards:
        for phrase in ("bro", "everything happens for a reason", "my friend"):
            assert not re.search(rf"\b{phrase}\b", card.body, re.IGNORECASE), card.id


GOOD = "---\nid: detach-test\ntopic: detach\nstep: 2\ntitle: A test card\n---\n" + "Words. " * 20


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("id: detach-test\ntopic: detach\n" + "Words. " * 20, "front matter"),
        (GOOD.replace("topic: detach", "topic: feelings"), "topic"),
        (GOOD.replace("step: 2", "step: 3"), "step"),
        (GOOD.replace("step: 2\n", ""), "step"),
        (GOOD.replace("topic: detach\nstep: 2", "topic: real-reason\nstep: 4"), "step"),
        (GOOD.replace("id: detach-test", "id: Detach Test"), "id"),
    ],
)
def test_malformed_card_is_refused_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    shutil.copytree(KNOWLEDGE / "cards", tmp_path / "cards")
    (tmp_path / "cards" / "broken-card.md").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="broken-card.md") as caught:
        load_cards(tmp_path)
    assert problem in str(caught.value)


def test_duplicate_card_id_is_refused(tmp_path: Path) -> None:
    shutil.copytree(KNOWLEDGE / "cards", tmp_path / "cards")
    original = tmp_path / "cards" / "detach-take-a-break.md"
    (tmp_path / "cards" / "detach-copy.md").write_text(original.read_text(encoding="utf-8"))
    with pytest.raises(KnowledgeError, match="duplicate"):
        load_cards(tmp_path)


def test_a_topic_without_cards_is_refused(tmp_path: Path) -> None:
    shutil.copytree(KNOWLEDGE / "cards", tmp_path / "cards")
    for path in (tmp_path / "cards").glob("prepare-for-no-*.md"):
        path.unlink()
    with pytest.raises(KnowledgeError, match="prepare-for-no"):
        load_cards(tmp_path)
