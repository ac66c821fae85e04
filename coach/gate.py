"""The quality gate: check(text, draft) says why an LLM reply must not be shown, or None.

prefix_problem(text, draft) runs the checks that more text cannot undo (length, markup,
leaks, keys, links, HTML, echoed prompt data, role, later steps, concealed words), so a stream
can be stopped early. Small models often continue the prompt instead of answering it: they
echo our data tags (said as such, not as generic HTML), dump the story JSON, or give the
person's message back (over half the reply copied from it); none of that is a reply.

Deterministic and cheap (regexes and word lists, well under a millisecond), so it runs on
every LLM reply. Checks, in order: empty, length, system-prompt leak, chat-template markup,
key, URL/image/link/HTML/markdown, echoed prompt data, the reply describing its instructions,
role confusion, later-step content, concealed words (counterparty), specificity (a story detail,
or a telling word of the message it answers, by stem), a question or any imperative, false cheer
(unless quoted or negated), readability (quotes aside), language.

It does not judge empathy or truth; it catches what a user would notice as broken, pushy,
generic or off-step. Later-step content is its drafted form, not its name: a reply may say
"we'll circle back to a counter-offer", but not write the feedback message (a quoted request),
propose the new offer, or set dated follow-ups and a stop rule before their step.
The language check only compares English with a few other European languages by
stopwords and stays silent on short or unclear text.
"""

from __future__ import annotations

import re

from coach.draft import Draft
from coach.prompts import DATA_TAGS, LEAK_PHRASES

MAX_WORDS = 150
MAX_SENTENCE_WORDS = 45


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CHAT_MARKUP = re.compile(
    r"<start_of_turn>|<end_of_turn>|\[/?INST\]|<<?/?SYS>>?|<\|[^|>]{0,40}\|>|</?s>", re.I
)
_URL = re.compile(r"https?://|\bwww\.|\b[\w-]+\.(?:com|org|net|io|ai|co|de|uk)\b(?!\.\d)", re.I)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[[^\]]+\]\([^)]+\)")
_HTML = re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>|&(?:nbsp|amp|lt|gt|quot);")
_ROLE_LINE = re.compile(
    r"^\s*\**(?:person|user|me|human|client|you|assistant|coach|ai|model|system)\s*\**\s*:",
    re.I | re.M
)
# API keys as the common providers shape them, and an echoed Authorization header
_SECRET = re.compile(r"\b(?:sk|gsk|xai|pk)[-_][\w-]{8,}|\bBearer\s+\S{6,}|\bAuthorization:"
                     r"|\b(?:api|secret|access)[_ -]?key\b\s*[:=]|\bAKIA[0-9A-Z]{12,}"
                     r"|\bgh[pousr]_[A-Za-z0-9]{20,}|\b(?=[A-Za-z_-]*\d)(?=[\d_-]*[A-Za-z])"
                     r"[A-Za-z0-9_-]{32,}\b|\beyJ[\w-]{6,}\.[\w-]{4,}"
                     r"|\b(?:session|auth|access|bearer)[_ -]?token\b\s*[:=]", re.I)
_JSON = re.compile(r'\{\s*"[\w ]{1,40}"\s*:')
ECHO_WORDS = 8  # this many of the person's words in a row is a copy, not a quote
_AS_PERSON = re.compile(
    r"\bas (?:your|the) (?:client|user|person)\b,? i\b"
    r"|^\W*as (?:the|a|an|your) (?!coach\b)[\w' -]{2,30}(?: here)?, (?:i|we)\b"
    r"|^\W*(?:the )?(?!coach\b)\w+(?: \w+)? here\s*:", re.I)
