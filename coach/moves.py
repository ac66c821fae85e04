"""Assess one rehearsal move: open, closed or statement, which habits it shows, a better version.

Rules only (regular expressions over the lower-cased move); no model. Conventions, also used to
label evals/data/moves.jsonl:
- "open": a wh-question (what, how, why, who, which, where, when) or an invitation to tell the
  story ("walk me through", "help me understand", "tell me more"). "Why" questions count as open
  but carry the `why_question` tag, because they tend to sound like a demand for justification.
- "closed": any other question, a yes/no or either/or one ("Is it the budget?", "..., right?").
- "statement": no question at all; labelling a feeling ("It sounds like...") is a statement.
- `calibrated_question`: an open question led by how/what ("what if" is a proposal, not one), or
  an invitation that asks how/what.
It does not know the scenario: whether a move repeats the offer is judged from its wording and
from the person's earlier moves (`history`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

Tag = Literal[
    "calibrated_question",
    "walk_me_through",
    "labels_emotion",
    "asks_who_decides",
    "asks_alternative",
    "why_question",
    "leading",
    "pushy",
    "repeats_offer",
    "defensive",
    "concession",
]
BAD_TAGS = frozenset({"leading", "pushy", "repeats_offer", "defensive"})
WALK_ME_THROUGH = (
    "Can you walk me through what's preventing you from moving forward with this offer?"
)
MAX_CHARS = 2000  # longer moves are judged on their start; keeps every regex cheap

_WH = r"(what|what's|how|how's|why|who|who's|whom|whose|which|where|when)"
_AUX = (
    r"(is|are|am|was|were|do|does|did|can|could|would|will|should|shall|have|has|had|may|might|"
    r"must|isn't|aren't|don't|doesn't|didn't|can't|couldn't|wouldn't|won't|shouldn't|haven't)"
)
_INVITE = re.compile(r"walk(ing)? me through|help me understand|tell me (more|about|what|how|why)|"
                     r"i'?m curious (what|how|about)|(share|explain) (with me )?(what|how)")
_CLAUSE = re.compile(r"[,;:\u2014]|\b(?:but|so|and|or)\b")
_PATTERNS: dict[str, re.Pattern[str]] = {
    "labels_emotion": re.compile(
        r"^(it |that )?(sounds|seems|looks|feels) (like|as if|as though)|^i (get the sense|sense|"
        r"imagine|suspect|can tell|can see that you)|^(you|sounds like you) (seem|sound|look)"
    ),
    "asks_who_decides": re.compile(
        r"\bwho (else|decides|makes|signs|approves|has|would|on|needs|is involved)\b|sign(s|ing)? off|"
        r"anyone else|involved in (the|this|that) decision|"
        r"\bapprov(e|al)\b|final say|have a say|decision[- ]?maker|\bboard\b.*\bdecision|"
        r"\b(boss|manager|owner|partners?|board)\b.*\bdecides?\b"
    ),
    "asks_alternative": re.compile(
        r"different (arrangement|approach|way)|\bconditions?\b|what would (need to|have to|it take|"
        r"make)|would it help|\bwhat if\b|\binstead\b|another (time|way|option)|other options?|"
        r"\bwould\b.{0,60}\b(work|make a difference|help)\b|\bmake\b.{0,30}\bwork\b|revisit|"
        r"need to (see|show)|better time|get closer|easier for you|\bpilot\b|\btrial\b|halfway|"
        r"part[- ]time|\bphas(e|ed|ing)\b|\bsplit\b|how else|structure|alternatively|"
        r"(talk|revisit|come back|try) (again |to this )?(after|in|next|later)|works? better for"
    ),
    "leading": re.compile(
        r"don't you (think|agree)|wouldn't you (agree|say)|isn't it (true|obvious|clear)|"
        r"\bsurely\b|, right\??$|you must (admit|agree|see)|we both know|, correct\??$|"
        r"\bobviously\b|\bclearly\b|you'd agree|wouldn't you\??$|isn't that (so|right|true)"
    ),
    "pushy": re.compile(
        r"final (offer|number|answer|price)|take it or leave it|answer (today|now|by)|come on\b|"
        r"unreasonable|\bperiod\b|unless you|find someone else|you owe me|just do it|switching|"
        r"walk(ing)? (out|away)|last chance|\bi insist\b|you (have|need) to sign|price goes up|"
        r"i'm not leaving|or else|\bor i('m| am| will| will be)\b (going|walk|leav|start)|"
        r"unacceptable|(today|now|friday|monday) or\b|or you lose|waste my time|yes or no|"
        r"\bimmediately\b|speak to your (manager|boss)|no more excuses"
    ),
    "repeats_offer": re.compile(
        r"\b(as|like) i (said|mentioned|told you)\b|i already (said|told)|(say|ask|tell you|"
        r"repeat|offer)(ing)? (it |this |that )?again|\bagain,|^again\b|once again|"
        r"\bstill (asking|offering|need|want)|"
        r"same as (before|i said)|hasn't changed|offer stands|once more"
    ),
    "defensive": re.compile(
        r"not fair|\bi deserve|i've (been|worked|done|given) |you (just )?don't (get|understand)|"
        r"ridiculous|nobody else|i'm worth|with all due respect|always me|you never|never help|"
        r"how dare|insulting|not my fault|i'm not the problem|no idea how (much|hard)|"
        r"i worked (so|really|every)|this is what i get|after everything|you're wrong"
    ),
    "concession": re.compile(
        r"\bi('d| could| can| would| will|'ll) (go|drop|come|lower|reduce|do|accept|take|settle|"
        r"throw in)\b|\bwe (can|could|'ll|will) (take|drop|lower|reduce|knock|throw in|do)\b|"
        r"willing to|\d+ ?% off|go down to|\b(i|we) (can|could|'ll|will) (waive|include|cut|"
        r"offer|give you)\b|meet (you )?halfway|split the difference"
    ),
}
_NUMBER = re.compile(r"\d[\d,.]*k?")


class Assessment(BaseModel):
    """What one move does, for the counterparty's rules and for the person's feedback."""

    question_type: Literal["open", "closed", "statement"] = Field(
        description="open (what/how/why, an invitation), closed (yes/no, either/or) or statement."
    )
    tags: list[Tag] = Field(default_factory=list, description="Habits the move shows.")
    better: str | None = Field(default=None, description="A stronger rewrite, for a weak move.")


def _question_type(text: str) -> tuple[str, list[str]]:
    """The type, and the first words of every question clause (to spot how/what/why)."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    questions = [s for s in sentences if s.endswith("?")] or (
        [sentences[0]] if sentences and re.match(_WH + r"\b", sentences[0]) else []
    )
    clauses = [c for q in questions for c in _CLAUSE.split(q) if c and c.strip()]
    heads = [c.split()[0].strip("?!.\"'()") for c in clauses]
    if any(re.fullmatch(_WH, h) for h in heads) or _INVITE.search(text):
        return "open", heads
    if questions:
        return "closed", heads
    return "statement", heads


