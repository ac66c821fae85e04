"""The Story of one rejection, as the coach understands it, and its rule-based extractor.

The rules are regexes and keyword lists (stdlib only, well under a millisecond per message).
They read only the first few thousand characters, never raise, and leave a field unknown
rather than guess wildly; an LLM extractor can sit behind the same `StoryExtractor` protocol.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

Context = Literal["business_deal", "job_offer", "personal_request", "other"]


class Story(BaseModel):
    """What the person told us about their rejection; every field may still be unknown."""

    model_config = ConfigDict(extra="forbid")

    context: Context = Field(default="other", description="What kind of negotiation it was.")
    counterparty: str | None = Field(
        default=None, description="Who said no, in the person's words (e.g. 'Jonas at Lexa')."
    )
    ask: str | None = Field(
        default=None, description="What the person asked for or offered (e.g. 'a 0.13 rate')."
    )
    stated_reason: str | None = Field(
        default=None, description="The reason the other side gave, if any."
    )
    emotions: list[str] = Field(default_factory=list, description="Feelings the person named.")
    time_since: str | None = Field(default=None, description="When it happened, as said.")
    has_rejection: bool = Field(
        default=False, description="Whether the text actually describes a No."
    )


class StoryExtractor(Protocol):
    """Anything that turns a person's message (and what we knew before) into a Story."""

    def extract(self, text: str, prior: Story | None = None) -> Story: ...


class RuleStoryExtractor:
    """The offline extractor: keyword and pattern rules, merged into what was known before.

    Merging: a known field keeps its value unless the new text tells of the No again and
    gives one with a strong signal (a quoted reason, an amount, a named person, a clearly
    different context);
    emotions accumulate without duplicates; a No once heard stays heard.
    """

    def extract(self, text: str, prior: Story | None = None) -> Story:
        prior = prior or Story()
        try:
            clean = normalize(text)
            return _merge(prior, clean)
        except Exception:  # an odd message must never break a conversation
            return prior.model_copy(deep=True)


def _merge(prior: Story, text: str) -> Story:
    context, context_strong = context_of(text)
    counterparty, who_strong = counterparty_of(text)
    ask, ask_strong = ask_of(text)
    reason, reason_strong = reason_of(text)
    if reason and reason.rstrip().endswith("?"):  # a question quoted is the person's own draft
        reason, reason_strong = None, False
    time_since = time_of(text)
    emotions = list(prior.emotions)
    for emotion in emotions_of(text):
        if emotion not in emotions:
            emotions.append(emotion)
    # a known fact changes only when the new text tells of the No again: a later message's
    # amount is the new offer, its quote the person's own draft, not what was refused
    told = has_rejection(text)
    switch = context_strong and told
    return Story(
        context=context if context != "other" and (prior.context == "other" or switch)
        else prior.context,
        counterparty=_pick(prior.counterparty, counterparty, who_strong and told),
        ask=_pick(prior.ask, ask, ask_strong and told),
        stated_reason=_pick(prior.stated_reason, reason, reason_strong and told),
        emotions=emotions,
        time_since=_pick(prior.time_since, time_since, False),  # the first 'when' is the No's
        has_rejection=prior.has_rejection or has_rejection(text),
    )


def _pick(old: str | None, new: str | None, strong: bool) -> str | None:
    if new is None:
        return old
    return new if old is None or strong else old


def details(story: Story) -> tuple[str, ...]:
    """The person's specifics a good reply should reuse: who, what was asked, why they said no."""
    found = (story.counterparty, story.ask, story.stated_reason)
    return tuple(re.sub(r"\s+", " ", d).strip() for d in found if d and d.strip())


# --- The rules. Each reader takes normalized text and never raises on odd input. ---

_SCAN_LIMIT = 4000  # a first message longer than this is a paste; its start tells the story
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]"
)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})