# Advice no coach gives: revenge, deception, forgery, or telling them they deserved the No
_HARMFUL = re.compile(
    r"\bmake (?:them|him|her) (?:pay|feel it|regret)\b|\b(?:name and shame|shame them)\b"
    r"|\bpost (?:it|the thread|this|that|the emails?) publicly\b|\bget back at\b"
    r"|\b(?:leave|write|post) (?:them )?(?:a )?(?:bad|scathing|1-star|one-star) review\b"
    r"|\bpretend(?:ing)? to be\b|\b(?:forge|falsif\w*|fake) (?:a|an|the|your|some)\b"
    r"|\bbump the numbers\b|\bedit (?:your|the) (?:payslip|bank statement|references?)\b"
    r"|\b(?:was|is|were) (?:probably |honestly |frankly )?deserved\b"
    r"|\byou deserved (?:it|this|that)\b", re.I)
# "they passed because...": a reason given for their No, to check against what was said
_THEIR_REASON = re.compile(
    r"\b(?:the )?\w+ (?:passed|refused|said no|declined|rejected \w+|turned \w+"
    r" down)\b[^.?!]{0,30}?\bbecause\b(?P<why>[^.?!;]{3,100})", re.I)

# A later step's drafted content (not a passing mention): the step where it becomes allowed.
_IN_QUOTE = r"(?:[^'\"”’]|(?<=\w)['’](?=\w))"  # an apostrophe inside a word stays in the quote
_QUOTED_ASK = (rf"['\"“‘]{_IN_QUOTE}{{0,200}}\b(?:could|would|can|will) (?:you|we)\b"
               rf"{_IN_QUOTE}{{0,200}}\?|['\"“‘](?:what|which|how|why)\b{_IN_QUOTE}{{3,200}}\?")
_DATE = (r"(?:\d|the \d|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep"
         r"|oct|nov|dec|next (?:week|month))")
_MONTH = (r"(?:\d{1,2} )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b")
_LATER_STEP: dict[int, re.Pattern[str]] = {
    4: re.compile(
        rf"\bsubject:|\bdear \w+,|\bhere'?s (?:a|an|the) (?:message|email|note|draft)\b"
        rf"|\b(?:email|message|ask|text|write to|send) [\w ]{{0,30}}(?:today|now|tomorrow)?:? ?"
        rf"(?:{_QUOTED_ASK})"
        rf"|['\"“‘][^'\"”’]{{25,200}}\?['\"”’]",  # a drafted question, in any language
        re.I,
    ),
    5: re.compile(
        r"(?:^|[.:;!?]\s+)(?:so |then |now |instead,? )?(?:go back and |come back and )?"
        r"(?:propose|offer|go back to \w+ with|counter(?:-offer)? with|pitch|come back with"
        r"|go back with)\b(?! (?:to )?(?:a|the) (?:next|later) step)"
        r"|\b(?:go|come) back (?!to )(?:\w+ ){1,3}with (?:an? )?(?:[£$€\d]|(?:new|revised|lower"
        r"|smaller|better|cheaper) |(?:offer|proposal|trial|pilot)\b)"
        r"|\bgo back (?:\w+ )?and (?:offer|propose)\b|\b(?:send|put in|submit) (?:them |him |her )?"
        r"(?:a|an) (?:new|revised|lower|better|fresh) (?:quote|offer|proposal|bid|price)\b"
        r"|\bwalk-?away point (?:is|of|at)\b|\bnew offer:|\bmake (?:a|an|them|him|her)"
        r" (?:new|revised|better|lower|higher|fresh) (?:offer|proposal|pitch) (?:of|at|with)\b"
        r"|\boffer(?:ing)? (?:\w+ ){0,4}(?:at |for )?[£$€]\s?\d",  # a priced offer
        re.I,
    ),
    6: re.compile(
        rf"\bstop rule:|\bif (?:it'?s still|(?:she|he|they)(?: still)? says?) no\b[^.]{{0,60}}"
        rf"\b(?:drop it|stop|let it go|walk away|move on|give up|accept it|escalate)\b"
        rf"|\b(?:follow up|email|call|text|message|write to|contact|chase|ping)(?: \w+){{0,3}}"
        rf"(?: again)? (?:on|by) {_DATE}|\bstop (?:pursuing|chasing|asking|pushing)\b"
        rf"|\bif (?:none of them|[^.,;]{{0,40}}\bno again)\b"  # the stop rule, by its condition
        rf"|\b(?:check in|ask|apply|reapply|query|submit|follow up|chase|contact|try|approach)\b"
        rf"[^.;]{{0,40}}"
        rf"\b(?:in|by|on) (?:early |mid-?|late |the end of )?{_MONTH}",  # a dated schedule
        re.I,
    ),
}
# The prompt's own words said back, or the reply describing its instructions
_SELF_REPORT = re.compile(
    r"\b(?:my|the) (?:system )?(?:prompt|instructions)\b|\bsystem prompt\b|\bas instructed\b"
    r"|\bquality (?:check|gate)\b|\bnote to self\b|\bcard #\d|\bswitch(?:ing)? to (?:rehearsal"
    r"|safe) mode\b|\b(?:the )?user (?:shows|is showing|seems|has shown)\b"
    r"|\bi(?:'m| am) (?:required|instructed|told|programmed|supposed) to\b"
    r"|\binternal note|\b(?:confidence|score|probability)[:= (]+0?\.\d|\bselecting (?:the )?card"
    r"|\b(?:the engine'?s?|my) rules\b|\bi(?:'m| am) (?:now )?(?:not )?allowed to\b|\bi must not\b"
    r"|\bi(?:'m| am) the step \d|\[(?:engine|system|step)\b|\bstep=\d|\b\w+_fallback\b",
    re.I,
)
# Markdown a chat bubble shows raw: headings, bold, bullets, numbered lists, quotes, tables
_MARKDOWN = re.compile(
    r"^\s*(?:#{1,6} |[-*+] |\d+\. |> |\|)|\*\*[^*\n]+\*\*|__[^_\n]+__", re.M
)
_SHORT_QUOTE = re.compile(r"(?<!\w)'[^']{1,80}'(?!\w)|\"[^\"]{1,80}\"|“[^”]{1,80}”|‘[^’]{1,80}’")
_NEGATED = re.compile(
    r"\b(?:not|n't|never|no|won't|without|isn't|rather than)\b[^.!?]{0,40}$", re.I)
