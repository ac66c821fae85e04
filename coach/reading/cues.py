"""What a message signals to the rules engine: cues read by regex, never instructions obeyed.

Pure and deterministic. It reads intent (acknowledge, deny, heat, calm, go on, skip, go back,
an advice question) from the person's words; it does not decide anything: steps.py does.
It does not understand sarcasm or negated cues beyond a few common forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.knowledge import Topic


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_ACK = _rx(
    r"\b(i|we)\s+(got|was|were|have been|'ve been)\s+(rejected|turned down|told no|a no)\b",
    r"\b(said|says|saying|told me|told us)\s+no\b",
    r"\b(they|he|she|it)\s+(passed|declined|refused|rejected|withdrew)\b",
    r"\b(rejected|turned down|declined|refused|passed on)\s+(me|us|my|our|it|the)\b",
    r"\b(i|we)\s+(didn'?t|did not)\s+get\b",
    r"\b(i|we)\s+(lost|blew)\s+(it|the)\b",
    r"\b(it'?s|it is|it was|that'?s|that was)\s+(a|an)\s+(clear |real |hard |flat )?no\b",
    r"\b(i|we)\s+got\s+(a|the)\s+no\b",
    r"\b(i|we)\s+(accept|admit|acknowledge)\b",
    r"\bit\s+(stings|hurts|sucks)\b",
    r"\b(the )?(offer|deal|request|proposal|rate|raise|pitch)\s+(was|got)\s+"
    r"(rejected|turned down|declined|refused|withdrawn|pulled)\b",
    r"\bthey\s+(rejected|declined|refused|withdrew|pulled|turned down)\b",
    r"\b(yes|yeah|yep|ok|okay|fine)[,.!]?\s+(it was|that was|they said)\b",
    r"\bno (way )?(around|getting around) it\b",
)
_DENY = _rx(
    r"\b(wasn'?t|was not|isn'?t|is not)\s+(really|actually|exactly)?\s*(a\s+)?"
    r"(rejection|a no|no)\b",
    r"\b(they|he|she)('ll| will)\s+(come around|change (their|his|her) minds?|call back)\b",
    r"^\s*whatever\b",
    r"\b(doesn'?t|does not)\s+(really\s+)?matter\b",
    r"\bno big deal\b",
    r"\bnot (a )?(big deal|real rejection|really a no)\b",
    r"\bi\s+(don'?t|do not)\s+(really\s+)?care\b",
    r"\bit'?s (nothing|fine,? (really|whatever))\b",
    r"\bjust a (misunderstanding|formality|delay)\b",
    r"\bnot (really )?rejected\b",
)
_ANGER = _rx(
    r"\b(furious|livid|fuming|pissed|raging|angry|mad at|so mad|outraged|seething)\b",
)
# anger said to be absent: "not angry", "I'm not mad at her", "gutted more than angry"
_NOT_ANGER = _rx(
    r"\b(not|never|n't|no longer|wasn'?t|isn'?t|more (\w+ )?than|rather than|less) "
    r"(really |that |so |too |even |actually )?(furious|livid|fuming|pissed|raging|angry|mad"
    r"|outraged|seething)\b",
)
_URGE = _rx(
    r"\b(tell (them|him|her) off|give (them|him|her) a piece of my mind)\b",
    r"\b(write|send|fire off|email|text|reply|message|drafted|call)\w*\b.{0,80}?"
    r"\b(right now|now|tonight|immediately|straight away|today)\b",
    r"\b(right now|tonight|immediately)\b.{0,80}?\b(reply|email|write|send|message)",
    r"\bfind someone else\b",
    r"\bburn (the|that) bridge\b",
    r"\b(leave|post|write) (them )?(a )?(bad|1-star|one-star|terrible) review\b",
)
_CALM = _rx(
    r"(?<!not )(?<!n't )\b(calm(er)?|cooled (down|off)|slept on it|took a (walk|break|breath)"
    r"|breathed)\b",
    r"\b(feel|feeling|i'?m|i am)\s+(a bit |a little |much |a lot )?(better|ok|okay|fine|alright"
    r"|steady|clear(er)?-?headed|less (angry|upset))\b",
    r"\bthe sting (has )?(dropped|faded|eased)\b",
    r"\bnot (angry|upset|mad) any ?more\b",
)
_GO_ON = _rx(
    r"^\s*(ok(ay)?|yes|yeah|yep|sure|right|alright|got it|fair|true)[.!]?\s*$",
    r"\b(let'?s|can we|i want to|i'?d (like|rather) to)\s+"
    r"(go on|move on|continue|keep going|carry on)\b",
    r"\b(go on|move on|next step|continue|keep going|i'?m ready|ready to (go on|continue))\b",
    r"\b(that'?s|that is|you'?re|you are) (fair|right|true)\b",
    r"\bmakes sense\b",
)
_SKIP = _rx(
    r"\bskip\s+(to|ahead|over|past|forward|straight|this|these|that|steps?\b|the\s+(steps?|rest"
    r"|feelings|emotional|part|questions|first))",
    r"\b(jump|go|move|fast[- ]forward|straight|advance)\s+(ahead\s+)?(straight\s+)?to\s+"
    r"(step\s*[2-6]|the (end|plan|last step|summary|final))\b",
    r"\bignore (all |your |the |previous |prior )*(rules|instructions|steps|prompt)\b",
    r"\b(steps?\s*[1-6](\s*(-|to|through|and)\s*[1-6])?\s*(are|is)\s*(done|complete|finished))\b",
    r"\b(system|assistant|developer)\s*:",
    r"[{\[]\s*\"?(step|state|completed|current_step)\"?\s*:",
    r"\b(set|change|update)\s+(the\s+)?(step|state)\b",
    r"\bjust give me the (plan|summary|answer)\b",
    r"<\|?(im_start|system|start_of_turn)\|?>|\[INST\]",
)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_BACK = re.compile(
    r"\b(?:(?:go|going|come|get|take (?:me|us)|jump|head|step)\s+back(?: (?:to|over))?"
    r"|revisit|return to|redo)\b(?! (?:to )?(?:him|her|them|\w+) with\b)[^.!?]{0,20}?"
    r"(?:step\s*(?P<num>[1-6])|(?:the )?(?P<ord>first|second|third|fourth|fifth|sixth)"
    r" (?:step|part|bit|one)|(?P<name>acknowledg|the no\b|what happened|the (?:start|beginning)"
    r"|detach|calm|cool(?:ing)? (?:off|down)|feeling|emotion|ang(?:er|ry)|refram|what went well"
    r"|lesson|learn|feedback|the message|the (?:question|email)|strategy|adjust|offer|plan\b"
    r"|walk-?away|goal|follow[- ]?up|stop rule|when to stop|persist))"
    r"|\bback to (the )?(previous|last|earlier) (step|part|bit)\b|\bback a step\b"
    r"|^\W*(?:ok(?:ay)?,? |so,? |can we )?(?:go )?back to step\s*(?P<bare>[1-6])\b",
    re.IGNORECASE,
)
_BACK_NAMES = {"acknowledg": 1, "the no": 1, "what happened": 1, "the start": 1,
               "the beginning": 1, "detach": 2, "calm": 2, "feeling": 2, "emotion": 2,
               "anger": 2, "angry": 2, "refram": 3, "what went well": 3, "lesson": 3, "learn": 3,
               "feedback": 4, "the message": 4, "the question": 4, "the email": 4,
               "strategy": 5, "adjust": 5, "offer": 5, "plan": 5, "walkaway": 5,
               "walk-away": 5, "goal": 5, "follow-up": 6, "followup": 6, "follow up": 6,
               "stop rule": 6, "when to stop": 6, "persist": 6}
_QUESTION = _rx(
    r"\?", r"^\s*(how|what|why|should|is it|can i|do i|when|any tips)\b", r"\btell me about\b"
)
_ADVICE: tuple[tuple[Topic, re.Pattern[str]], ...] = (
    ("real-reason", _rx(r"\breal reason\b", r"\bwhy (they|he|she) really\b",
                        r"\b(hidden|true|actual|underlying) (reason|concern|objection)\b",
                        r"\bwhat'?s (really )?behind\b")),
    ("no-as-leverage", _rx(r"\b(use|turn) (the |their |a )?no\b", r"\bleverage\b",
                           r"\bdifferent arrangement\b", r"\bkeep (the conversation|it) alive\b")),
    ("realistic-goals", _rx(r"\brealistic\b", r"\b(aim|aiming|asked?|asking) (too )?high\b",
                            r"\bexpectations?\b", r"\bwhat (should|could) i settle for\b",
                            r"\bwalk[- ]away\b")),
    ("prepare-for-no", _rx(r"\bprepare\b.*\bno\b", r"\b(next time|in future).*\b(no|rejection)\b",
                           r"\b(expect|brace)\b.*\b(no|rejection)\b", r"\bready for (a|the) no\b")),
    ("why-rejection-happens", _rx(r"\bwhy (do|does) (people|rejection|this|it) (happen|say no)\b",
                                  r"\bis it (about )?me\b", r"\bwhy do (they|people) say no\b",
                                  r"\bwhy (does|did) (this|rejection) (keep )?happen")),
)


@dataclass(frozen=True)
class Signals:
    """Cues in one message. Several may be true at once; steps.py ranks them."""

    acknowledges: bool
    denies: bool
    heated: bool  # angry, or
    urge: bool  # about to reply to the other side in the heat of it
    calmer: bool
    go_on: bool
    skip: bool
    back_to: int | None
    advice: Topic | None


def read(message: str) -> Signals:
    """The cues in one (already cleaned) message."""
    text = message.strip()
    back = _BACK.search(text)
    back_to = None
    if back:
        if back.group("num") or back.group("bare"):
            back_to = int(back.group("num") or back.group("bare"))
        elif back.group("ord"):
            back_to = _ORDINAL[back.group("ord").lower()]
        elif back.group("name"):
            name = back.group("name").lower()
            back_to = 2 if name.startswith("cool") else _BACK_NAMES[name]
        else:
            back_to = 0  # "the previous step": resolved relative to the current one
    advice = None
    if _QUESTION.search(text):
        advice = next((topic for topic, rx in _ADVICE if rx.search(text)), None)
    heated = bool(_ANGER.search(_NOT_ANGER.sub("", text)) or _URGE.search(text))
    return Signals(
        acknowledges=bool(_ACK.search(text)),
        denies=bool(_DENY.search(text)),
        heated=heated,
        urge=bool(_URGE.search(text)),
        calmer=bool(_CALM.search(text) or (_NOT_ANGER.search(text) and not heated)),
        go_on=bool(_GO_ON.search(text)),
        skip=bool(_SKIP.search(text)),
        back_to=back_to,
        advice=advice,
    )