def normalize(text: object) -> str:
    """The scanned part of a message: capped, NFKC, straight quotes, no control characters."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text[:_SCAN_LIMIT]).translate(_QUOTES)
    text = _HONORIFIC.sub(r"\1", text)  # "Mrs. Okafor" is one name, not a sentence end
    return re.sub(r"[ \t]+", " ", _INVISIBLE.sub(" ", text)).strip()


_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof)\.")


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_CONTEXT_CUES: tuple[tuple[Context, int, re.Pattern[str]], ...] = (
    ("business_deal", 3, _rx(r"\braise (?:a |the |our )?(?:\w+ )?(?:round|money|funds|capital)\b")),
    ("job_offer", 2, _rx(r"\b(?:salar(?:y|ies)|pay ?rise|raise|promotion|compensation|job offer|"
                         r"offer letter|recruiter|hiring manager|interview\w*|hr|headhunter|"
                         r"signing bonus|counter-?offer|the (?:job|position|role)|"
                         r"(?:withdr[ae]w\w*|rescind\w*|pulled) (?:the|my) offer)\b")),
    ("job_offer", 1, _rx(r"\b(?:job|position|role|employer|hired|hiring|candidate|applied|cv|"
                         r"resume)\b")),
    ("business_deal", 2, _rx(r"\b(?:clients?|customers?|contracts?|renewal|renew|agenc(?:y|ies)|"
                             r"suppliers?|vendors?|investors?|pitch\w*|proposal|term sheet|funding|"
                             r"procurement|tender|freelanc\w*|retainer|partnership|"
                             r"business partner|vc|startup|wholesale|distributor|deal with|"
                             r"publishers?|manuscript|literary agent|book deal|"
                             r"sponsors?(?:hip)?|consult\w*|propos(?:al|ed)|"
                             r"(?:seed|funding|series [a-e]) round)\b")),
    ("business_deal", 1, _rx(r"\b(?:deal|rates?|per (?:word|hour|day)|budget|pricing|fee|quote|"
                             r"business|account|invoice)\b")),
    ("personal_request", 2, _rx(r"\b(?:(?:swap|change|move|switch) (?:my |our )?(?:\w+ )?"
                                r"shifts?|schedule|rota|landlord|landlady|rent|lease|time off|"
                                r"days? off|vacation|holiday|leave|work from home|neighbou?rs?|"
                                r"roommate|flatmate|"
                                r"my (?:wife|husband|partner|girlfriend|boyfriend|mom|mum|dad|"
                                r"mother|father|parents|sister|brother|family|son|daughter|friends?))\b")),
    ("personal_request", 2, _rx(r"\bmy (?:wife|husband|partner|girlfriend|boyfriend|mom|mum|"
                                r"dad|mother|father|parents|sister|brother|friend) (?:said no|"
                                r"refused|declined|turned|rejected|won't|wouldn't|didn't want)")),
    ("personal_request", 1, _rx(r"\b(?:friends?|family|partner|favou?r|borrow|lend|wedding)\b")),
    ("other", 2, _rx(r"\b(?:car|dealer(?:ship)?|seller|haggl\w*|asking price|mortgage|refund|"
                     r"the house|an apartment|purchase)\b")),
)


def context_of(text: str) -> tuple[Context, bool]:
    """The best-scoring context, and whether it clearly beats the runner-up."""
    scores: dict[Context, int] = {"job_offer": 0, "business_deal": 0, "personal_request": 0,
                                  "other": 0}
    for context, weight, pattern in _CONTEXT_CUES:
        scores[context] += weight * len(pattern.findall(text))
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])  # stable: ties keep the order above
    (best, top), (_, second) = ranked[0], ranked[1]
    if top == 0:
        return "other", False
    return best, top >= 2 and top > second


_ROLE = (r"(?:hiring manager|project manager|account manager|product manager|line manager|"
         r"team lead|recruiter|landlord|landlady|boss|manager|director|ceo|cfo|cto|founder|owner|"
         r"hr|client|customer|investor|vc|partner|agency|buyer|seller|dealer|dealership|salesman|supplier|"
         r"vendor|procurement team|editor|publisher|agent|sponsor|funder|donor|committee|board|"
         r"bank|lender|distributor|wholesaler|retailer|supervisor|nurse|doctor|teacher|coach|"
         r"principal|dean|lawyer|contractor|realtor|estate agent|broker|colleague|coworker|"
         r"co-?founder|head of [a-z]+|venue|friend|ex|ex-wife|ex-husband|ex-partner|co-parent|"
         r"neighbou?r|roommate|flatmate|wife|husband|girlfriend|boyfriend|mom|mum|dad|mother|"
         r"father|parents|sister|brother|company|employer|panel|interviewer|professor)s?")
_ROLE_PHRASE = (  # "the team lead position" is a job, not a person
    rf"(?:my|our|the|their|his|her|an?)\s+(?:[a-z][\w-]*\s+){{0,2}}?{_ROLE}\b"
    r"(?!\s+(?:position|role|job|meeting|call|interview|seat))"
)
_NAME = r"(?-i:[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)"
_NOT_NAMES = frozenset(  # capitalized words that start sentences, not names
    re.findall(
        r"\w+",
        "I The My We They He She It Their Our His Her But And So Then After When Last This That "
        "Today Yesterday Monday Tuesday Wednesday Thursday Friday Saturday Sunday Hi Hello Hey "
        "Ok Okay Well Now Also Just Honestly Still What How Why",
    )
)
_SPEECH = r"(?:said|says|told|wrote|replied|answered|responded|emailed|texted|called|rejected|" \
          r"turned|declined|passed|refused|withdrew|pulled|came back|went with|decided|won't|" \
          r"wouldn't|can't)"
_NAME_ROLE = _rx(rf"\b({_NAME}),\s+({_ROLE_PHRASE})|\b({_ROLE_PHRASE}),?\s+({_NAME})\b,?")
_NAME_SPEAKS = _rx(
    rf"\b({_NAME}(?:\s+(?:at|from)\s+(?-i:[A-Z][\w&]+(?:\s[A-Z][\w&]+){{0,2}}))?),?\s+"
    rf"{_SPEECH}\b"
)
_TEAM_SPEAKS = _rx(rf"\b((?:HR|procurement|legal|finance|management)(?:\s+at\s+(?:the\s+)?\w+)?)"
                   rf"\s+{_SPEECH}\b")
_ROLE_SPEAKS = _rx(rf"\b({_ROLE_PHRASE})\s+{_SPEECH}\b")
_SPOKE = _rx(rf"\s*(?:\w+\s+)?{_SPEECH}\b")
_ANY_ROLE = _rx(rf"\b{_ROLE_PHRASE}")
_ORG = _rx(r"\b(?:(?:agency|client|company|employer|customer|startup|firm|supplier|fund|studio),?"
           r"\s+|at\s+)(?-i:([A-Z][\w&]+))")  # "with Sarah" is a meeting, not a company


def counterparty_of(text: str) -> tuple[str | None, bool]:
    """Who said no, preferring a name with a role; strong when a person is clearly named."""
    pairs = [m for m in _NAME_ROLE.finditer(text) if (m[1] or m[4]).split()[0] not in _NOT_NAMES]
    # "my agency, Lexa, ... their project manager, Jonas, wrote back": the one who spoke wins
    pairs.sort(key=lambda m: not _SPOKE.match(text, m.end()))
    if pairs:
        m = pairs[0]
        name, role = (m[1], m[2]) if m[1] else (m[4], m[3])
        return _with_org(f"{name}, {_lower_first(role)}", text), True
    for speaker in _NAME_SPEAKS.finditer(text):
        if speaker[1].split()[0] not in _NOT_NAMES:
            return _with_org(speaker[1], text), True
    team = _TEAM_SPEAKS.search(text)
    if team:
        return team[1], True
    match = _ROLE_SPEAKS.search(text) or _ANY_ROLE.search(text)
    if match is None:
        return None, False
    return _with_org(_lower_first(match[1] if match.re is _ROLE_SPEAKS else match[0]), text), False


def _with_org(who: str, text: str) -> str:
    org = _ORG.search(text)
    if org is None or org[1] in who or org[1] in _NOT_NAMES or who.lower().endswith("agency"):
        return who
    return f"{who} at {org[1]}"


def _lower_first(phrase: str) -> str:
    """'My landlord' at a sentence start reads as 'my landlord' inside a reply."""
    return re.sub(r"^(?:My|Our|The|Their|His|Her)\b", lambda m: m[0].lower(), phrase)


_NUM = r"(?<![\d,.])\d[\d,]{0,12}(?:\.\d{1,4})?"  # bounded: no backtracking on digit runs
_AMOUNT = _rx(
    rf"[$€£¥]\s?{_NUM}\s?(?:k|m|bn|million|thousand)?(?!\w)(?:\s(?:per|an?)\s\w+|\s?/\s?\w+)?"
    rf"|{_NUM}\s?(?:%|percent|per ?cent|k\b|(?:dollars|euros?|pounds|usd|eur|gbp|bucks)\b)"
    rf"(?:\s?(?:per|an?|/)\s?(?:word|hour|day|week|month|year))?"
    rf"|{_NUM}\s?(?:per|an?|/)\s?(?:word|hour|hr|day|week|month|year|unit|seat)\b"
)
_PHRASE = r"(?:[^.,;!?\n]|[.,](?=\d)){3,90}"  # up to a clause end, keeping "0.13", "$120,000"
_ASK_VERBS = (  # the person's own ask first; what they were offered only as a fallback
    _rx(r"\b(?:asked\s+(?:[\w']+\s+){0,3}?(?:for|about)|asking for|requested|proposed|"
        r"quoted|wanted|hoped for|was hoping for|countered with|counter-?offered|suggested|"
        r"applied for|negotiated for|made an offer of|put in an offer of|"
        r"(?:my|our) (?:request|proposal|ask) (?:for|of|to))\s+"
        rf"(?P<ask>{_PHRASE})"),
    _rx(rf"\basked\s+(?:[\w']+\s+){{1,3}}?(?P<ask>(?:if|whether|to)\s{_PHRASE})"),
    # "I pitched Dana, the buyer at Greenleaf, to stock our jars at $4.20": the pitch, not a price
    _rx(rf"\b(?:pitched|asked|begged|convinced|persuade|persuaded|invited)\b[^.;!?]{{0,60}}?,\s+"
        rf"(?P<ask>to\s{_PHRASE})"),
    _rx(rf"\b(?:offered|told \w+(?: \w+)? that|announced that)\s+(?P<ask>{_PHRASE})"),
)
_CUT = re.compile(r",\s|\s(?:but|because|since|so|which|and (?:the|they|he|she|it|was|got|then|"
                  r"my|his|her|their|we|I))\s",
                  re.IGNORECASE)
_WHERE_TO = re.compile(r"to\s+(?:the|an?|my|our|their|some|\d|[A-Z])")  # a place, not an ask
_MONEY_NOUN = _rx(r"\b(rate|raise|salary|price|fee|rent|budget|offer|valuation|discount|increase|"
                  r"pay|base|bonus|investment|funding)\b")


def ask_of(text: str) -> tuple[str | None, bool]:
    """What was asked for or offered; strong when it carries an amount."""
    fragments = []
    for pattern in _ASK_VERBS:
        for match in pattern.finditer(text):
            fragment = _CUT.split(match["ask"], maxsplit=1)[0].strip(" '\"")
            fragment = re.sub(r"^(?:for|about)\s+", "", fragment, flags=re.IGNORECASE)
            fragment = re.sub(r"\s+", " ", _TIME.sub("", fragment)).strip()
            if len(fragment) >= 3 and not _WHERE_TO.match(fragment):
                fragments.append(fragment)
    for fragment in fragments:
        if _AMOUNT.search(fragment):
            return fragment, True
    amount = _amount_phrase(text)
    if amount:
        return amount, True
    return (fragments[0], False) if fragments else (None, False)


_TARGET = re.compile(r"\b(?:to|for|of)\s*$")  # "from 0.10 to 0.13": the amount asked for


def _amount_phrase(text: str) -> str | None:
    """'my rate goes from 0.10 to 0.13 per word' -> 'a rate of 0.13 per word'."""
    amounts = list(_AMOUNT.finditer(text))
    if not amounts:
        return None
    targeted = [a for a in amounts if _TARGET.search(text, max(0, a.start() - 8), a.start())]
    amount = (targeted or amounts)[0]
    nouns = list(_MONEY_NOUN.finditer(text, _span(text, amount.start())[0], amount.start()))
    figure = amount[0].strip()
    return f"a {nouns[-1][1].lower()} of {figure}" if nouns else figure


_QUOTED = re.compile(r'"([^"\n]{3,200})"')
_QUOTE_INTRO = _rx(r"\b(\w+)\s+(?:(?:almost|just|then|finally|only|nearly)\s+)?(?:said|says|"
                   r"wrote|told|replied|asked|texted|emailed|answered|thought|think|"
                   r"wanted to (?:say|write))\b")
_BECAUSE = _rx(r"(?:\b(?:because|since|due to|citing|the reason (?:given )?(?:was|is)|"
               r"explained that|apparently)|(?<=,) as)\s+(?P<r>[^.;!?\n\"]{3,150})")
_SAID = _rx(r"\b(?:said|says|saying|tells? (?:me|us)|told (?:me|us)|wrote|replied|answered|"
            r"mentioned)(?!\s+(?:no|yes)\b)"
            r"(?:\s+that)?\s+(?P<r>[^.;!?\n\"]{3,150})")
_REASON_CUE = _rx(r"\b(?:no budget|budget|not the right time|timing|overqualified|underqualified|"
                  r"not a (?:good |great )?fit|"
                  r"too (?:expensive|high|much|early|late|junior|senior)|"
                  r"can't afford|cannot afford|policy|freeze|other priorities|not hiring|"
                  r"more experience|cheaper|internal candidate|(?:higher|better|another|lower) "
                  r"(?:bid|offer))\b")


def reason_of(text: str) -> tuple[str | None, bool]:
    """The reason the other side gave; a quote of theirs is the strongest signal."""
    for quote in _QUOTED.finditer(text):
        intros = list(_QUOTE_INTRO.finditer(text, max(0, quote.start() - 60), quote.start()))
        if not intros or intros[-1][1].lower() not in {"i", "we"}:  # not the person's own words
            return quote[1].strip(), True
    for pattern in (_BECAUSE, _SAID):
        for match in pattern.finditer(text):
            before = text[: match.start()]
            if pattern is _BECAUSE and not has_rejection(before):
                continue  # "since it's a weekday" before any No is the person's own reasoning
            if pattern is _SAID and re.search(r"\b(?:I|we)\s+$", before[-4:]):
                continue  # what the person said is not the other side's reason
            reason = _before_no(_CUT.split(match["r"], maxsplit=1)[0])
            if reason:  # strong only beside a No: "my friend said ..." is not their reason
                return reason, has_rejection(_sentence(text, match.start()))
    cue = _REASON_CUE.search(text)
    if cue is None:
        return None, False
    return _clause(text, cue.start()), False


def _before_no(reason: str) -> str | None:
    """Drop the No itself: "that's not how they do it and pulled the offer" keeps its start."""
    no = _NO.search(reason)
    if no:
        reason = re.sub(r"[\s,]*(?:and|but|so|then)?\s*$", "", reason[: no.start()])
    reason = re.sub(r"\s+", " ", _TIME.sub("", reason)).strip(" ,")
    # cut before a No, two words are only its subject ("the publisher passed on ...")
    return reason if len(reason.split()) >= (3 if no else 2) else None


_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n")  # not the point in "0.13"
_CLAUSE_END = re.compile(r"[.,;:!?](?=\s|$)|\n|\s(?:and|but|so|then)\s")


def _span(text: str, at: int, end: re.Pattern[str] = _SENTENCE_END) -> tuple[int, int]:
    """The sentence (or clause) around position `at`."""
    starts = [m.end() for m in end.finditer(text, 0, at)]
    after = end.search(text, at)
    return (starts[-1] if starts else 0), (after.start() if after else len(text))


def _sentence(text: str, at: int) -> str:
    start, stop = _span(text, at)
    return text[start:stop]


def _clause(text: str, at: int) -> str:
    start, stop = _span(text, at, _CLAUSE_END)
    return text[start:stop].strip()[:150]


_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_COUNT = r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a few|several)"
_TIME = _rx(
    rf"\b(?:the day before yesterday|yesterday(?: (?:morning|afternoon|evening))?|"
    rf"earlier today|this (?:morning|afternoon|evening|week)|last (?:night|week|month|year|"
    rf"weekend|{_WEEKDAY})|{_COUNT} (?:minutes?|hours?|days?|weeks?|months?|years?) ago|"
    rf"on {_WEEKDAY}|a while (?:ago|back)|just now|today|tonight|recently)\b"
)


def time_of(text: str) -> str | None:
    """When it happened, in the person's words ('last Friday', 'two weeks ago')."""
    match = _TIME.search(text)
    return match[0] if match else None