_PLATITUDES = (
    "everything happens for a reason", "you've got this", "you got this", "no worries",
    "it will all work out", "it'll all work out", "everything will be fine",
    "everything will be okay", "stay positive", "bright side", "silver lining",
    "blessing in disguise", "their loss", "meant to be", "good vibes", "don't worry",
    "just be positive", "nothing to worry about",
)
_IMPERATIVES = _words(
    "try write send take ask tell give note pick choose list draft wait say plan make set go "
    "put call email read decide name think let's lets imagine start sleep step picture "
    "consider jot describe share keep check hold park sit give let leave look notice breathe "
    "walk book sketch map mark open close find bring offer propose read reread rewrite run "
    "tell remind practise practice rehearse hang pause stop skip drop hand treat come stay "
    "remember allow ring text message schedule block add cut swap aim expect count frame "
    "put turn use go just please"
)
_LEAD_IN = re.compile(r"^(?:so|now|then|first|and|but|for now|today|tonight|meanwhile)\b,? |"
                      r"^(?:before|after|when|once|if|until|while)\b[^,]{0,60}, ", re.I)
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and is are was you your i it that this what with have not but "
                 "they my to of for be can would do me"),
    "de": _words("der die das und ist nicht ich du sie ein eine mit es auf zu wie "
                 "was mein dein habe sich"),
    "fr": _words("le la les et est je tu vous une des pas que qui avec pour mon ce "
                 "sur dans mais"),
    "es": _words("el la los las y es que yo tú usted una con por para mi pero no "
                 "del muy como"),
    "it": _words("il lo gli e è che io tu una con per mio ma non del sono come "
                 "questo della"),
    "nl": _words("de het een en is niet ik jij je met voor mijn maar wat dat zijn "
                 "van op"),
    "pt": _words("o os as e é que eu você uma com por para meu mas não do da "
                 "muito como"),
}
_WORD = re.compile(r"[\w']+", re.UNICODE)
# words too common to show a reply is about this person's case
_COMMON = _words(
    "that this with what they them their have been were will would could should about your "
    "just like really know think feel said says want wanted because still even much some "
    "then there when from into over more only also very going back they're i'm it's don't "
    "didn't can't rejection rejected offer feedback step next time thing things something "
    "make made good well went right now today again sure okay maybe the and for but not you "
    "she her his him our was are has had got my me we us it is in on at to of an so if or"
)
_QUOTE = re.compile(r"'[^']{20,}'|\"[^\"]{20,}\"|“[^”]{20,}”|‘[^’]{20,}’")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def language(text: str) -> str | None:
    """'en', 'de', 'fr', ... by stopword counts; None when the text is short or unclear."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 5:
        return None
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < 2 or ranked[0] < 1.5 * ranked[1]:
        return None
    return best


def _foreign(text: str) -> bool:
    """Not English, even when which language it is stays unclear (Spanish or Italian...)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if language(text) not in (None, "en"):
        return True
    english = sum(w in _STOPWORDS["en"] for w in words)
    others = max(sum(w in stop for w in words) for lang, stop in _STOPWORDS.items() if lang != "en")
    return len(words) >= 5 and english < 0.05 * len(words) and others >= 2


