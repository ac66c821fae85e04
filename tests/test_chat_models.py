"""A LangChain chat model as the reply model, with langchain-core's own fake chat models."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from coach.chat_models import LangChainModel
from coach.llm import FallbackModel
from tests.test_llm import GOOD, draft

TEMPLATE = draft().template


class BreaksMidStream(GenericFakeChatModel):
    """Streams a few words, then the provider fails."""

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content="Jonas said "))
        raise ConnectionError("provider went away")


def test_a_langchain_model_words_the_reply_behind_the_gate() -> None:
    chat = GenericFakeChatModel(messages=iter([AIMessage(content=GOOD)]))
    model = FallbackModel(LangChainModel(chat))
    reply = model.complete(draft())
    assert (reply.source, reply.text) == ("llm", GOOD)


def test_what_the_gate_rejects_is_replaced_by_the_template() -> None:
    chat = GenericFakeChatModel(messages=iter([AIMessage(content="User: I got rejected.")]))
    reply = FallbackModel(LangChainModel(chat)).complete(draft())
    assert reply.source == "template" and reply.text == TEMPLATE


def test_a_failure_in_the_middle_of_the_stream_falls_back_to_the_template() -> None:
    model = FallbackModel(LangChainModel(BreaksMidStream(messages=iter([]))))
    reply = model.complete(draft())
    assert reply.source == "template" and reply.text == TEMPLATE
    assert reply.rejected_reason == "the chat model failed (ConnectionError)"
