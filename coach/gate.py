"""The quality gate: check(text, draft) says why an LLM reply must not be shown, or None.

prefix_problem(text, draft) runs the checks that more text cannot undo (length, markup,
leaks, keys, links, HTML, echoed prompt data, role, later steps, concealed words), so a stream
can be stopped early. Small models often continue the prompt instead of answering it: they
echo our data tags (said as such, not as generic HTML), dump the story JSON, or give the
person's message back (over half the reply copied from it); none of that is a reply.

Deterministic and cheap (regexes and word lists, well under a millisecond), so it runs on
every LLM reply. Checks, in order: empty, length, system-prompt leak, chat-template markup,
key, URL/image/link/HTML, echoed prompt data, role confusion, later-step content, concealed words
(counterparty), specificity, actionability, overly positive wording, readability, language.

It does not judge empathy or truth; it catches what a user would notice as broken, pushy,
generic or off-step. Later-step content is found with keyword families, so a reply that
*mentions* the next step in passing may still pass; drafting it (a feedback message, a new
offer, a stop rule) does not. The language check only compares English with a few other
European languages by stopwords and stays silent on short or unclear text.
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
    r"^\s*\**(?:person|user|me|human|client|you|assistant|coach|ai|model)\s*\**\s*:", re.I | re.M
)
# API keys as the common providers shape them, and an echoed Authorization header
_SECRET = re.compile(r"\b(?:sk|gsk|xai|pk)[-_][\w-]{8,}|\bBearer\s+\S{6,}|\bAuthorization:", re.I)
_JSON = re.compile(r'\{\s*"[\w ]{1,40}"\s*:')
ECHO_WORDS = 8  # this many of the person's words in a row is a copy, not a quote
_AS_PERSON = re.compile(r"\bas (?:your|the) (?:client|user|person)\b,? i\b", re.I)

# Content that belongs to a later step: the step number where it starts being allowed.
_LATER_STEP: dict[int, re.Pattern[str]] = {
    4: re.compile(
        r"\bsubject:|\bdear \w+|here'?s (?:a|an) (?:message|email|note)|feedback (?:email|message)"
        r"|could i ask what (?:specifically|exactly)",
        re.I,
    ),
    5: re.compile(
        r"\b(?:revised|adjusted|new|counter|improved) ?-?(?:offer|proposal|pitch)\b"
        r"|\bwalk-?away point\b",
        re.I,
    ),
    6: re.compile(
        r"\bstop rule\b|\bpersistence plan\b|\bfollow[- ]up plan\b|\bcircle back\b"
        r"|\bif they say no (?:again|twice)\b",
        re.I,
    ),
}
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
    "consider jot describe share keep check"
)
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


def _mentions(text: str, detail: str) -> bool:
    low = text.lower()
    if detail.lower() in low:
        return True
    tokens = [t for t in _WORD.findall(detail.lower()) if len(t) >= 4 or re.search(r"\d", t)]
    return any(re.search(rf"(?<![\w.]){re.escape(t)}(?![\w])", low) for t in tokens)


def _actionable(text: str) -> bool:
    if "?" in text:
        return True
    for sentence in _SENTENCE_END.split(text):
        first = _WORD.findall(sentence.lower())[:1]
        if first and first[0] in _IMPERATIVES:
            return True
    return False


def _copied_share(text: str, source: str) -> float:
    """The share of `text`'s words inside runs of ECHO_WORDS or more copied from `source`."""
    theirs = [w.lower() for w in _WORD.findall(source)]
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
    return None


def prefix_problem(text: str, draft: Draft) -> str | None:
    """The checks more text cannot undo: run on a stream's prefix, they stop it early."""
    low = text.lower()
    words = len(_WORD.findall(text))
    if words > MAX_WORDS:
        return f"too long ({words} words)"
    if any(phrase in low for phrase in LEAK_PHRASES):
        return "system prompt leak"
    problem = markup(text)
    if problem:
        return problem
    if _ROLE_LINE.search(text) or _AS_PERSON.search(text):
        return "role confusion"
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
    low = text.lower()
    if draft.details and not any(_mentions(text, d) for d in draft.details):
        return "not specific (uses none of the person's details)"
    if draft.needs_action and not _actionable(text):
        return "no question or action"
    if text.count("!") > 1 or any(p in low.replace("’", "'") for p in _PLATITUDES):
        return "overly positive"
    if any(len(_WORD.findall(s)) > MAX_SENTENCE_WORDS for s in _SENTENCE_END.split(text)):
        return "hard to read (a sentence over 45 words)"
    theirs, ours = language(draft.user_message), language(text)
    if theirs and ours and theirs != ours:
        return f"wrong language ({ours}, person wrote {theirs})"
    return None