def _tokens(detail: str) -> list[str]:
    """A detail's telling words: names (any length), numbers, and other words of 4+ letters."""
    return [t for t in _WORD.findall(detail) if t.lower() not in _COMMON and (
        len(t) >= 4 or t[:1].isupper() or re.search(r"\d", t))]


def _mentions(text: str, detail: str) -> bool:
    low = text.lower()
    if detail.lower() in low:
        return True
    return any(re.search(rf"(?<![\w.]){re.escape(t.lower())}(?![\w])", low)
               for t in _tokens(detail))


def _stem(word: str) -> str:
    """A word's first five letters: 'councils' and 'council', 'unfollowing' and 'unfollow'."""
    return word.lower()[:5]


def _specific(text: str, draft: Draft) -> bool:
    """It uses the person's facts: one of the story's details, or a telling word of the
    message it answers, by stem (a good reply often works on what was just said, not on who
    said no). Its words are known only in English: another language is not judged here."""
    ours = {_stem(w) for w in _WORD.findall(text) if w.lower() not in _COMMON}
    if any(_mentions(text, d) or ours & {_stem(t) for t in _tokens(d)} for d in draft.details):
        return True
    if _foreign(draft.user_message) or _foreign(text):
        return True
    theirs = {_stem(t) for t in _tokens(draft.user_message)
              if len(t) >= 4 or re.search(r"\d", t)}
    return bool(ours & theirs)


def _invented_reason(text: str, draft: Draft) -> bool:
    """A reason for their No none of whose telling words the person or the story gave."""
    known = " ".join([draft.user_message, *draft.details, draft.story.stated_reason or ""])
    said = {_stem(t) for t in _tokens(known)}
    for m in _THEIR_REASON.finditer(text):
        why = {_stem(t) for t in _tokens(m.group("why")) if len(t) >= 4}
        if why and not why & said:
            return True
    return False


def _platitude(text: str) -> bool:
    """A stock phrase of false cheer, unless it is quoted or negated ("not a silver lining")."""
    low = text.lower().replace("’", "'")
    for phrase in _PLATITUDES:
        quoted = [q.span() for q in _SHORT_QUOTE.finditer(low)]
        for m in re.finditer(re.escape(phrase), low):
            inside = any(a <= m.start() < b for a, b in quoted)
            if not inside and not _NEGATED.search(low[: m.start()]):
                return True
    return False


def _actionable(text: str) -> bool:
    if "?" in text:
        return True
    for sentence in _SENTENCE_END.split(text):
        first = _WORD.findall(_LEAD_IN.sub("", sentence.strip().lower()))[:1]
        if first and first[0] in _IMPERATIVES:
            return True
    return False


