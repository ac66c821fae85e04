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
from typing import Literal, cast, get_args

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
QuestionType = Literal["open", "closed", "statement"]
TAGS: tuple[Tag, ...] = get_args(Tag)
WALK_ME_THROUGH = (
    "Can you walk me through what's preventing you from moving forward with this offer?"
)
MAX_CHARS = 2000  # longer moves are judged on their start; keeps every regex cheap

_WH = r"(what|what's|how|how's|why|who|who's|whom|whose|which|where|when)"
_INVITE = re.compile(r"walk(ing)? me through|help me understand|tell me (more|about|what|how|why)|"
                     r"i'?m curious (what|how|about)|(share|explain) (with me )?(what|how)")
_CLAUSE = re.compile(r"[,;:\u2014]|\b(?:but|so|and|or)\b")
_FILLER = r"^((so|ok|okay|well|hmm|and|look|honestly),? )?"
_ROLES = (r"(boss|manager|director|owner|board|partners?|cfo|ceo|vp|committee|procurement|legal|"
          r"finance|hr|team lead|head of)")
_PATTERNS: dict[str, re.Pattern[str]] = {
    "labels_emotion": re.compile(
        _FILLER + r"((it |that )?(sounds|seems|looks|feels) (like|as if|as though)|i (get the "
        r"(sense|feeling|impression)|sense|imagine|suspect|can tell|can see that you)|"
        r"i('m guessing| guess)|(you|sounds like you) (seem|sound|look|must be|might be)|"
        r"my guess is|(it|that) must (be|feel|have been))"
    ),
    "asks_who_decides": re.compile(
        r"\bwho (else|decides|makes|signs|approves|has|would|on|needs|is involved)\b|"
        r"sign(s|ing)? off|anyone else|involved in (the|this|that) decision|final (say|call)|"
        r"\bapprov(e|al)\b|have a say|decision[- ]?maker|\bboard\b.*\bdecision|"
        rf"\b{_ROLES}\b.*\b(decides?|sign|approve|agree|weigh in|have to|need to|involved)\b"
    ),
    "asks_alternative": re.compile(
        r"different (arrangement|approach|way)|differently|\bconditions?\b|what would (need to|"
        r"have to|it take|make)|would it help|\bwhat if\b|\binstead\b|another (time|way|option)|"
        r"other options?|\bwould\b.{0,60}\b(work|make a difference|help|solve|fix|be easier)\b|"
        r"\bmake\b.{0,30}\b(work|a yes)\b|revisit|need to (see|show)|better time|get closer|"
        r"easier for you|\bpilot\b|\btrial\b|halfway|part[- ]time|\bphas(e|ed|ing)\b|\bsplit\b|"
        r"how else|structure|alternatively|works? better for|(talk|revisit|come back|try) (again "
        r"|to this )?(after|in|next|later)|(smaller|reduced|limited|narrower) (scope|version|"
        r"order|start)|defer(red)?|postpone|start date|in (exchange|return)|\btrade\b|"
        r"compromise|middle ground|(what|how) about\b"
    ),
    "leading": re.compile(
        r"don't you (think|agree)|wouldn't you (agree|say)|isn't it (true|obvious|clear)|"
        r"\bsurely\b|, right\??$|you must (admit|agree|see)|we both know|, correct\??$|"
        r"\bobviously\b|\bclearly\b|you'd agree|isn't that (so|right|true)|it's obvious|"
        r"you know (as well as i do|that)|you can't deny|let's be honest|, (isn't|aren't|wasn't|"
        r"don't|doesn't|won't|wouldn't|can't|shouldn't) (it|you|we|they|he|she|that)\??$"
    ),
    "pushy": re.compile(
        r"final (offer|number|answer|price)|take it or leave it|answer (today|now|by)|come on\b|"
        r"unreasonable|\bperiod\b|unless you|find someone else|you owe me|just do it|switching|"
        r"walk(ing)? (out|away)|last chance|\bi (insist|demand)\b|you (have|need) to sign|"
        r"price goes up|i'm not leaving|or else|\bor i('m| am| will| will be)\b (going|walk|leav|"
        r"start)|unacceptable|(today|now|tomorrow|friday|monday) or\b|or you lose|waste my time|"
        r"yes or no|\bimmediately\b|speak to your (manager|boss)|no more excuses|we're done|"
        r"enough (talk|of this)|you must (decide|sign|agree|answer|accept)|by (tomorrow|tonight|"
        r"end of (the )?day)|no less\b|non-negotiable|sign it\b|now or never|ultimatum"
    ),
    "repeats_offer": re.compile(
        r"\b(as|like) i (said|mentioned|told you)\b|i already (said|told)|(say|ask|tell you|"
        r"repeat|offer)(ing)? (it |this |that )?again|\bagain,|^again\b|once again|i'll repeat|"
        r"\bstill (asking|offering|need|want)|same as (before|i said)|hasn't changed|"
        r"offer stands|once more|for the (second|third|last) time|i keep (saying|telling)"
    ),
    "defensive": re.compile(
        r"not fair|unfair|\bi deserve|i've (been|worked|done|given) |you (just )?don't (get|"
        r"understand)|ridiculous|nobody else|i'm worth|with all due respect|always me|you never|"
        r"never help|how dare|insulting|not my fault|your fault|i'm not the problem|no idea how "
        r"(much|hard)|i worked (so|really|every)|this is what i get|after everything|you're wrong|"
        r"that's (not true|untrue|wrong)|i did (everything|my best)"
    ),
    "concession": re.compile(
        r"\bi('d| could| can| would| will|'ll) (go|drop|come|lower|reduce|do|accept|take|settle|"
        r"throw in|pay)\b|\b(i|we) ?(can|could|'ll|will) (take|drop|lower|reduce|knock|throw in|"
        r"do|waive|include|cut|offer|give you|add|cover|absorb|extend|bring)\b|willing to|"
        r"\d+ ?% off|go down to|meet (you )?halfway|split the difference|at no (extra )?cost|"
        r"free of charge|bring (the|my|our) (price|rate|fee)s? down"
    ),
}
_NUMBER = re.compile(r"\d[\d,.]*k?")


