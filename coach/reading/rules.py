"""The rules reader: today's cue tables behind the Reader seam, kept for what rules do best.

Precise guards first: skip and injection attempts, explicit step numbers and names, dates,
numbers and stop rules, and negation scope ("not the same offer", "won't resend" is not
the same offer). Its step answers are the old cue lists, which generalise poorly; the
embedding reader (embedding.py) reads those better when its model is available.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from coach import plan as plans
from coach import traps
from coach.reading import cues
from coach.reading.model import Intent, Reading, ReadingContext, TrapSeen
from coach.reading.normalise import normalise, sentences
from coach.settings import REPO_DIR


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_REFRAME = _rx(
    r"\b(went well|learn(ed|t)?|taught me|good|positive|liked|valued?|at least|insight|now i know"
    r"|realis|realiz|timing|budget|their needs|not about me|not personal|useful|strength"
    r"|at the table|respect|interested|enjoyed|clearer)\b")
_NOT_REFRAME = _rx(r"\b(still (furious|angry|mad|upset|livid)|good riddance|no idea|don'?t know"
                   r"|nothing (went|was))\b")
_WONT_SEND = _rx(r"\b(won'?t|will not|not going to|didn'?t|did not|never|don'?t|do not) (send"
                 r"|reply|write|respond|answer|text|call|ring|email)\b"
                 r"|\b(not|haven'?t|have not) (sending|replying|answering|responding|writing|sent"
                 r"|replied|answered|responded|texting|calling|emailing|touching|written back"
                 r"|said anything|written anything)\b"
                 r"|\b(didn'?t|did not) (say|write|post) anything\b|\bdeleted it\b"
                 r"|\b(deleted|scrapped|binned) (the|my|that) (draft|email|message|text)\b"
                 r"|\b(wait|sleep on it|hold(ing)? (off|back|it)|let(ting)? it settle)\b"
                 r"|\bgive it (a|until|till|the)\b|\bnothing goes out\b"
                 # a reply put off to later is not one sent now
                 r"|\b(reply|respond|answer|write back|get back to \w+|talk to \w+"
                 r"|send [\w ]{0,30}?) (tomorrow|next week|at the weekend|later|not tonight"
                 r"|on (mon|tues|wednes|thurs|fri)day|in a (few|couple of) days"
                 r"|once i'?ve calmed)\b"
                 r"|\b(don'?t|do not) want to (send|reply|write|respond|answer|text|email)\b"
                 r"|\bwanted to\b[^.!?]{0,80}[.,;!]\s*(but )?(i )?(haven'?t|didn'?t|won'?t|wont)\b"
                 r"|\b(won'?t|wont|not going to|not gonna|will not) do it\b"
                 r"|\b(nobody|no one|no-one)'?s? (is )?(sending|replying|emailing|texting)\b"
                 r"|\bnothing (said|sent)\b")
# asking the coach what to do, whatever the topic: "should I go lower next time?"
_HELP_QUESTION = _rx(r"(^|[.!?]\s+)(so |ok |and |but )?(should i|should we|do i|is it (ever )?"
                     r"(smart|ok|okay|wise|worth|better|normal|weird)|how do i|how (can|should)"
                     r" i|what if|would it be|what'?s the best way)\b[^.!]*\?")
_LEARNED = _rx(r"\b(learn(ed|t)?|went well|good things?|they liked|taught me)\b")
_STUCK = _rx(r"\b(don'?t know|dunno|no idea|nothing (went|was)|not sure|can'?t think)\b")
_SENDS = _rx(
    r"\b(i'?ll|i will|i'?d|i would|going to|gonna)\s+(send|ask|use|adapt|write|email|call)\b"
    r"|\b(sent|send) (it|that|this)\b|\bthat works\b|\bgood message\b|\bi('?ll| will) try\b"
    r"|^\W*(\w+\W+){0,3}(will|would|gonna) (send|adapt|use) ?(it|that|this)?\b")
_NO_FEEDBACK = _rx(
    r"\b(won'?t|will not|wouldn'?t|never)\s+(answer|reply|respond|tell|say|talk)\b|\bcan'?t ask\b"
    r"|\bghost(ed|ing)\b|\bno (way|point) (to|in) ask")
_ADJUST = _rx(
    r"\d|\b(instead|lower|smaller|bigger|phase|pilot|trial|add|include|bundle|discount|rush|review"
    r"|split|different|change|pitch|present|style|value|walk[- ]away|minimum|settle|offer|propose"
    r"|arrangement|condition|scope|term|flexib|part[- ]time|remote|later start|shorter|longer)")
_SAME_OFFER = _rx(
    r"\b(same|identical)\b[^.;]{0,25}?\b(offer|price|rate|proposal|number|terms|deal|ask|request"
    r"|pitch|bid|quote|amount|deck)\b|\bresubmit (it|as is)\b"
    r"|\bresend\b|\bsend (it|the same) again\b"
    r"|\bjust (push|insist)|\bkeep (asking|pushing)\b")
# A negation shortly before the same-offer words scopes over them: "I won't resend the deck".
_NEGATED = _rx(r"\b(not|no|never|won'?t|will not|wouldn'?t|don'?t|do not|isn'?t|no longer"
               r"|rather than|instead of)\b(\W+\w+){0,3}\W*$")


def _same_offer(text: str) -> bool:
    return any(not _NEGATED.search(text[: m.start()]) for m in _SAME_OFFER.finditer(text))


def step_work(step: int, text: str, found: cues.Signals) -> bool:
    """Whether the rules read `text` as doing the work of `step`."""
    if step == 1:
        return found.acknowledges and not found.denies
    if step == 2:
        return found.calmer or bool(_WONT_SEND.search(text))
    if step == 3:
        substantive = len(text.split()) >= 8 and not _STUCK.search(text)
        fair = not _NOT_REFRAME.search(text) and not traps_in(text)  # a trap is not a reframe
        return (bool(_REFRAME.search(text)) or substantive) and fair
    if step == 4:
        return ("?" in text and len(text) > 60) or bool(_SENDS.search(text))
    if step == 5:
        return bool(_ADJUST.search(text)) and len(text.split()) >= 3 and not _same_offer(text)
    if step == 6:
        return bool(plans.find_when(text) or plans.find_stop_rule(text))
    return False


def intents_of(text: str, found: cues.Signals) -> list[Intent]:
    """The intents the cue tables find in already normalised text."""
    wont_send = bool(_WONT_SEND.search(text))
    flags: dict[Intent, bool] = {
        "acknowledges": found.acknowledges, "denies": found.denies, "heated": found.heated,
        "urge_to_reply": found.urge and not wont_send, "will_not_send": wont_send,
        "calmer": found.calmer, "go_on": found.go_on, "skip": found.skip,
        "back": found.back_to is not None,
        "advice": found.advice is not None or bool(_HELP_QUESTION.search(text)),
        "stuck": bool(_STUCK.search(text)), "cannot_ask": bool(_NO_FEEDBACK.search(text)),
        "same_offer": _same_offer(text),
    }
    return [intent for intent, on in flags.items() if on]


def traps_in(text: str) -> list[TrapSeen]:
    """The cue tables' thinking traps, unless the message is itself a reframe."""
    if _LEARNED.search(text):  # "I learned I should have..." is the reframe, not a trap
        return []
    return [TrapSeen(trap=t, words=w) for t, w in traps.spot_words(text)]


