"""Input limits: what a person's message becomes before anything reads it.

Strips control and bidi-override characters and lone surrogates, normalises to NFC, and
truncates past MAX_CHARS with a notice. It does not judge content (safety.py does).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 4000
_MARKUP = re.compile(
    r"<\|[^|>]{0,40}\|>|\[/?INST\]|</?(?:s|start_of_turn|end_of_turn)>|<[A-Za-z/!][^<>]{0,200}>"
    r"|!?\[([^\]]{0,200})\]\([^)]{0,500}\)"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class Cleaned:
    """A message ready for the engines, and what the person should be told about it."""

    text: str
    notice: str | None = None

    @property
    def empty(self) -> bool:
        return not self.text


def plain(text: str) -> str:
    """Text that other text is built from (scenario fields): no tags, chat tokens or links.

    Markdown links and images keep their words; everything else in angle brackets goes.
    """
    return _MARKUP.sub(lambda m: m.group(1) or "", _CONTROL.sub("", text)).strip()


def clean(message: str) -> Cleaned:
    """The message without control characters, at most MAX_CHARS long."""
    # Lone surrogates cannot be encoded; replace them rather than fail later in storage.
    text = message[: MAX_CHARS * 4].encode("utf-8", "replace").decode("utf-8")
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()
    if len(text) > MAX_CHARS:
        cut = text[:MAX_CHARS].rsplit(" ", 1)[0] or text[:MAX_CHARS]
        notice = (f"Your message was long, so I read the first {MAX_CHARS:,} characters. "
                  "Tell me if something important came later.")
        return Cleaned(cut, notice)
    return Cleaned(text)