class Assessment(BaseModel):
    """What one move does, for the counterparty's rules and for the person's feedback."""

    question_type: QuestionType = Field(
        description="open (what/how/why, an invitation), closed (yes/no, either/or) or statement."
    )
    tags: list[Tag] = Field(default_factory=list, description="Habits the move shows.")
    better: str | None = Field(default=None, description="A stronger rewrite, for a weak move.")


def _question_type(text: str) -> tuple[QuestionType, list[str]]:
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
    """A statement saying what an earlier move said, or naming the same figure again.

    Questions are exempt: asking a good question twice is not restating the offer."""
    if "?" in text:
        return False
    words = set(re.findall(r"\w+", text))
    for earlier in history:
        old = set(re.findall(r"\w+", earlier.lower()))
        if words and len(words & old) / len(words | old) >= 0.8:
            return True
        if set(_NUMBER.findall(text)) & set(_NUMBER.findall(earlier.lower())):
            return True
    return False


def _better(move: str, kind: str, tags: set[Tag]) -> str | None:
    """A rewrite for a weak move, or None when the move already does the job."""
    if tags & {"pushy", "repeats_offer"}:
        return ("I hear that it's a no for now. Is there a different arrangement or condition "
                "that might work better for you?")
    if "defensive" in tags:
        return ("It sounds like something here doesn't work for you. "
                "Can you help me understand what?")
    if "leading" in tags:
        return "How do you see it from your side?"
    if "why_question" in tags:
        why_cant = re.match(r"why (can't|won't|don't|couldn't|wouldn't) you (.+?)\??$", move, re.I)
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
            return ("Before changing the offer, ask: what's preventing you from moving "
                    "forward with it?")
        return ("Follow it with an open question: what would need to change for this to "
                "work for you?")
    return None


def assess(move: str, history: Sequence[str] = ()) -> Assessment:
    """Classify a move and suggest a better one when it is weak; never raises on any text."""
    plain = " ".join(move.replace("\u2019", "'").split())[:MAX_CHARS]
    text = plain.lower()
    kind, heads = _question_type(text)
    tags = {cast(Tag, tag) for tag, pattern in _PATTERNS.items() if pattern.search(text)}
    how_what = any(h in {"how", "how's", "what", "what's"} for h in heads)
    invites = re.search(r"(walk me through|understand|tell me|curious|wonder) (what|how)", text)
    if kind == "open" and (how_what or invites):
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
    ordered = [t for t in TAGS if t in tags]
    return Assessment(question_type=kind, tags=ordered, better=_better(plain, kind, tags))


def quality(assessment: Assessment) -> int:
    """How good a move is for uncovering a hidden reason; used to pick the best and weakest."""
    score = {"open": 2, "closed": 0, "statement": 0}[assessment.question_type]
    weights = {"calibrated_question": 1, "walk_me_through": 1, "labels_emotion": 2,
               "asks_who_decides": 1, "asks_alternative": 1, "why_question": -1, "leading": -2,
               "pushy": -3, "repeats_offer": -2, "defensive": -2, "concession": -1}
    return score + sum(weights[t] for t in assessment.tags)