FEELINGS = REPO_DIR / "knowledge" / "feelings.yaml"


@lru_cache(maxsize=1)
def _feeling_words() -> tuple[tuple[str, re.Pattern[str]], ...]:
    data = yaml.safe_load(FEELINGS.read_text(encoding="utf-8")) or {}
    return tuple((name, _rx(r"\b(" + "|".join(map(re.escape, words)) + r")\b"))
                 for name, words in data.items())


_NEGATED_FEELING = _rx(r"\b(not|no longer|never|isn'?t|wasn'?t|less)\W+(\w+\W+)?$")


def feelings_in(text: str) -> list[str]:
    """The feelings the message names (from knowledge/feelings.yaml), first named first.

    A negated one ("not angry", "no longer furious") is left out.
    """
    found: list[tuple[int, str]] = []
    for name, words in _feeling_words():
        for match in words.finditer(text):
            if not _NEGATED_FEELING.search(text[: match.start()]):
                found.append((match.start(), name))
                break
    return [name for _, name in sorted(found)]


_QUOTE = re.compile(r"[\"“]([^\"”]{15,})[\"”]|(?<!\w)'([^']{15,})'(?!\w)")
WORK_WORDS = 40  # the plan keeps at most this many of the person's words for one step


def work_of(step: int, text: str) -> str | None:
    """The sentences of `text` that do `step`'s work (none with a thinking trap), shortened.

    When no sentence reads as the step's work, the first plain one stands in; at step 3 a
    self-critical sentence is never kept: no sentence is better than that one.
    """
    plain = [x for x in sentences(text) if not traps_in(x) and not _STUCK.search(x)]
    fit = [x for x in plain if step_work(step, x, cues.read(x))]
    if not fit and step != 3:
        fit = plain[:1]
    words = " ".join(fit[:2]).split()
    if not words:
        return None
    return " ".join(words[:WORK_WORDS]) + ("..." if len(words) > WORK_WORDS else "")


def own_message(text: str) -> str | None:
    """A feedback message the person wrote themselves: a quoted one, or their own question."""
    quoted = _QUOTE.search(text)
    if quoted:
        return (quoted.group(1) or quoted.group(2)).strip()
    asks = [x for x in sentences(text) if x.endswith("?") and len(x.split()) >= 8]
    return asks[0] if asks else None


class RuleReader:
    """Reads a message with the cue tables, the story rules and the plan's time phrases."""

    name = "rules"

    def read(self, text: str, ctx: ReadingContext) -> Reading:
        text = normalise(text)
        found = cues.read(text)
        step = ctx.step
        return Reading(
            text=text,
            intents=intents_of(text, found),
            back_to=found.back_to,
            advice_topic=found.advice,
            answers_step=step_work(step, text, found),
            work=work_of(step, text),
            feelings=feelings_in(text),
            own_message=own_message(text) if step == 4 else None,
            speaks_to=[s for s in range(step + 1, 7) if step_work(s, text, found)],
            story=ctx.story,
            traps=traps_in(text),
            follow_up=plans.find_when(text),
            stop_rule=plans.find_stop_rule(text),
            reader=self.name,
        )


def negates_same_offer(text: str) -> bool:
    """The same-offer words are there, but only under a negation ("won't resend the deck")."""
    return bool(_SAME_OFFER.search(text)) and not _same_offer(text)
