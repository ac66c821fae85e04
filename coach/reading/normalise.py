"""The one normaliser every reader uses: what a message's text becomes before it is read.

NFKC, typographic quotes and dashes to plain ones, invisible and control characters out,
honorifics without their full stop ("Mrs. Okafor" is a name, not a sentence end), runs of
spaces squeezed, and a length cap. It keeps case and punctuation (readers need both) and
does not judge content. The crisis screen adds its own folding (coach.safety.rules.normalize).
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 4000  # the one limit on what is read of a message (inputs.py cuts at the same)

_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069"
    r"\ufeff]"
)
_TYPOGRAPHIC = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "´": "'", "′": "'",
    "–": "-", "—": " - ", "―": " - ", "‐": "-", "‑": "-", "−": "-", "…": "...",
})
_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Mx|Dr|Prof|Sr|Jr|St)\.", re.IGNORECASE)


def normalise(text: object) -> str:
    """The text as readers read it; "" for anything that is not a string."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2]).translate(_TYPOGRAPHIC)
    text = _HONORIFIC.sub(r"\1", _INVISIBLE.sub(" ", text))
    text = re.sub(r"[ \t]+", " ", text).strip()
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0] or text[:MAX_CHARS]
    return text


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The text's sentences (split after . ! ? and at line breaks), stripped, none empty."""
    return [x.strip() for x in _SENTENCE_BREAK.split(text) if x.strip()]
