"""One conversation: stream(message) -> chunks then a Turn; ties the rooms together.

Order per turn: input limits, safety screen, the mode's engine (coach steps or
rehearsal), retrieval, then the reply model (LLM through the gate, or templates). The
session holds state only; storing it is the caller's job (store.py, via app.py or cli.py).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, Field

from coach import inputs, limits, rehearsal, replies
from coach.draft import Draft
from coach.reading.compose import build_reader
from coach.reading.model import Reader, ReadingContext
from coach.reading.rules import RuleReader
from coach.rehearsal import RehearsalState
from coach.retrieval import Passage
from coach.safety import moderation
from coach.safety import replies as crisis_replies
from coach.safety import rules as crisis_rules
from coach.safety.screen import WINDOW as SAFETY_WINDOW
from coach.safety.screen import Concern, Screen, Tier, build_screen
from coach.scenarios import Scenario, scenario_from_story
from coach.settings import Settings, get_settings
from coach.steps import STEPS, CoachState, Decision, current, transition
from coach.story import RuleStoryExtractor, StoryExtractor, details


class Citation(BaseModel):
    """A guide card a reply draws on."""

    id: str
    topic: str
    title: str


class Turn(BaseModel):
    """One answered message, as the CLI prints it and the store keeps it."""

    user: str
    reply: str
    step: int | None = Field(description="The step (1-6) this reply works on; None in rehearsal.")
    step_name: str | None = None
    kind: str | None = Field(
        default=None, description="The engine's decision (advance, stay, trap, back, advice, "
        "summary, ...), or crisis / check_in / safe_mode / resumed / checked_in / empty; None "
        "in rehearsal.")
    reader: str | None = Field(default=None, description="Who read the message (coaching).")
    citations: list[Citation] = Field(default_factory=list)
    source: Literal["template", "llm"] = "template"
    safety: Tier | None = Field(
        default=None,
        description="crisis: coaching stopped; check_in: asked directly about safety.")
    notice: str | None = None
    assessment: dict[str, Any] | None = None
    reveal_level: int | None = None
    debrief: dict[str, Any] | None = None


class SessionState(BaseModel):
    """Everything needed to resume a conversation; JSON in the store."""

    mode: Literal["coach", "rehearse"] = "coach"
    seed: int = 0
    turns: int = 0
    coach: CoachState = Field(default_factory=CoachState)
    rehearsal: RehearsalState | None = None
    recent: list[str] = Field(default_factory=list, description="Recent messages, for safety.")
    crisis: crisis_rules.Risk | None = None
    checking_in: bool = Field(default=False, description="The last reply asked the check-in.")
    rechecking: bool = Field(default=False, description="It asked the check-in a second time.")
    held: str = Field(default="", description="The message a check-in interrupted: coached "
                      "once the person says it was the deal, and its facts kept in any case.")
    last_reply: str | None = None
    said: list[str] = Field(
        default_factory=list, description="Digests of the latest replies given, so "
        "none is given twice.")
    usage: limits.Usage = Field(default_factory=limits.Usage)


Search = Callable[[str, int, Sequence[str] | None], list[Passage]]


@dataclass
class Deps:
    """The slow or swappable parts a session uses; built once per process."""

    search: Search
    model: Any  # coach.llm.FallbackModel: stream(draft) -> ReplyStream
    extractor: StoryExtractor
    reader: Reader = field(default_factory=RuleReader)
    screen: Screen = field(default_factory=Screen)
    clock: Callable[[], float] = field(default=time.time)


def build_deps(settings: Settings, search: Search | None = None) -> Deps:
    """Deps for these settings: their reply model and story extractor, and the given search."""
    from coach import llm, retrieval

    model = llm.build_reply_model(settings)
    extractor = llm.build_story_extractor(RuleStoryExtractor(), model)
    llm_reader = None
    if settings.reader == "llm" and isinstance(model.primary, llm.OpenAIChatModel):
        from coach.reading.llm import LLMReader

        llm_reader = LLMReader(model.primary, model.breaker)
    reader, screen = _readers(settings, llm_reader)
    if settings.llm_configured and moderation.wanted(settings):  # never offline
        screen = screen.with_moderation(moderation.Moderation(settings))
    return Deps(search or retrieval.get_retriever().search, model, extractor, reader, screen)


def _readers(settings: Settings, llm_reader: Reader | None = None) -> tuple[Reader, Screen]:
    """The reader and crisis screen the settings and the model allow (notices to stderr)."""
    from coach import retrieval

    embedder = retrieval.get_retriever().embedder
    cache = settings.heads_cache
    reader, notice = build_reader(embedder, settings.knowledge_dir, cache, settings.reader,
                                  llm_reader)
    screen, screen_notice = build_screen(embedder, settings.knowledge_dir, cache)
    for text in (notice if settings.reader != "rules" else None, screen_notice):
        if text:
            print(f"coach: {text}", file=sys.stderr)
    return reader, screen


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    """Deps from the process's settings, built once."""
    return build_deps(get_settings())