_EMOTIONS: tuple[tuple[str, str], ...] = (
    ("angry", r"angry|furious|mad|livid|pissed(?: off)?|enraged|fuming|rage"),
    ("frustrated", r"frustrat\w*"),
    ("hurt", r"hurt|stung|wounded"),
    ("embarrassed", r"embarrass\w*|humiliat\w*|mortified"),
    ("anxious", r"anxious|anxiety|nervous|worried|scared|afraid|panick\w*|stressed|on edge"),
    ("sad", r"sad|gutted|heartbroken|miserable|depressed|feel(?:ing)? (?:so |really )?down"),
    ("disappointed", r"disappoint\w*|let down"),
    ("annoyed", r"annoy\w*|irritat\w*|irked"),
    ("ashamed", r"ashamed|shame"),
    ("numb", r"numb"),
    ("devastated", r"devastat\w*|crushed"),
    ("upset", r"upset"),
    ("hopeless", r"hopeless"),
    ("discouraged", r"discourag\w*|demoralized|demotivated|defeated"),
    ("jealous", r"jealous|envious"),
    ("confused", r"confused|baffled"),
)
_EMOTION_RX = tuple((name, _rx(rf"\b(?:{words})\b")) for name, words in _EMOTIONS)
_NEGATED = _rx(r"\b(?:not|n't|no longer|never|less)\s+(?:\w+\s+)?$")


