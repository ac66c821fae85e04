"""The six steps as data, and the pure transition (state, reading) -> (state, decision).

The engine alone decides the step, from a Reading (coach/reading): it never sees raw text,
and no reader (an LLM included) can set the step. Its policy moves on when the person has
done the step's work, and stays only for a named exception (denial, heat, a trap named
once, no way to ask, the same offer, a missing stop rule), or at most twice otherwise.
A step's work is done when the reader says so, or when the person simply engages with it
(a statement of some substance, with no exception read): readers miss more answers than
they invent, and a coach that waits for the perfect answer stalls.
It does not write replies (replies.py does) and does not screen for crisis (safety.py does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from coach import plan as plans
from coach import traps
from coach.knowledge import STEP_TOPICS, Topic
from coach.reading.model import Reading
from coach.story import Story


@dataclass(frozen=True)
class StepSpec:
    """One step of the guide: what it is for and what the coach asks."""

    number: int
    topic: Topic
    title: str
    goal: str


STEPS: tuple[StepSpec, ...] = (
    StepSpec(1, "acknowledge", "Acknowledge the rejection",
             "help the person say plainly that they got a No, without softening it"),
    StepSpec(2, "detach", "Detach emotionally",
             "name the feeling and pause before any reply to the other side"),
    StepSpec(3, "reframe", "Reframe the narrative",
             "find what went well, what was learned, and what the No says about the offer, "
             "the timing or their needs rather than the person"),
    StepSpec(4, "ask-feedback", "Ask for feedback",
             "draft a feedback request the person can send, or read the clues if they cannot ask"),
    StepSpec(5, "adjust-strategy", "Adjust the strategy",
             "change the offer: pitch, added value, style, a realistic goal, a walk-away point, "
             "a different arrangement"),
    StepSpec(6, "persist-smart", "Stay persistent, but smart",
             "plan when and on what trigger to come back, with which adjusted offer, "
             "and a stop rule"),
)
DONE = 7  # the step after the last one: the plan is complete

Kind = Literal[
    "intake", "open", "advance", "stay", "challenge", "cool_down", "trap", "no_feedback",
    "same_offer", "need_stop_rule", "skip_refused", "back", "advice", "summary", "after_done",
    "move_on",
]
MAX_STAYS = 2  # stays on one step without a named exception before moving on kindly
EARLY_WORDS = 6  # a message kept for a later step says at least this much
STORY_WORDS = 6  # a first message this long is a story, even when no No is read in it


class CoachState(BaseModel):
    """Where one coaching conversation stands; JSON-serialisable, restored from the store."""

    step: int = Field(default=1, description="The step being worked on (1-6), or 7 when done.")
    started: bool = Field(default=False, description="A rejection has been told.")
    completed: list[int] = Field(default_factory=list)
    attempts: int = Field(default=0, description="Turns spent on the current step.")
    trap_named: bool = Field(default=False, description="A trap was named at this step.")
    early: dict[int, str] = Field(
        default_factory=dict, description="What the person already said for a later step.")
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


def _step_topics(step: int) -> tuple[str, ...]:
    extra = {3: ("why-rejection-happens",), 4: ("real-reason",),
             5: ("no-as-leverage", "realistic-goals")}
    return (STEP_TOPICS[current(step) - 1], *extra.get(current(step), ()))


def current(step: int) -> int:
    """The step a reply works on: after the plan (7), still step 6."""
    return min(step, 6)


def _advance(state: CoachState, kind: Kind = "advance") -> tuple[CoachState, Decision]:
    step = state.step + 1
    new = state.model_copy(update={
        "step": step, "attempts": 0, "trap_named": False,
        "completed": sorted({*state.completed, state.step}),
    })
    if step == DONE:
        return new, Decision("summary", 6, ("persist-smart", "adjust-strategy"))
    return new, Decision(kind, step, _step_topics(step))


def _stay(state: CoachState, kind: Kind, **extra: object) -> tuple[CoachState, Decision]:
    new = state.model_copy(update={"attempts": state.attempts + 1})
    step = current(state.step)  # after the plan, a refused jump still talks about step 6
    return new, Decision(kind, step, _step_topics(step), **extra)  # type: ignore[arg-type]


def transition(state: CoachState, reading: Reading) -> tuple[CoachState, Decision]:
    """The next state and what to do, from the current state and the message's Reading.

    The Reading's story only fills facts; its intents and step answers are weighed here.
    Never more than one step per turn, and never forward on a request to skip.
    """
    state = state.model_copy(update={"story": reading.story})
    if not state.started:
        story = reading.story
        told = story.has_rejection or reading.has("acknowledges") or (
            story.counterparty and story.ask) or (
            reading.engaged and reading.words >= STORY_WORDS)
        if not told:
            return state, Decision("intake", 1, ("acknowledge", "why-rejection-happens"))
        return state.model_copy(update={"started": True}), Decision("open", 1, ("acknowledge",))
    now = current(state.step)
    if reading.has("back") and reading.back_to is not None:
        target = now - 1 if reading.back_to == 0 else reading.back_to
        if 1 <= target <= now:  # back to the step we are on: it is asked again, afresh
            kept = [s for s in state.completed if s < target]
            return (state.model_copy(update={"step": target, "attempts": 0, "completed": kept,
                                             "trap_named": False}),
                    Decision("back", target, _step_topics(target)))
        if target > now:  # "go back to step 5" from step 2 is a jump
            return _stay(state, "skip_refused")
    if reading.has("skip"):
        return _stay(state, "skip_refused")
    if reading.has("advice") and reading.question:  # a topic not named: this step's own
        topic = reading.advice_topic or STEPS[now - 1].topic
        return state, Decision("advice", now, (topic,), advice=topic)
    if state.step == DONE:
        return state, Decision("after_done", 6, ("persist-smart",))
    state = _keep_early(_keep_feelings(state, reading), reading)
    return _STEP_RULES[state.step](state, reading)


def _keep_feelings(state: CoachState, reading: Reading) -> CoachState:
    """The feelings named on the way in (steps 1-2), for the replies to name back."""
    named = [f for f in reading.feelings if f != "calmer"][:2]
    if state.step > 2 or not named:
        return state
    return state.model_copy(update={"plan": state.plan.with_(feelings=" and ".join(named))})


def _keep_early(state: CoachState, reading: Reading) -> CoachState:
    """Keep what the message already says for later steps, to use when they come."""
    upset = any(reading.has(i) for i in ("heated", "urge_to_reply", "denies", "stuck", "skip"))
    later = [s for s in reading.speaks_to if s > state.step and s not in state.early]
    if reading.words < EARLY_WORDS or upset or not later:
        return state
    plan = state.plan
    if 6 in later:  # a time to come back or a point to stop, given early, is the plan's already
        found = {"follow_up": plan.follow_up or reading.follow_up,
                 "stop_rule": plan.stop_rule or reading.stop_rule}
        plan = plan.with_(**{k: v for k, v in found.items() if v})
    # kept for the first later step it speaks to, without the words that did this step's
    # work: quoted once, when that step comes
    rest = reading.text.replace(reading.work, " ").strip() if reading.work else reading.text
    if len(rest.split()) < EARLY_WORDS:
        return state.model_copy(update={"plan": plan})
    return state.model_copy(update={"early": {**state.early, min(later): rest}, "plan": plan})


def _done(r: Reading) -> bool:
    """The message does the step's work: read as such, or engaged with no exception left."""
    return r.answers_step or r.engaged or r.has("go_on")