def offline_deps() -> Deps:
    """Deps that never call an LLM, whatever is configured (`--offline`, evals, tests)."""
    from coach import llm, retrieval

    return Deps(retrieval.get_retriever().search, llm.FallbackModel(None), RuleStoryExtractor(),
                *_readers(get_settings()))


_Reply = tuple[Iterator[str], Callable[[], tuple[str, Literal["template", "llm"], str | None]]]


class TurnStream:
    """Chunks of the reply as they come; `.turn` once exhausted."""

    def __init__(self, chunks: Iterator[str], finish: Callable[[], Turn]) -> None:
        self._chunks, self._finish = chunks, finish
        self.turn: Turn | None = None

    def __iter__(self) -> Iterator[str]:
        yield from self._chunks
        self.turn = self._finish()


class Session:
    """A coaching (or rehearsal) conversation with one person."""

    def __init__(self, state: SessionState | None = None, *, seed: int = 0,
                 deps: Deps | None = None) -> None:
        self.state = state or SessionState(seed=seed)
        self._deps = deps

    @classmethod
    def rehearse(cls, scenario: Scenario, *, seed: int = 0, deps: Deps | None = None) -> Session:
        """A rehearsal against this scenario's counterparty."""
        state = SessionState(mode="rehearse", seed=seed,
                             rehearsal=RehearsalState(scenario=scenario, seed=seed))
        return cls(state, deps=deps)

    def rehearse_this(self) -> Session:
        """A rehearsal seeded with this coaching conversation's story ("Rehearse this")."""
        return Session.rehearse(scenario_from_story(self.state.coach.story),
                                seed=self.state.seed, deps=self._deps)

    @property
    def opening(self) -> str | None:
        """The counterparty's opening No in a rehearsal (shown before the first move)."""
        return self.state.rehearsal.scenario.opening_no if self.state.rehearsal else None

    @property
    def deps(self) -> Deps:
        if self._deps is None:
            self._deps = default_deps()
        return self._deps

    def handle(self, message: str) -> Turn:
        """Answer one message without streaming."""
        stream = self.stream(message)
        for _ in stream:
            pass
        assert stream.turn is not None
        return stream.turn

    def stream(self, message: str) -> TurnStream:
        """Answer one message, streaming the reply."""
        cleaned = inputs.clean(message)
        if cleaned.empty:
            return self._fixed(message, "I'm listening. Tell me about the No you'd like to "
                               "work through, in a sentence or two.", "empty", keep_state=True)
        state = self.state
        recent = [*state.recent, cleaned.text][-SAFETY_WINDOW:]
        state = state.model_copy(update={"recent": recent, "turns": state.turns + 1})
        seed = state.seed + state.turns
        concern = self.deps.screen.assess(recent)
        if state.crisis or state.checking_in or concern:
            fixed = self._safety_turn(state, cleaned.text, concern, seed)
            if fixed is not None:
                return fixed
            state = self.state
        if state.rehearsal is not None:
            return self._rehearsal_turn(state, state.rehearsal, cleaned)
        return self._coach_turn(state, cleaned, seed)

    def _safety_turn(self, state: SessionState, text: str, concern: Concern | None,
                     seed: int) -> TurnStream | None:
        """The screen's reply, or None (state updated) when coaching goes on with this message.

        Safe mode (after a crisis) lasts until the person says they are safe. After a
        check-in, a yes or "I don't know" is a crisis, "no, the deal" resumes coaching, and
        another ambiguous line is treated as a crisis; a yes that goes on about the deal in
        everyday words is asked once more, plainly; anything else is coached as usual.
        """
        if state.crisis:
            if (concern is None or concern.tier == "check_in") and crisis_rules.says_safe(text):
                self.state = state.model_copy(update={"crisis": None, "recent": []})
                return self._fixed(text, crisis_replies.resumed_reply(), "resumed", cite=True)
            if concern is not None and concern.tier == "crisis":
                return self._crisis(state, text, concern.risk, seed)
            self.state = state
            return self._fixed(text, crisis_replies.safe_mode_reply(seed), "safe_mode",
                               safety="crisis")
        if state.checking_in:  # the answer is judged alone: the question's cause is known
            again = state.rechecking
            state = state.model_copy(update={"checking_in": False, "rechecking": False})
            concern = self.deps.screen.assess([text])
            if concern is None and crisis_rules.not_about_life(text):
                self.state = state.model_copy(update={"recent": []})
                if state.held:  # what the check-in interrupted gets its answer now
                    return self._resume_held(text, seed)
                return self._fixed(text, crisis_replies.checked_in_reply(), "checked_in",
                                   cite=True)
            if (concern is None and not again and crisis_rules.affirms(text)
                    and self.deps.screen.settled(text)):
                # "yes, he said no": a yes that goes on about the deal is asked again, plainly
                self.state = state.model_copy(update={"checking_in": True, "rechecking": True})
                return self._fixed(text, crisis_replies.clarify_reply(), "check_in",
                                   safety="check_in")
            if concern is not None or crisis_rules.affirms(text):
                return self._crisis(state, text, concern.risk if concern else "self_harm", seed)
            self.state = state
            return None
        assert concern is not None
        if concern.tier == "crisis":
            return self._crisis(state, text, concern.risk, seed)
        self.state = state.model_copy(update={"checking_in": True, "held": text})
        return self._fixed(text, crisis_replies.check_in_reply(seed), "check_in",
                           safety="check_in")

    def _resume_held(self, answer: str, seed: int) -> TurnStream:
        """After "no, it's the deal": thanks, then the coach's answer to what was held."""
        state = self.state
        held = inputs.clean(state.held)
        self.state = state.model_copy(update={"held": ""})
        inner = self._coach_turn(self.state, held, seed)
        thanks = crisis_replies.checked_in_preface()

        def chunks() -> Iterator[str]:
            yield thanks + " "
            yield from inner

        def finish() -> Turn:
            assert inner.turn is not None
            return inner.turn.model_copy(update={"user": answer,
                                                 "reply": f"{thanks} {inner.turn.reply}"})

        return TurnStream(chunks(), finish)

    def _crisis(self, state: SessionState, text: str, risk: crisis_rules.Risk,
                seed: int) -> TurnStream:
        self.state = state.model_copy(update={"crisis": risk})
        return self._fixed(text, crisis_replies.crisis_reply(risk, seed), "crisis",
                           safety="crisis")

    def _rehearsal_turn(self, state: SessionState, current: RehearsalState,
                        cleaned: inputs.Cleaned) -> TurnStream:
        new, move = rehearsal.step(current, cleaned.text)
        state = state.model_copy(update={"rehearsal": new})
        if move.assessment is None:  # "end" or an ended rehearsal: the engine's own words
            self.state = state
            text = move.reply
            chunks: Iterator[str] = iter([text])

            def reply() -> tuple[str, Literal["template", "llm"], str | None]:
                return text, "template", None
        else:
            state, (chunks, reply) = self._reply(state, move.to_draft(_history(state)))

        def finish() -> Turn:
            text, source, notice = reply()
            self.state = state.model_copy(update=_spoken(state, text))
            cards = (self.deps.search("real reason behind a no", 2, rehearsal.CARD_TOPICS)
                     if move.debrief else [])
            return Turn(
                user=cleaned.text, reply=text, step=None, step_name="rehearsal", source=source,
                notice=_join(cleaned.notice, notice), reveal_level=move.reveal_level,
                assessment=move.assessment.model_dump() if move.assessment else None,
                debrief=move.debrief.model_dump() if move.debrief else None,
                citations=_cite(cards),
            )

        return TurnStream(chunks, finish)

    def _coach_turn(self, state: SessionState, cleaned: inputs.Cleaned, seed: int) -> TurnStream:
        coach = state.coach
        story = coach.story
        if state.held:  # a check-in's message, answered past: its facts are kept all the same
            story = self.deps.extractor.extract(state.held, story)
            state = state.model_copy(update={"held": ""})
        story = self.deps.extractor.extract(cleaned.text, story)  # every turn, merged
        now = self.deps.clock()
        allowed = limits.over(state.usage, state.turns, now) is None
        ctx = ReadingContext(step=current(coach.step), started=coach.started, story=story,
                             recent=state.recent, llm_allowed=allowed)
        reading = self.deps.reader.read(cleaned.text, ctx)
        if reading.reader.startswith("llm"):  # the LLM reader's call counts like a reply's
            tokens = len(cleaned.text) // 4 + READING_TOKENS
            state = state.model_copy(update={"usage": limits.spend_tokens(state.usage, tokens,
                                                                         now)})
        if reading.risk is not None:  # a reader's own view of risk (the LLM's) only adds risk
            fixed = self._safety_turn(state, cleaned.text, Concern(reading.risk, "self_harm"),
                                      seed)
            if fixed is not None:
                return fixed
        coach, decision = transition(coach, reading)
        cards = self._cards(cleaned.text, decision)
        template = replies.compose(decision, coach, seed, state.last_reply, cards, state.said)
        spec = STEPS[decision.step - 1]
        draft = Draft(
            task="coach", step=decision.step, step_name=spec.topic, goal=_goal(decision),
            user_message=cleaned.text, story=coach.story, template=template,
            cards=tuple(cards), details=details(coach.story),
            history=_history(state), plan=_plan_so_far(coach),
        )
        state = state.model_copy(update={"coach": coach})
        chunks: Iterator[str]
        reply: Callable[[], tuple[str, Literal["template", "llm"], str | None]]
        if decision.kind in _OWN_WORDS:  # the plan as worked out: never reworded by a model
            chunks, reply = iter([template]), lambda: (template, "template", None)
        else:
            state, (chunks, reply) = self._reply(state, draft)

        def finish() -> Turn:
            text, source, notice = reply()
            self.state = state.model_copy(update=_spoken(state, text))
            return Turn(
                user=cleaned.text, reply=text, step=decision.step, step_name=spec.topic,
                kind=decision.kind, reader=reading.reader, citations=_cite(cards),
                source=source, notice=_join(cleaned.notice, notice),
            )

        return TurnStream(chunks, finish)

    def _reply(self, state: SessionState, draft: Draft) -> tuple[SessionState, _Reply]:
        """The reply model's stream for this draft, or the template past a budget."""
        model = self.deps.model
        now = self.deps.clock()
        limit = limits.over(state.usage, state.turns, now) if model.primary else None
        if limit is not None:
            return state, (iter([draft.template]), lambda: (draft.template, "template", limit))
        if model.primary:
            state = state.model_copy(update={"usage": limits.spend(state.usage, draft, now)})
        stream = model.stream(draft)

        def reply() -> tuple[str, Literal["template", "llm"], str | None]:
            r = stream.reply
            return r.text, r.source, r.notice

        return state, (iter(stream), reply)

    def _cards(self, text: str, decision: Decision) -> list[Passage]:
        query = f"{text[:500]} {decision.advice or ''}".strip()
        return self.deps.search(query, 2, decision.topics)[:2]

    def _fixed(self, user: str, text: str, kind: str, *, safety: Tier | None = None,
               keep_state: bool = False, cite: bool = False) -> TurnStream:
        """A reply decided without the reply model: empty input and the safety replies.

        `cite`: the reply leads back into coaching, so it cites the current step's cards.
        """
        state = self.state
        step_topic = STEPS[current(state.coach.step) - 1].topic
        cards = self.deps.search(user, 1, (step_topic,)) if cite else []

        def finish() -> Turn:
            if not keep_state:
                self.state = self.state.model_copy(update=_spoken(self.state, text))
            step = None if state.mode == "rehearse" else current(state.coach.step)
            return Turn(user=user, reply=text, step=step,
                        step_name=STEPS[step - 1].topic if step else None,
                        kind=kind, safety=safety,
                        citations=_cite(cards))

        return TurnStream(iter([text]), finish)


