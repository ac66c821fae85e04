"""Any LangChain chat model as a reply model: a peer of llm.OpenAIChatModel behind the seam.

`FallbackModel(LangChainModel(chat))` puts it behind the same gate, breaker and template
fallback. Every failure, a mid-stream one included (which LangChain's own `with_fallbacks`
does not catch), becomes an LLMError, so the FallbackModel answers with the template.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from coach import prompts
from coach.draft import Draft
from coach.errors import LLMError


class LangChainModel:
    """Words a Draft with a LangChain `BaseChatModel` (anything with `.stream(messages)`)."""

    def __init__(self, chat: Any, name: str | None = None) -> None:
        self._chat = chat
        self.name = name or type(chat).__name__

    def stream(self, draft: Draft) -> Iterator[str]:
        messages = [(m["role"], m["content"]) for m in prompts.reply_messages(draft)]
        try:
            for chunk in self._chat.stream(messages):
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    yield text
        except Exception as exc:  # noqa: BLE001 - the provider's own errors, whatever they are
            raise LLMError(f"the chat model failed ({type(exc).__name__})") from None
