"""The layered crisis screen: rules, embeddings and risk across turns, each only adding risk.

`Screen.assess(messages)` judges the newest of the person's recent messages. Layers:
the rules (explicit statements, and hopelessness that repeats: crisis; one hopeless phrase
not said of the deal: check-in), the embedding heads on the newest message (crisis or
check-in by threshold, and only when it resembles risk more than our safe lookalikes and
everyday coaching messages; a hopeless phrase adds to its score; a denial or a known
figure of speech gets no check-in from it), soft signals summed over the recent window
(check-in once enough builds up), and, when configured, the endpoint's moderation check
(moderation.py), asked only when the others have not already called a crisis. The
highest tier any layer gives wins; no layer can lower another's. Without a model the
rules read alone. It does not decide what to say (replies.py) or hold safe mode (the
session does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from coach.reading.banks import load_families
from coach.reading.embedding import Embedder
from coach.safety import rules
from coach.safety.classifier import EmbeddingScreen, Scores
from coach.safety.moderation import Moderation

Tier = Literal["crisis", "check_in"]
WINDOW = rules.WINDOW  # the person's recent messages that give context
BUILD_UP = 1.0  # summed soft scores over the window that call for a check-in
SOFT_FLOOR = 0.15  # a message scoring below this adds nothing to the build-up
HOPELESS = 0.5  # what a hopeless phrase the rules know adds to a message's soft score
ALONE = 0.8  # a soft score that calls for a check-in on its own
DENIED = 0.9  # after "I'm not suicidal", only a wish this clear still calls for a check-in
SURE = 0.8  # the embedding alone calls a crisis only this sure; below, it asks (check-in)
SETTLED_WORDS = 6  # an answer to the check-in this long can be about something else
SUPPORT = 0.55  # and only this close to one of the bank's crisis statements: a linear head
# far from every example is guessing ("we share our dog Biscuit" is not a goodbye)


@dataclass(frozen=True)
class Concern:
    """What the screen found: the tier and the kind of risk."""

    tier: Tier
    risk: rules.Risk


class Screen:
    """The crisis screen, with the embedding layer when a model is there."""

    def __init__(self, embedding: EmbeddingScreen | None = None,
                 moderation: Moderation | None = None) -> None:
        self.embedding, self.moderation = embedding, moderation
        self.name = "+".join(["rules", *(["embedding"] if embedding else []),
                              *(["moderation"] if moderation else [])])

    def with_moderation(self, moderation: Moderation) -> Screen:
        """The same screen with the endpoint's moderation check as one more layer."""
        return Screen(self.embedding, moderation)

    def assess(self, messages: Sequence[str]) -> Concern | None:
        """The concern about the newest message, given the ones before it (oldest first)."""
        recent = rules.since_safe(list(messages)[-WINDOW:])
        if not recent:
            return None
        found: list[tuple[Tier, rules.Risk]] = []
        risk = rules.screen(recent)
        if risk:
            found.append(("crisis", risk))
        elif rules.hopeless_alone(recent[-1]):
            found.append(("check_in", "self_harm"))
        if self.embedding is not None:
            found += self._embedded(recent)
        if self.moderation is not None and not any(t == "crisis" for t, _ in found):
            said = self.moderation.tier(recent[-1])  # asked only when it could add something
            if said is not None:
                found.append((said, "self_harm"))
        if not found:
            return None
        tier: Tier = "crisis" if any(t == "crisis" for t, _ in found) else "check_in"
        if rules.recovered(recent[-1]):  # past recovery: at most a gentle check-in
            tier = "check_in"
        kinds = [k for t, k in found if t == tier]
        kind: rules.Risk = "harm_to_others" if "harm_to_others" in kinds else "self_harm"
        return Concern(tier, kind)

    def everyday(self, message: str) -> bool:
        """Whether the embedding reads the message as everyday coaching talk, not as risk.

        Without a model nothing is known to be everyday: the caller stays careful.
        """
        if self.embedding is None or self.assess([message]) is not None:
            return False
        s = self.embedding.scores(message)
        return s.ordinary >= 0.5 and s.ordinary > s.risky

    def settled(self, message: str) -> bool:
        """Whether an answer goes on, and the embedding reads it as calm: everyday talk, or
        below its check-in threshold ("Yes. The insurer refused the 12 sessions"). A bare
        "yeah, sometimes" is never settled, nor anything without a model."""
        if (self.embedding is None or len(message.split()) < SETTLED_WORDS
                or self.assess([message]) is not None):
            return False
        s = self.embedding.scores(message)
        return self.everyday(message) or s.risky < self.embedding.thresholds[1]

    def _embedded(self, recent: list[str]) -> list[tuple[Tier, rules.Risk]]:
        assert self.embedding is not None
        crisis_at, risky_at = self.embedding.thresholds
        scores = [self.embedding.scores(rules.unfigured(m)) for m in recent]
        newest = scores[-1]
        denied = rules.says_safe(recent[-1])  # "I'm not suicidal"
        sure = (newest.crisis >= max(crisis_at, SURE) and newest.crisis > newest.safe
                and newest.support >= SUPPORT)
        if sure and not denied:
            return [("crisis", "self_harm")]
        if rules.figurative(recent[-1]):  # "this deal is killing me"
            return []
        if denied:  # "I'm not going to kill myself... I just wouldn't care if I stopped existing"
            rest = rules.besides_denial(recent[-1])  # what else it says, read on its own
            said = self.embedding.scores(rest) if rest else None
            clear = (said is not None and said.risky >= max(risky_at, DENIED)
                     and said.risky > said.safe)
            return [("check_in", "self_harm")] if clear else []
        soft = [_soft(s) + HOPELESS * rules.hopeless(m)
                for s, m in zip(scores, recent, strict=True)]
        over = newest.risky >= risky_at or newest.crisis >= crisis_at
        if (over and newest.risky > newest.safe) or soft[-1] >= ALONE:
            return [("check_in", "self_harm")]
        if soft[-1] >= SOFT_FLOOR and sum(v for v in soft if v >= SOFT_FLOOR) >= BUILD_UP:
            return [("check_in", "self_harm")]  # built up over the turns
        return []


def _soft(s: Scores) -> float:
    """What a message adds to the build-up: its risk, unless it reads more like safe talk."""
    return s.risky if s.risky > s.safe else 0.0


def build_screen(embedder: Embedder | None, knowledge_dir: Path,
                 cache: Path | None) -> tuple[Screen, str | None]:
    """The screen with every layer the model allows, and a notice when it is rules only."""
    if embedder is None:
        return Screen(), "The crisis screen reads by rules only: no embedding model."
    key = (embedder.identity(), knowledge_dir, cache)
    if key not in _BUILT:  # the app builds deps per browser session: train once per process
        _BUILT[key] = _build(embedder, knowledge_dir, cache)
    return _BUILT[key]


_BUILT: dict[tuple[str, Path, Path | None], tuple[Screen, str | None]] = {}


def _build(embedder: Embedder, knowledge_dir: Path,
           cache: Path | None) -> tuple[Screen, str | None]:
    try:
        ordinary = sorted({e for f in load_families(knowledge_dir / "reading")
                           for e in f.examples})
        banks = sorted(knowledge_dir.glob("safety*.yaml"))  # safety.yaml, safety_bank*.yaml
        layer = EmbeddingScreen(embedder, banks, ordinary, cache)
    except Exception as exc:  # a broken bank must not stop the screen's rules
        return Screen(), f"The crisis screen reads by rules only: its bank failed ({exc})."
    return Screen(layer), None