def _stay_or_move_on(state: CoachState) -> tuple[CoachState, Decision]:
    """No exception applies: stay, but at most MAX_STAYS times, then move on kindly."""
    if state.attempts >= MAX_STAYS:
        return _advance(state, "move_on")
    return _stay(state, "stay")


def _acknowledge(state: CoachState, r: Reading) -> tuple[CoachState, Decision]:
    if r.has("denies") and not r.has("acknowledges"):
        return _stay(state, "challenge")
    if _done(r) or r.has("acknowledges"):
        return _advance(state.model_copy(update={"plan": state.plan.with_(acknowledged=r.work)}))
    return _stay_or_move_on(state)


def _detach(state: CoachState, r: Reading) -> tuple[CoachState, Decision]:
    if r.has("urge_to_reply") and not r.has("will_not_send"):
        return _stay(state, "cool_down")
    settled = r.has("calmer") or r.has("will_not_send") or r.has("go_on")
    if r.has("heated") and not settled:
        return _stay(state, "cool_down")
    if settled or _done(r):
        return _advance(state)
    return _stay_or_move_on(state)


def _reframe(state: CoachState, r: Reading) -> tuple[CoachState, Decision]:
    # a trap is named when its words were found; one read by resemblance alone only when
    # the message does no other work (it is too often a plain account of what happened)
    shown = [t for t in r.traps if t.words] or ([] if r.engaged else r.traps)
    if shown and not state.trap_named and not r.answers_step:
        trap = shown[0].trap
        named = state.model_copy(update={"plan": state.plan.with_(trap=trap), "trap_named": True})
        return _stay(named, "trap", trap=trap)
    if r.answers_step or (r.engaged and not r.traps):
        return _advance(state.model_copy(update={"plan": state.plan.with_(reframe=r.work)}))
    if _done(r):  # after the trap was named, or "ok": move on, the trap is not the reframe
        return _advance(state)
    return _stay_or_move_on(state)


