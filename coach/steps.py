"""The six steps as data, and the pure transition (state, message) -> (state, decision).

The engine alone decides the step: nothing in the person's text (or an LLM's) can move
it except the cues each step defines below. It does not write replies (replies.py does)
and does not screen for crisis (safety.py runs before it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from coach import plan as plans
from coach import signals, traps
from coach.knowledge import STEP_TOPICS, Topic
from coach.story import Story


@dataclass(frozen=True)
class StepSpec:
    """One step of the guide: what it is for and what the coach asks."""

    number: int
    topic: Topic
    title: str
    goal: str
    needs_action: bool


STEPS: tuple[StepSpec, ...] = (
    StepSpec(1, "acknowledge", "Acknowledge the rejection",
             "help the person say plainly that they got a No, without softening it", False),
    StepSpec(2, "detach", "Detach emotionally",
             "name the feeling and pause before any reply to the other side", True),
    StepSpec(3, "reframe", "Reframe the narrative",
             "find what went well, what was learned, and what the No says about the offer, "
             "the timing or their needs rather than the person", False),
    StepSpec(4, "ask-feedback", "Ask for feedback",
             "draft a feedback request the person can send, or read the clues if they cannot ask",
             True),
    StepSpec(5, "adjust-strategy", "Adjust the strategy",
             "change the offer: pitch, added value, style, a realistic goal, a walk-away point, "
             "a different arrangement", True),
    StepSpec(6, "persist-smart", "Stay persistent, but smart",
             "plan when and on what trigger to come back, with which adjusted offer, "
             "and a stop rule",
             True),
)
DONE = 7  # the step after the last one: the plan is complete

Kind = Literal[
    "intake", "open", "advance", "stay", "challenge", "cool_down", "trap", "no_feedback",
    "same_offer", "need_stop_rule", "skip_refused", "back", "advice", "summary", "after_done",
]


class CoachState(BaseModel):
    """Where one coaching conversation stands; JSON-serialisable, restored from the store."""

    step: int = Field(default=1, description="The step being worked on (1-6), or 7 when done.")
    started: bool = Field(default=False, description="A rejection has been told.")
    completed: list[int] = Field(default_factory=list)
    attempts: int = Field(default=0, description="Turns spent on the current step.")
    story: Story = Field(default_factory=Story)
    plan: plans.Plan = Field(default_factory=plans.Plan)


@dataclass(frozen=True)
class Decision:
    """What the engine decided for this turn; the reply works on `step`."""

    kind: Kind
    step: int
    topics: tuple[str, ...]
    advice: Topic | None = None
    trap: traps.Trap | None = None


_REFRAME_CONTENT = re.compile(
    r"\b(went well|learn(ed|t)?|taught me|good|positive|liked|valued?|at least|insight|now i know"
    r"|realis|realiz|timing|budget|their needs|not about me|not personal|useful|still|strength"
    r"|at the table|respect|interested|enjoyed|clearer)\b", re.IGNORECASE)
_WONT_SEND = re.compile(r"\b(won'?t|will not|not going to|didn'?t|did not) send\b", re.IGNORECASE)
_LEARNED = re.compile(r"\b(learn(ed|t)?|went well|good things?|they liked|taught me)\b",
                      re.IGNORECASE)
_STUCK = re.compile(r"\b(don'?t know|no idea|nothing (went|was)|not sure)\b", re.IGNORECASE)
_SENDS = re.compile(
    r"\b(i'?ll|i will|i'?d|i would|going to|gonna)\s+(send|ask|use|adapt|write|email|call)\b"
    r"|\b(sent|send) (it|that|this)\b|\bthat works\b|\bgood message\b|\bi('?ll| will) try\b"
    r"|^\W*(\w+\W+){0,3}(will|would|gonna) (send|adapt|use) ?(it|that|this)?\b",
    re.IGNORECASE)
_NO_FEEDBACK = re.compile(
    r"\b(won'?t|will not|wouldn'?t|never)\s+(answer|reply|respond|tell|say|talk)\b|\bcan'?t ask\b"
    r"|\bghost(ed|ing)\b|\bno (way|point) (to|in) ask", re.IGNORECASE)
_ADJUST = re.compile(
    r"\d|\b(instead|lower|smaller|bigger|phase|pilot|trial|add|include|bundle|discount|rush|review"
    r"|split|different|change|pitch|present|style|value|walk[- ]away|minimum|settle|offer|propose"
    r"|arrangement|condition|scope|term|flexib|part[- ]time|remote|later start|shorter|longer)",
    re.IGNORECASE)
_SAME_OFFER = re.compile(
    r"\b(same|identical)\b[^.;]{0,25}?\b(offer|price|rate|proposal|number|terms|deal|ask|request"
    r"|pitch|bid|quote|amount)\b|\bresubmit (it|as is)\b"
    r"|\bresend\b|\bsend (it|the same) again\b"
    r"|\bjust (push|insist)|\bkeep (asking|pushing)\b", re.IGNORECASE)


def _step_topics(step: int) -> tuple[str, ...]:
    extra = {3: ("why-rejection-happens",), 4: ("real-reason",),
             5: ("no-as-leverage", "realistic-goals")}
    return (STEP_TOPICS[min(step, 6) - 1], *extra.get(min(step, 6), ()))


def _advance(state: CoachState) -> tuple[CoachState, Decision]:
    step = state.step + 1
    new = state.model_copy(update={
        "step": step, "attempts": 0, "completed": sorted({*state.completed, state.step}),
    })
    if step == DONE:
        return new, Decision("summary", 6, ("persist-smart", "adjust-strategy"))
    return new, Decision("advance", step, _step_topics(step))


def _stay(state: CoachState, kind: Kind, **extra: object) -> tuple[CoachState, Decision]:
    new = state.model_copy(update={"attempts": state.attempts + 1})
    step = min(state.step, 6)  # after the plan, a refused jump still talks about step 6
    return new, Decision(kind, step, _step_topics(step), **extra)  # type: ignore[arg-type]


def transition(
    state: CoachState, message: str, story: Story
) -> tuple[CoachState, Decision]:
    """The next state and what to do, from the current state, the message and the story so far.

    `story` is the extractor's reading after this message; it only fills facts, never the step.
    """
    cues = signals.read(message)
    state = state.model_copy(update={"story": story})
    if not state.started:
        told = story.has_rejection or cues.acknowledges or (story.counterparty and story.ask)
        if not told:
            return state, Decision("intake", 1, ("acknowledge", "why-rejection-happens"))
        return state.model_copy(update={"started": True}), Decision("open", 1, ("acknowledge",))
    if cues.skip:
        return _stay(state, "skip_refused")
    current = min(state.step, 6)
    if cues.back_to is not None:
        target = current - 1 if cues.back_to == 0 else cues.back_to
        if 1 <= target < state.step:
            kept = [s for s in state.completed if s < target]
            return (state.model_copy(update={"step": target, "attempts": 0, "completed": kept}),
                    Decision("back", target, _step_topics(target)))
    if cues.advice:
        return state, Decision("advice", current, (cues.advice,), advice=cues.advice)
    if state.step == DONE:
        return state, Decision("after_done", 6, ("persist-smart",))
    return _STEP_RULES[state.step](state, message, cues)


def _acknowledge(state: CoachState, message: str, cues: signals.Signals
                 ) -> tuple[CoachState, Decision]:
    if cues.denies:
        return _stay(state, "challenge")
    if cues.acknowledges:
        return _advance(state.model_copy(update={"plan": state.plan.with_(acknowledged=message)}))
    return _stay(state, "stay")


def _detach(state: CoachState, message: str, cues: signals.Signals
            ) -> tuple[CoachState, Decision]:
    if cues.urge and not _WONT_SEND.search(message):
        return _stay(state, "cool_down")
    if cues.calmer or cues.go_on:
        return _advance(state.model_copy(update={"plan": state.plan.with_(feelings=message)}))
    if cues.heated:
        return _stay(state, "cool_down")
    return _stay(state, "stay")


def _reframe(state: CoachState, message: str, cues: signals.Signals
             ) -> tuple[CoachState, Decision]:
    found = traps.spot(message)
    if found and not _LEARNED.search(message):  # "I learned I should have..." is the reframe
        return _stay(state.model_copy(update={"plan": state.plan.with_(trap=found[0])}),
                     "trap", trap=found[0])
    substantive = len(message.split()) >= 8 and not _STUCK.search(message)
    if _REFRAME_CONTENT.search(message) or substantive or (cues.go_on and state.attempts > 0):
        return _advance(state.model_copy(update={"plan": state.plan.with_(reframe=message)}))
    return _stay(state, "stay")


def _ask_feedback(state: CoachState, message: str, cues: signals.Signals
                  ) -> tuple[CoachState, Decision]:
    if _NO_FEEDBACK.search(message):
        return _stay(state.model_copy(update={"plan": state.plan.with_(feedback_possible=False)}),
                     "no_feedback")
    own_version = "?" in message and len(message) > 60
    if own_version or _SENDS.search(message) or cues.go_on:
        updates = {"feedback_message": message} if own_version else {}
        return _advance(state.model_copy(update={"plan": state.plan.with_(**updates)}))
    return _stay(state, "stay")


def _adjust(state: CoachState, message: str, cues: signals.Signals
            ) -> tuple[CoachState, Decision]:
    if _SAME_OFFER.search(message):
        return _stay(state, "same_offer")
    if _ADJUST.search(message) and len(message.split()) >= 3:
        return _advance(state.model_copy(update={"plan": state.plan.with_(adjustment=message)}))
    if cues.go_on and state.attempts > 0:  # they accept the arrangement the coach suggested
        suggested = plans.suggested_arrangement(state.story)
        return _advance(state.model_copy(update={"plan": state.plan.with_(adjustment=suggested)}))
    return _stay(state, "stay")


def _persist(state: CoachState, message: str, cues: signals.Signals
             ) -> tuple[CoachState, Decision]:
    if _SAME_OFFER.search(message):
        return _stay(state, "same_offer")
    when = plans.find_when(message)
    stop = plans.find_stop_rule(message)
    updates: dict[str, object] = {}
    if cues.go_on and state.attempts > 0:  # they accept the coach's suggested defaults
        when = when or state.plan.follow_up or plans.DEFAULT_FOLLOW_UP
        stop = stop or state.plan.stop_rule or plans.DEFAULT_STOP_RULE
    if when:
        updates["follow_up"] = when
    if stop:
        updates["stop_rule"] = stop
    new_plan = state.plan.with_(**updates)
    state = state.model_copy(update={"plan": new_plan})
    if new_plan.follow_up and new_plan.stop_rule:
        return _advance(state)
    if new_plan.follow_up:
        return _stay(state, "need_stop_rule")
    return _stay(state, "stay")


_STEP_RULES = {1: _acknowledge, 2: _detach, 3: _reframe, 4: _ask_feedback, 5: _adjust, 6: _persist}