SAID = 60  # replies remembered so that none is given twice
READING_TOKENS = 600  # what one LLM reading costs besides the message: instructions and JSON
_OWN_WORDS = ("summary", "after_done")  # replies that carry the plan: the template's, always


def _spoken(state: SessionState, text: str) -> dict[str, Any]:
    """The state's update once `text` was said: the last reply, and its digest kept."""
    return {"last_reply": text, "said": [*state.said, replies.digest(text)][-SAID:]}


def _cite(cards: Sequence[Passage]) -> list[Citation]:
    return [Citation(id=c.id, topic=c.topic, title=c.title) for c in cards]


_GOALS: dict[str, str] = {  # what a reply of each kind must achieve, besides the step's goal
    "stay": "the person has not yet done this step's work: reflect what they said, then ask "
            "this step's question again in new words",
    "challenge": "they are softening or denying the No: gently ask them to say plainly what "
                 "was refused",
    "cool_down": "they are still heated or about to reply to the other side: name the feeling, "
                 "ask them to hold any reply for now, and ask what would help them cool off",
    "trap": "name the thinking trap '{trap}' in their words, kindly, and ask for a fairer "
            "reading of the No",
    "no_feedback": "asking is not possible: help them read the clues they already have",
    "same_offer": "they mean to make the same offer again: ask what they would change",
    "need_stop_rule": "they gave a time to come back: ask for a point at which they stop",
    "back": "they asked to return to this step: build on what they said before, do not repeat it",
    "skip_refused": "explain briefly why the order matters and stay on this step",
    "advice": "answer their question about '{advice}' from the cards, for their case, then "
              "return to this step's question",
}


def _goal(decision: Decision) -> str:
    spec = STEPS[decision.step - 1]
    step = f"step {spec.number} ({spec.title}): {spec.goal}"
    purpose = _GOALS.get(decision.kind)
    if purpose is None:
        return step
    return f"{purpose.format(trap=decision.trap or 'a trap', advice=decision.advice)}; {step}"


def _plan_so_far(coach: CoachState) -> tuple[tuple[str, str], ...]:
    """The plan's fields worked out so far, for the model to build on."""
    fields = coach.plan.model_dump(exclude_defaults=True)
    return tuple((k, str(v)) for k, v in fields.items())


def _history(state: SessionState) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = [("user", m) for m in state.recent[:-1]]
    if state.last_reply:
        pairs.append(("assistant", state.last_reply))
    return tuple(pairs[-4:])


def _join(*notices: str | None) -> str | None:
    return " ".join(n for n in notices if n) or None