def _ask_feedback(state: CoachState, r: Reading) -> tuple[CoachState, Decision]:
    if r.has("cannot_ask") and not r.answers_step and state.plan.feedback_possible:
        return _stay(state.model_copy(update={"plan": state.plan.with_(feedback_possible=False)}),
                     "no_feedback")
    if _done(r) or not state.plan.feedback_possible:
        updates = {"feedback_message": r.own_message} if r.own_message else {}
        return _advance(state.model_copy(update={"plan": state.plan.with_(**updates)}))
    return _stay_or_move_on(state)


def _adjust(state: CoachState, r: Reading) -> tuple[CoachState, Decision]:
    if r.has("same_offer") and not r.answers_step:
        return _stay(state, "same_offer")
    if r.answers_step or r.engaged:
        return _advance(state.model_copy(update={"plan": state.plan.with_(adjustment=r.work)}))
    if r.has("go_on"):  # they accept the arrangement the coach suggested
        suggested = plans.suggested_arrangement(state.story)
        return _advance(state.model_copy(update={"plan": state.plan.with_(adjustment=suggested)}))
    return _stay_or_move_on(state)


def _persist(state: CoachState, r: Reading) -> tuple[CoachState, Decision]:
    if r.has("same_offer") and not r.answers_step:
        return _stay(state, "same_offer")
    when, stop = r.follow_up, r.stop_rule
    if r.has("go_on"):  # "ok": they accept the defaults the coach's question offered
        when = when or state.plan.follow_up or plans.DEFAULT_FOLLOW_UP
        stop = stop or state.plan.stop_rule or plans.DEFAULT_STOP_RULE
    if r.answers_step and not (when or stop or state.plan.follow_up):
        when = r.work  # a trigger in their words ("when the new budget lands")
    elif (r.answers_step or r.engaged) and state.plan.follow_up and not (
            stop or state.plan.stop_rule):
        stop = r.work  # the answer to "when will you stop?", in their words
    if state.attempts >= MAX_STAYS:  # asking a third time is nagging: take the defaults
        when = when or state.plan.follow_up or plans.DEFAULT_FOLLOW_UP
        stop = stop or state.plan.stop_rule or plans.DEFAULT_STOP_RULE
    updates = {k: v for k, v in (("follow_up", when), ("stop_rule", stop)) if v}
    new_plan = state.plan.with_(**updates)
    state = state.model_copy(update={"plan": new_plan})
    if new_plan.follow_up and new_plan.stop_rule:
        return _advance(state)
    if new_plan.follow_up:
        return _stay(state, "need_stop_rule")
    return _stay_or_move_on(state)


_STEP_RULES = {1: _acknowledge, 2: _detach, 3: _reframe, 4: _ask_feedback, 5: _adjust, 6: _persist}