def emotions_of(text: str) -> list[str]:
    """Feelings named in the text, in lexicon order, skipping negated ones ('not angry')."""
    found = []
    for name, pattern in _EMOTION_RX:
        for match in pattern.finditer(text):
            if not _NEGATED.search(text[max(0, match.start() - 20) : match.start()]):
                found.append(name)
                break
    return found


_NO = _rx(
    r"\b(?:said:? \"?no|says? no|told (?:me|us) no|(?:going to|gonna|we'll|we will|they'll|"
    r"decided to|have to|had to) pass\b|offer (?:was |got |been )?(?:pulled|withdrawn|rescinded)|"
    r"(?:got|get|received|heard) an? (?:\w+ )?no\b|"
    r"answer (?:was|is) (?:a )?(?:\w+ )?no|a (?:hard|flat|firm|polite|clear) no|"
    r"turned (?:[\w']+\s+){0,3}?down|rejected|rejection|reject(?:s)? (?:my|our|the|it|me)|"
    r"passed on|declined|refused|withdr[ae]w\w*|"
    r"rescinded|pulled (?:the|their|my|our) offer|can(?:no|')?t accept|could(?:n't| not) accept|"
    r"won't accept|will not accept|went (?:with|for) (?:someone|somebody|another|a different|"
    r"an internal|a cheaper|the other)|chose (?:someone|somebody|another|a different)|"
    r"did(?:n't| not) get|won't budge|wouldn't budge|shot (?:\w+ )?down|"
    r"not (?:moving|going) (?:forward|ahead)|decided (?:not to|against)|fell through|no deal|"
    r"not interested|unsuccessful|(?:not|wasn't|weren't) selected|denied|turned away|"
    r"lost (?:the|a|my|our) (?:deal|contract|client|account|bid|pitch|job)|"
    r"look(?:ing)? for someone (?:else|cheaper)|dropped (?:me|us|my|our)|let (?:me|us) go|"
    r"cancell?ed (?:the|my|our)|can(?:'t|not) do (?:it|that)|(?:not|un)able to (?:support|do|offer|"
    r"go|approve|accept|agree)|(?:go|going) (?:in )?(?:another|a different) direction|"
    r"(?:won't|will not) be discussing|can(?:not|'t) (?:give|offer|approve|make|go|help)|"
    r"not happening|declin(?:e|ed|ing)\b|not a (?:good |great )?fit|"
    r"(?:price|decision|deductions?|answer|offer) (?:stands|is final)|"
    r"(?:won't|wouldn't|will not|would not) (?:go (?:below|above|lower|higher|down|up)|"
    r"renew|sign|go ahead|raise|give|approve|lower|let|"
    r"move|agree|budge|pay))"
)
_HYPOTHETICAL = _rx(r"\b(?:if|afraid|scared|worried|might|may|could|in case|fear|hope|hoping|"
                    r"whether|before|what if|unless)\b[^,.;!?]*$")


def has_rejection(text: str) -> bool:
    """Whether the text tells of an actual No (not a feared or hypothetical one)."""
    for match in _NO.finditer(text):
        clause_start = _span(text, match.start(), _CLAUSE_END)[0]
        if not _HYPOTHETICAL.search(text[clause_start : match.start()]):
            return True
    return False
