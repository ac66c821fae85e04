"""Spot thinking traps (cognitive distortions) in what a person says about their rejection.

Rules only: cue phrases per trap, each with a weight for how surely it signals the trap.
`spot` scores every trap and returns the ones found, most likely first. It reads the
first few thousand characters, never raises, and does not understand negation beyond a
few cues; it is a pointer for the reframe step, not a diagnosis.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Trap = Literal[
    "personalizing", "overgeneralizing", "catastrophizing", "labeling", "mind_reading",
    "fortune_telling", "all_or_nothing", "should_statements", "disqualifying_the_positive",
    "emotional_reasoning", "blaming", "comparing",
]

TRAP_NAMES: dict[Trap, str] = {
    "personalizing": "personalizing",
    "overgeneralizing": "overgeneralizing",
    "catastrophizing": "catastrophizing",
    "labeling": "labeling",
    "mind_reading": "mind reading",
    "fortune_telling": "fortune telling",
    "all_or_nothing": "all-or-nothing thinking",
    "should_statements": "should statements",
    "disqualifying_the_positive": "disqualifying the positive",
    "emotional_reasoning": "emotional reasoning",
    "blaming": "blaming",
    "comparing": "comparing",
}

_EXPLANATIONS: dict[Trap, str] = {
    "personalizing": "Personalizing is reading their No as a verdict on you, when it is usually "
    "about the offer, the timing or their own limits.",
    "overgeneralizing": "Overgeneralizing is turning one No into a rule, as if this answer "
    "predicts every negotiation you will ever have.",
    "catastrophizing": "Catastrophizing is treating a single No as a disaster, when most "
    "rejections leave room to adjust and come back.",
    "labeling": "Labeling is pinning a harsh name on yourself or the other side, which hides "
    "what actually happened in the negotiation.",
    "mind_reading": "Mind reading is being sure you know what the other side thinks of you "
    "without them having said it.",
    "fortune_telling": "Fortune telling is predicting that the next attempt will fail before "
    "you have made it.",
    "all_or_nothing": "All-or-nothing thinking sees the outcome as total success or total "
    "failure, with nothing learned or gained in between.",
    "should_statements": "Should statements judge you by rigid rules about what you should "
    "have done, instead of asking what you can do next.",
    "disqualifying_the_positive": "Disqualifying the positive waves away what went well, as "
    "luck or politeness, so only the No counts.",
    "emotional_reasoning": "Emotional reasoning takes a feeling as proof, as if feeling like a "
    "failure after a No means you are one.",
    "blaming": "Blaming puts the whole outcome on the other side, which leaves you nothing to "
    "learn or change for the next round.",
    "comparing": "Comparing measures your No against other people's wins, without knowing "
    "their offers, timing or luck.",
}

_SCAN_LIMIT = 4000
_ME = r"(?:i'm|i am|im|i've been|i was|i feel like|i'm such|i really am)"
_INSULT = (r"(?:idiot|failure|loser|fool|fraud|joke|moron|stupid|useless|worthless|pathetic|"
           r"incompetent|hopeless|disaster|mess|dumb|clown|nobody|imposter|impostor|amateur)")
_OTHER_INSULT = r"(?:jerk|idiots?|liars?|greedy|cheap|cheapskates?|crooks?|clowns|morons|snakes?)"
_SOMEONE = r"(?:they|he|she|everyone|everybody|people|my (?:boss|client|manager|team))"
_FEEL = r"(?:i feel|i felt|i'm feeling|it feels|this feels|i just feel)"

# (trap, weight, pattern): weight 3 = a near-certain cue, 1 = a hint that needs company
_RULES: tuple[tuple[Trap, int, str], ...] = (
    ("personalizing", 3, r"\b(?:(?:all )?my fault|because of me|it'?s (?:all )?on me|"
                         r"i'?m (?:the|to) (?:reason|blame)|"
                         r"i (?:ruined|blew|sabotaged) (?:it|this|everything)|"
                         r"i (?:messed|screwed) up everything|something(?:'s| is) wrong with me|"
                         r"it'?s (?:me|about me)\b|i'?m (?:\w+ ){0,2}?not (?:good|smart|"
                         r"talented|experienced|strong|worth)(?: \w+)? enough)"),
    ("personalizing", 2, r"\b(?:(?:rejected|turned down|refused|said no to) me\b|they (?:don't|"
                         r"didn't) (?:like|want|value) me|(?:they|he|she) (?:said no|rejected)"
                         r"[^.]{0,30}because (?:of )?(?:me|i)\b)"),
    ("overgeneralizing", 3, r"\b(?:this )?always happens|every (?:single )?time|"
                            r"i always (?:mess|screw|fail|lose|blow|ruin|get (?:rejected|turned|"
                            r"it wrong))|i never (?:get|win|land|close|succeed|do anything right)|"
                            r"never (?:works?|goes|get|gets|work out)|nobody ever|no one ever|"
                            r"everyone always|all (?:clients|recruiters|investors|landlords|"
                            r"managers|people|men|women|companies) (?:are|do|want)\b"),
    ("overgeneralizing", 1, r"\b(?:always|never|everyone|everybody|nobody|no one|all the time|"
                            r"again and again|every \w+)\b"),
    ("catastrophizing", 3, r"\b(?:ruin(?:ed|s)?|disaster|catastroph\w*|end of (?:the world|my "
                           r"career|everything)|(?:my|the) (?:career|business|life) is over|"
                           r"doomed|nightmare|lose everything|go (?:bankrupt|broke|under)|"
                           r"(?:be|end up) homeless|never recover|falling apart|can'?t survive)\b"),
    ("catastrophizing", 2, r"\b(?:the worst|terrible|horrible|awful|devastat\w*|destroyed|"
                           r"it'?s over|everything is (?:gone|lost)|what if [^.?]{0,40}"
                           r"(?:fired|lose|broke|never))\b"),
    ("labeling", 3, rf"\b{_ME} (?:(?:such |a |an |a total |a complete |so |just |a real )+)?"
                    rf"{_INSULT}\b|\bwhat an? {_INSULT}\b|\b(?:i|me),? the {_INSULT}\b"),
    ("labeling", 2, rf"\b(?:they|he|she|(?:my|the|our) \w+)(?:'re|'s| are| is| was| were) "
                    rf"(?:such |a |an |just |so |total |"
                    rf"complete )*{_OTHER_INSULT}\b|\bwhat an? (?:jerk|idiot)\b"),
    ("mind_reading", 3, rf"\b{_SOMEONE} (?:must|probably|obviously|clearly)? ?(?:think|thinks|"
                        r"thought|see|sees|saw|believe|believes) "
                        r"(?:i'?m|i am|i was|me as|of me)\b|"
                        rf"\b{_SOMEONE} (?:probably |must |secretly )?(?:hate|hates|despise|"
                        rf"despises|laugh(?:s|ed|ing)? at|look(?:s)? down on|judg\w*) me\b|"
                        r"\bi (?:just )?know (?:what )?(?:they|he|she) (?:think|thought|feel)"),
    ("mind_reading", 2, rf"\b{_SOMEONE} (?:must (?:think|feel|be)|(?:don't|doesn't|didn't) "
                        r"(?:respect|trust|take) (?:me|my)|could tell (?:they|he|she))"),
    ("fortune_telling", 3, r"\b(?:i'?ll|i will|it'?ll|it will|they'?ll|they will|i'?m going to|"
                           r"it'?s going to|nobody will|no one will) (?:never|fail|lose|get "
                           r"rejected|be (?:rejected|fired|laughed at)|say no|turn me down|"
                           r"end up|not work|not happen|go wrong)\b|\b(?:won'?t ever|will never|"
                           r"(?:i'?ll|i will) never)\b|\bit (?:won'?t|will not) (?:work|happen)"
                           r"\b|\bbound to (?:fail|lose|go wrong)|\bno point (?:in )?(?:trying|"
                           r"asking)|what'?s the point|\bpointless\b"),
    ("fortune_telling", 1, r"\b(?:i just know|there'?s no way|never going to|going to fail)\b"),
    ("all_or_nothing", 3, r"\b(?:complete|total|utter) (?:failure|waste|mess|loss)\b|"
                          r"\b(?:nothing|everything) (?:i do |ever )?(?:works|worked|goes right|"
                          r"is ruined|went wrong|is wrong)\b|\ball or nothing\b|"
                          r"\b(?:not|isn'?t|wasn'?t) (?:perfect|good enough)\b.{0,20}\b(?:so|then)"
                          r"\b|\bwasted (?:all|every|the whole)\b|\bcompletely (?:useless|"
                          r"worthless|wrong|failed|hopeless)\b"),
    ("all_or_nothing", 2, r"\b(?:completely|totally|entirely|absolutely|perfect(?:ly)?|"
                          r"worthless|100%|zero chance|either [^.]{1,40} or)\b"),
    ("should_statements", 3, r"\b(?:i|we) (?:should(?:n'?t)?|must|ought to)(?: not)? have\b|"
                             r"\bi shouldn'?t\b|\bi should (?:be|know|always|never|not)\b|"
                             r"(?<!so )\bi (?:ought to|must) (?:always )?(?:be|know|get)\b|"
                             r"\bi(?:'m| am| was) supposed to\b|\b(?:they|he|she) should(?:n'?t)?"
                             r"(?: have)?\b"),
    ("should_statements", 1, r"\b(?:should|must|have to|ought to|supposed to)\b"),
    ("disqualifying_the_positive", 3, r"\b(?:only|just) (?:because|luck|lucky|got lucky|"
                                      r"being (?:nice|polite|kind))|"
                                      r"\b(?:was|got|were) (?:just|only) lucky\b|\bfluke\b|"
                                      r"(?:doesn'?t|didn'?t|don'?t) (?:really )?(?:count|matter|"
                                      r"mean anything)|\banyone could (?:have )?(?:do|done)\b|"
                                      r"(?:being|were|was) (?:just|only|simply) (?:being )?"
                                      r"(?:nice|polite|kind)\b|\bonly said (?:it|that) to\b"),
    ("disqualifying_the_positive", 2, r"\byes,? but\b|\bbut that'?s (?:nothing|not enough|"
                                      r"not much)\b|\bit was nothing\b"),
    ("emotional_reasoning", 3, rf"{_FEEL} (?:like )?[^.]{{1,50}}\b(?:so|therefore|which means)"
                               r" (?:it|i|this|that|they)(?: \w+)? (?:must|is|am|are|was)\b|"
                               rf"\b(?:because|since) {_FEEL}\b|\bfeels? (?:true|like the truth|"
                               r"real)\b|\bmy gut (?:says|tells)"),
    ("emotional_reasoning", 2, rf"{_FEEL} (?:like )?(?:a |an |such a )?(?:failure|fraud|loser|"
                               r"idiot|worthless|useless|stupid|nobody)\b|\bi feel (?:it|that) "
                               r"(?:it|they|this)\b"),
    ("blaming", 3, r"\b(?:it'?s|it is|it was|all) (?:all )?(?:their|his|her|your|the \w+'s) "
                   r"fault\b|\b(?:they|he|she) (?:ruined|screwed up|messed up|sabotaged|"
                   r"did this to|made me)\b|\bblame (?:them|him|her|the)\b|\b(?:they|he|she) "
                   r"(?:never|didn'?t) (?:gave|give) me (?:a )?chance\b|\b(?:because|thanks) "
                   r"(?:of|to) (?:them|him|her|their|his)\b"),
    ("blaming", 2, r"\b(?:unfair|rigged|not my fault|wasn'?t my fault|(?:they're|they are|he's|"
                   r"she's) (?:the problem|to blame))\b"),
    ("comparing", 3, r"\b(?:everyone|everybody|others|other people|my (?:colleagues|friends|"
                     r"peers|sister|brother)|other (?:\w+ )?(?:freelancers|candidates|founders|"
                     r"people))(?: else| all)? (?:gets?|got|has|have|earns?|earned|makes?|made|"
                     r"charges?|is|are|seems?)\b[^.]{0,60}\b(?:but|while|and) (?:i|me)\b|"
                     r"\b(?:better|more successful|smarter|richer|luckier|further ahead) than "
                     r"me\b|\bunlike me\b|\bwhy (?:can'?t|don'?t|do) i\b|\bcompared (?:to|with)"
                     r" (?:him|her|them|others|everyone)\b|\bi'?m the only one\b"),
    ("comparing", 1, r"\b(?:everyone else|other people|compared to|than me)\b"),
)
_COMPILED = tuple((trap, weight, re.compile(p, re.IGNORECASE)) for trap, weight, p in _RULES)
_ORDER: dict[Trap, int] = {trap: i for i, trap in enumerate(TRAP_NAMES)}
_MIN_SCORE = 2  # a lone weak hint ("always", "should") is not enough to name a trap


def spot(text: str) -> list[Trap]:
    """The thinking traps in the text, most likely first; empty when none is clear."""
    return [trap for trap, _ in spot_words(text)]


def spot_words(text: str) -> list[tuple[Trap, str]]:
    """Each clear trap with the words that first showed it, most likely first."""
    if not isinstance(text, str) or not text.strip():
        return []
    clean = unicodedata.normalize("NFKC", text[:_SCAN_LIMIT]).replace("\u2019", "'").lower()
    scores: dict[Trap, int] = {}
    first_seen: dict[Trap, re.Match[str]] = {}
    for trap, weight, pattern in _COMPILED:
        match = pattern.search(clean)
        if match is None:
            continue
        scores[trap] = scores.get(trap, 0) + weight
        if trap not in first_seen or match.start() < first_seen[trap].start():
            first_seen[trap] = match
    found = [trap for trap, score in scores.items() if score >= _MIN_SCORE]
    ranked = sorted(found, key=lambda t: (-scores[t], first_seen[t].start(), _ORDER[t]))
    return [(trap, first_seen[trap].group(0)) for trap in ranked]


def explain(trap: Trap) -> str:
    """One plain sentence on what the trap is, in a negotiation context."""
    return _EXPLANATIONS[trap]