# the person's words said back to them: "my loan" copied as "your loan"
_TO_YOU = {"i": "you", "me": "you", "my": "your", "mine": "yours", "i'm": "you're",
           "i've": "you've", "i'd": "you'd", "i'll": "you'll", "myself": "yourself",
           "we": "you", "our": "your", "us": "you"}


def _copied_share(text: str, source: str) -> float:
    """The share of `text`'s words inside runs of ECHO_WORDS or more copied from `source`."""
    theirs = [_TO_YOU.get(w.lower(), w.lower()) for w in _WORD.findall(source)]
    ours = [w.lower() for w in _WORD.findall(text)]
    runs = {tuple(theirs[i : i + ECHO_WORDS]) for i in range(len(theirs) - ECHO_WORDS + 1)}
    copied: set[int] = set()
    for i in range(len(ours) - ECHO_WORDS + 1):
        if tuple(ours[i : i + ECHO_WORDS]) in runs:
            copied.update(range(i, i + ECHO_WORDS))
    return len(copied) / len(ours) if ours else 0.0


def markup(text: str) -> str | None:
    """What in `text` must never be displayed: chat markup, a secret, a link or image, HTML,
    JSON. Also applied to the LLM's story fields, which the templates quote."""
    if _CHAT_MARKUP.search(text):
        return "chat-template markup"
    if _SECRET.search(text):
        return "a key or token"
    if _IMAGE.search(text):
        return "markdown image"
    if _LINK.search(text):
        return "markdown link"
    if _URL.search(text):
        return "URL"
    html = _HTML.search(text)
    if html:
        name = re.sub(r"[^\w-]", "", html.group().split()[0]).lower()
        return f"HTML (echoes our <{name}> data tag)" if name in DATA_TAGS else "HTML"
    if _JSON.search(text):
        return "JSON (echoes the prompt's data)"
    if _MARKDOWN.search(text):
        return "markdown"
    return None


def prefix_problem(text: str, draft: Draft) -> str | None:
    """The checks more text cannot undo: run on a stream's prefix, they stop it early."""
    low = text.lower()
    words = len(_WORD.findall(text))
    if words > MAX_WORDS:
        return f"too long ({words} words)"
    if any(phrase in low for phrase in LEAK_PHRASES) or _SELF_REPORT.search(text):
        return "system prompt leak"
    problem = markup(text)
    if problem:
        return problem
    if _ROLE_LINE.search(text) or _AS_PERSON.search(text):
        return "role confusion"
    if _HARMFUL.search(text):
        return "harmful advice"
    if draft.task == "coach":
        for step, pattern in _LATER_STEP.items():
            if draft.step < step and pattern.search(text):
                return f"content of step {step} at step {draft.step}"
    if any(re.search(rf"\b{re.escape(w)}\b", text, re.I) for w in draft.concealed):
        return "says a concealed word"
    return None


def check(text: str, draft: Draft) -> str | None:
    """None when the reply may be shown; otherwise the reason (for logs and evals only)."""
    if not _WORD.search(text):
        return "empty reply"
    problem = prefix_problem(text, draft)
    if problem:
        return problem
    if _copied_share(text, draft.user_message) >= 0.5:
        return "echoes the person's message"
    if draft.task == "coach" and _invented_reason(text, draft):
        return "gives them a reason they never gave"
    if draft.details and not _specific(text, draft):
        return "not specific (uses none of the person's details)"
    if draft.task == "coach" and not _actionable(text):
        return "no question or action"
    if text.count("!") > 1 or _platitude(text):
        return "overly positive"
    unquoted = _QUOTE.sub("", text)  # a quote of the person's long sentence is theirs
    if any(len(_WORD.findall(s)) > MAX_SENTENCE_WORDS for s in _SENTENCE_END.split(unquoted)):
        return "hard to read (a sentence over 45 words)"
    theirs, ours = language(draft.user_message), language(text)
    if theirs and ours and theirs != ours:
        return f"wrong language ({ours}, person wrote {theirs})"
    return None