def _repeats(text: str, history: Sequence[str]) -> bool:
    """An earlier move said the same thing, or named the same figure again in a statement."""
    words = set(re.findall(r"\w+", text))
    for earlier in history:
        old = set(re.findall(r"\w+", earlier.lower()))
        if words and len(words & old) / len(words | old) >= 0.8:
            return True
        if set(_NUMBER.findall(text)) & set(_NUMBER.findall(earlier.lower())) and "?" not in text:
            return True
    return False


def _better(text: str, kind: str, tags: set[str]) -> str | None:
    """A rewrite for a weak move, or None when the move already does the job."""
    if tags & {"pushy", "repeats_offer"}:
        return ("I hear that it's a no for now. Is there a different arrangement or condition "
                "that might work better for you?")
    if "defensive" in tags:
        return "It sounds like something here doesn't work for you. Can you help me understand what?"
    if "leading" in tags:
        return "How do you see it from your side?"
    if "why_question" in tags:
        why_cant = re.match(r"why (can't|won't|don't|couldn't|wouldn't) you (.+?)\??$", text)
        if why_cant:
            return f"What's making it hard to {why_cant.group(2)} right now?"
        return "What's behind that decision for you?"
    if kind == "closed":
        if "asks_who_decides" in tags:
            return "Who else is involved in making this decision?"
        if "asks_alternative" in tags:
            return None  # the guide's own leverage question is closed, and it works
        return WALK_ME_THROUGH
    if kind == "statement" and not tags & {"labels_emotion"}:
        if "concession" in tags:
            return "Before changing the offer, ask: what's preventing you from moving forward with it?"
        return "Follow it with an open question: what would need to change for this to work for you?"
    return None


def assess(move: str, history: Sequence[str] = ()) -> Assessment:
    """Classify a move and suggest a better one when it is weak; never raises on any text."""
    text = " ".join(move.replace("\u2019", "'").lower().split())[:MAX_CHARS]
    kind, heads = _question_type(text)
    tags = {tag for tag, pattern in _PATTERNS.items() if pattern.search(text)}
    if kind == "open" and (any(h in {"how", "how's", "what", "what's"} for h in heads)
                           or re.search(r"(walk me through|understand|tell me) (what|how)", text)):
        tags.add("calibrated_question")
    if re.search(r"\bwhat if\b", text) and not re.search(r"\b(how|what)\b(?! if)", text):
        tags.discard("calibrated_question")
    if re.search(r"walk(ing)? me through", text):
        tags.add("walk_me_through")
    if "why" in heads:
        tags.add("why_question")
    if kind == "statement":
        tags.discard("asks_who_decides")
    if _repeats(text, history):
        tags.add("repeats_offer")
    ordered = [t for t in Tag.__args__ if t in tags]  # type: ignore[attr-defined]
    return Assessment(question_type=kind, tags=ordered, better=_better(text, kind, tags))  # type: ignore[arg-type]


def quality(assessment: Assessment) -> int:
    """How good a move is for uncovering a hidden reason; used to pick the best and weakest."""
    score = {"open": 2, "closed": 0, "statement": 0}[assessment.question_type]
    weights = {"calibrated_question": 1, "walk_me_through": 1, "labels_emotion": 2,
               "asks_who_decides": 1, "asks_alternative": 1, "why_question": -1, "leading": -2,
               "pushy": -3, "repeats_offer": -2, "defensive": -2, "concession": -1}
    return score + sum(weights[t] for t in assessment.tags)
