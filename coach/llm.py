"""The chat-model seam: reply models (OpenAI-compatible, template), the gated fallback, a breaker.

    ReplyModel            name + stream(draft) -> text chunks; raises LLMError on failure
    ├── TemplateModel     draft.template, offline, never fails
    └── OpenAIChatModel   any OpenAI-compatible /v1/chat/completions (openai SDK, lazy import)
    FallbackModel         primary -> quality gate -> Reply(source="llm"), else the template

Streaming while gating: FallbackModel buffers the whole LLM reply, gates it, and only then
yields it in chunks. Some checks (specificity, actionability, readability, language) can
only pass on the whole reply, and the issue requires the gate *before anything is shown*;
showing sentences and retracting them would flash bad text at the person and make every
UI handle a "replace" case. Replies are <= 120 words, so the wait is
bounded, and the wire still streams: a reply is cut off as soon as its prefix fails a check
that more text cannot undo (over 150 words, chat markup, HTML, role confusion: a tiny model
that starts by echoing our tags costs one chunk, not a rambling page), the deadline is
checked between chunks, and a stream without finish_reason "stop" is a failure.

Failures: at most one retry (connection refused, 408/429/5xx), never after a time-out,
because a server that did not answer in COACH_LLM_TIMEOUT rarely answers in the next one.
Two consecutive endpoint failures open the breaker for 60 s (templates, with a notice);
after that one trial request closes it or re-opens it. Gate rejections do not count: the
endpoint is up. SDK exceptions never escape: they become LLMError with a fixed, key-free
reason (the server's error text, which may echo the key, is never copied).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from coach import gate, prompts
from coach.draft import Draft
from coach.errors import LLMError
from coach.settings import Settings, get_settings
from coach.story import Story, StoryExtractor

log = logging.getLogger(__name__)
OFFLINE_NOTICE = "offline: template replies"
UNAVAILABLE_NOTICE = "the model is unavailable, using template replies until it answers again"
PLACEHOLDER_KEY = "no-key"  # local servers ignore the key, but the SDK wants one
RETRY_DELAY = 0.3
PROBE_TIMEOUT = 1.5  # seconds the breaker's probe may take before the model counts as still down
# A Story is ~100 tokens of JSON; the cap stops a small model's JSON-mode grammar from padding
# until the context is full (llama.cpp), which would hold the server past the time-out.
STRUCTURED_MAX_TOKENS = 400
REPLY_MAX_TOKENS = 300  # a reply is at most ~120 words: the cap stops a model that rambles on
TEMPERATURE = 0.6  # some warmth in the wording; the engine, not the model, decides what is said
_RETRYABLE = {408, 429, 500, 502, 503, 504}
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")  # where a shown sentence may end
_BOUNDARY = re.compile(r"[:>\]]")  # where a role line, a tag or a bracket may have closed
_HINTS = {401: " (key rejected)", 403: " (forbidden)", 404: " (unknown model or URL)",
          429: " (rate limited)"}
T = TypeVar("T", bound=BaseModel)


class SchemaUnsupported(LLMError):
    """Raised when the server rejects response_format json_schema (llama.cpp and others)."""


class LLMTimeout(LLMError):
    """Raised when the endpoint did not answer in time: a hang, so the breaker opens at once."""


class AnswerError(LLMError):
    """Raised when the server answered but the answer is unusable (does not count as down)."""


@dataclass(frozen=True)
class Reply:
    """One finished reply; rejected_reason is for logs and evals, never shown."""

    text: str
    source: Literal["llm", "template"]
    notice: str | None = None
    rejected_reason: str | None = None
    replaced: bool = False  # model text was shown, then the template replaced it


class ReplyModel(Protocol):
    """Anything that words a Draft as a stream of text chunks."""

    name: str

    def stream(self, draft: Draft) -> Iterator[str]: ...


def chunks(text: str, words: int = 3) -> Iterator[str]:
    """`text` in pieces of a few words, whitespace kept, for display while streaming."""
    pieces = re.findall(r"\s*\S+\s*", text)
    for i in range(0, len(pieces), words):
        yield "".join(pieces[i : i + words])


class TemplateModel:
    """The offline model: the engine's template reply, as is."""

    name = "template"

    def stream(self, draft: Draft) -> Iterator[str]:
        return chunks(draft.template)


def _timed_out(exc: BaseException) -> bool:
    """The endpoint did not answer in time (the SDK's or its HTTP client's time-out)."""
    import httpx2
    import openai

    return isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException)


def _describe(exc: BaseException) -> str:
    """A fixed reason per failure kind; never the exception's own text (it may hold the key)."""
    import httpx2
    import openai

    if _timed_out(exc):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
        return "could not connect or the connection broke"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}{_HINTS.get(exc.status_code, '')}"
    if isinstance(exc, ValueError):  # json.JSONDecodeError and pydantic's ValidationError
        return "the response was not valid JSON"
    if isinstance(exc, openai.APIError):
        return "the server sent an error"
    return f"unexpected {type(exc).__name__}"


def _schema_rejected(exc: BaseException) -> bool:
    """A 400/422 (llama.cpp's server), or a 500 (llama-cpp-python's), about response_format."""
    import openai

    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in (400, 422, 500):
        return False
    said = f"{exc.body} {exc.message}".lower()
    return "response_format" in said or "json_schema" in said


class OpenAIChatModel:
    """A chat model behind any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str | None = None,
        timeout: float | None = None,
        http_client: Any = None,
    ) -> None:
        import openai  # lazy: ~0.4 s, and offline mode never needs it

        settings = settings or get_settings()
        secret = settings.openai_api_key
        self.name = model or settings.model
        self.timeout = timeout or settings.llm_timeout
        self.system_role = settings.system_role
        self._client = openai.OpenAI(
            api_key=api_key or (secret.get_secret_value() if secret else PLACEHOLDER_KEY),
            base_url=base_url or settings.openai_base_url,
            timeout=self.timeout,
            max_retries=0,  # our own single retry below skips time-outs
            http_client=http_client,
        )

    def _create(self, **kwargs: Any) -> Any:
        """One request, retried once on a refused connection, 408, 429 or 5xx, never a time-out."""
        import openai

        if not self.system_role:
            kwargs["messages"] = prompts.without_system_role(kwargs["messages"])
        for attempt in range(2):
            try:
                return self._client.chat.completions.create(model=self.name, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every SDK failure becomes an LLMError
                error: Exception = exc
            refused = isinstance(error, openai.APIConnectionError) and not isinstance(
                error, openai.APITimeoutError
            )
            status = getattr(error, "status_code", None)
            if attempt or _schema_rejected(error) or not (refused or status in _RETRYABLE):
                break
            time.sleep(RETRY_DELAY)
        kind = (SchemaUnsupported if _schema_rejected(error)
                else LLMTimeout if _timed_out(error) else LLMError)
        raise kind(_describe(error))  # outside `except`: the SDK error is not its __context__

    def ping(self) -> bool:
        """Whether the endpoint answers a cheap request (its model list) within PROBE_TIMEOUT."""
        try:
            self._client.with_options(timeout=PROBE_TIMEOUT, max_retries=0).models.list()
        except Exception:  # noqa: BLE001 - any failure means: still down
            return False
        return True

    def stream(self, draft: Draft) -> Iterator[str]:
        deadline = time.monotonic() + self.timeout
        response = self._create(messages=prompts.reply_messages(draft), stream=True,
                                max_tokens=REPLY_MAX_TOKENS, temperature=TEMPERATURE)
        events, finish, error, seen = iter(response), None, None, 0
        try:
            while True:
                try:
                    chunk = next(events)
                except StopIteration:
                    break
                except Exception as exc:  # noqa: BLE001
                    error = _describe(exc)
                if error is not None:
                    raise LLMError(error)
                if time.monotonic() > deadline:
                    raise LLMTimeout("timed out while streaming")
                seen += 1
                for choice in chunk.choices:  # a usage-only chunk has none
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
                    finish = choice.finish_reason or finish
        finally:
            response.close()
        if not seen:
            raise LLMError("the response was not an event stream")
        if finish != "stop":
            raise LLMError(f"stream ended with finish reason {finish!r}")

    def structured(self, messages: list[dict[str, str]], schema: type[T]) -> T:
        """One answer validated into `schema`: json_schema first, JSON mode if it is refused."""
        json_schema = {"name": schema.__name__, "schema": schema.model_json_schema()}
        cap = STRUCTURED_MAX_TOKENS
        try:
            response = self._create(
                messages=messages, max_tokens=cap,
                response_format={"type": "json_schema", "json_schema": json_schema},
            )
        except SchemaUnsupported:
            response = self._create(messages=messages, max_tokens=cap,
                                    response_format={"type": "json_object"})
        try:
            content = response.choices[0].message.content or ""
            body = re.sub(r"^```(?:json)?\s*|\s*```$", "", content.strip())
            return schema.model_validate_json(body)
        except (AttributeError, IndexError, TypeError, ValidationError):
            pass
        raise AnswerError(f"the answer did not match {schema.__name__}")


class CircuitBreaker:
    """Open after `threshold` consecutive failures, or at once on a hang (a time-out).

    While open nothing is sent. After the cool-down, a cheap `probe` (when given) tells
    whether the endpoint is back before a real request waits on it; a failed probe or trial
    opens the breaker again for twice as long (60 s doubling to 15 min), so an endpoint
    that stays down costs a few short probes, not a time-out every turn. A success closes
    it and resets the cool-down.
    """

    def __init__(
        self, threshold: int = 2, cooldown: float = 60.0, max_cooldown: float = 900.0,
        clock: Callable[[], float] = time.monotonic, probe: Callable[[], bool] | None = None,
    ) -> None:
        self.threshold, self.cooldown, self.max_cooldown = threshold, cooldown, max_cooldown
        self.clock, self._probe = clock, probe  # the clock is injectable (tests, evals)
        self._failures = 0
        self._wait = cooldown
        self._opened_at: float | None = None

    def allow(self) -> bool:
        if self._opened_at is None:
            return True
        if self.clock() - self._opened_at < self._wait:
            return False
        if self._probe is not None and not self._probe():
            self._reopen()
            return False
        return True  # half open: one real request decides

    def record_success(self) -> None:
        self._failures, self._opened_at, self._wait = 0, None, self.cooldown

    def record_failure(self, hang: bool = False) -> bool:
        """Count a failure; True when this one starts an outage (say so once, not per turn)."""
        if self._opened_at is not None:  # the trial failed: open again, for longer
            self._reopen()
            return False
        self._failures += 1
        if hang or self._failures >= self.threshold:
            self._opened_at = self.clock()
            return True
        return False

    def _reopen(self) -> None:
        self._wait = min(self._wait * 2, self.max_cooldown)
        self._opened_at = self.clock()


class ReplyStream:
    """Text chunks to display; once iterated (or on first access) `.reply` is the final Reply.

    With `live`, the chunks are the model's sentences as each passes the gate's checks on
    partial text; `live` returns the final Reply, whose `replaced` says the text shown so far
    failed the whole-reply checks and the template stands instead (the app and CLI redraw it).
    """

    def __init__(self, produce: Callable[[], Reply] | None = None,
                 live: Callable[[], Generator[str, None, Reply]] | None = None) -> None:
        self._produce, self._live = produce, live
        self._reply: Reply | None = None

    @property
    def reply(self) -> Reply:
        if self._reply is None:
            if self._live is not None:
                for _ in self:  # drain the sentences: the reply is what they add up to
                    pass
            elif self._produce is not None:
                self._reply = self._produce()
        assert self._reply is not None
        return self._reply

    def __iter__(self) -> Iterator[str]:
        if self._reply is not None or self._live is None:
            yield from chunks(self.reply.text)
            return
        live, self._live = self._live(), None
        while True:
            try:
                yield next(live)
            except StopIteration as done:
                self._reply = done.value
                if self._reply.source == "template" and not self._reply.replaced:
                    yield from chunks(self._reply.text)  # nothing of the model's was shown
                return


class FallbackModel:
    """The primary model behind the gate and the breaker; the template whenever it fails.

    The offline notice is given once per FallbackModel: build one per conversation, or
    share one and show notices per conversation.
    """

    def __init__(
        self, primary: ReplyModel | None, *, breaker: CircuitBreaker | None = None,
        check: Callable[[str, Draft], str | None] = gate.check,
    ) -> None:
        self.primary, self.breaker, self._check = primary, breaker or CircuitBreaker(), check
        self.template = TemplateModel()
        self.name = primary.name if primary else self.template.name
        self._offline_said = False

    def stream(self, draft: Draft) -> ReplyStream:
        if self.primary is None:
            return ReplyStream(lambda: self._offline(draft))
        return ReplyStream(live=lambda: self._sentences(draft))

    def complete(self, draft: Draft) -> Reply:
        return self.stream(draft).reply

    def _fallback(self, draft: Draft, reason: str | None, notice: str | None = None) -> Reply:
        text = "".join(self.template.stream(draft))
        return Reply(text, "template", notice=notice, rejected_reason=reason)

    def _offline(self, draft: Draft) -> Reply:
        notice = None if self._offline_said else OFFLINE_NOTICE
        self._offline_said = True
        return self._fallback(draft, None, notice)

    def _sentences(self, draft: Draft) -> Generator[str, None, Reply]:
        """The model's reply, each sentence yielded once the text up to it passes the checks
        that more text cannot undo; the whole-reply checks run at the end."""
        assert self.primary is not None
        if not self.breaker.allow():
            return self._fallback(draft, "breaker open")
        text, shown, checked, parts = "", 0, 0, self.primary.stream(draft)
        problem: str | None = None
        try:
            for part in parts:
                text += part
                ends = [m.end() for m in _SENTENCE_END.finditer(text, shown)]
                if not ends:  # no sentence to show yet; a tag, a role or a run-on is checked
                    if len(text) - checked >= 60 or _BOUNDARY.search(part):
                        checked = len(text)
                        problem = gate.prefix_problem(text, draft)
                        if problem:
                            break
                    continue
                checked = ends[-1]
                problem = gate.prefix_problem(text[: ends[-1]], draft)
                if problem:
                    break  # whatever follows, the reply is rejected: stop paying for it
                yield text[shown : ends[-1]]
                shown = ends[-1]
        except LLMError as exc:
            opened = self.breaker.record_failure(hang=isinstance(exc, LLMTimeout))
            log.warning("LLM reply failed, using the template: %s", exc)
            reply = self._fallback(draft, str(exc), UNAVAILABLE_NOTICE if opened else None)
            return replace(reply, replaced=shown > 0)
        finally:
            close = getattr(parts, "close", None)
            if close is not None:
                close()
        self.breaker.record_success()
        problem = problem or self._check(text, draft)
        if problem is not None:
            log.info("LLM reply rejected by the gate, using the template: %s", problem)
            return replace(self._fallback(draft, f"gate: {problem}"), replaced=shown > 0)
        if text[shown:].strip():
            yield text[shown:]
        return Reply(text.strip(), "llm")


def build_reply_model(settings: Settings | None = None) -> FallbackModel:
    """Templates only without a key and a base URL; else the configured endpoint, gated."""
    settings = settings or get_settings()
    if not settings.llm_configured:
        return FallbackModel(None)
    chat = OpenAIChatModel(settings)
    return FallbackModel(chat, breaker=CircuitBreaker(probe=chat.ping))


class LLMStoryExtractor:
    """Story extraction by the LLM (structured output), the rule extractor on any failure."""

    def __init__(
        self, model: OpenAIChatModel, fallback: StoryExtractor,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.model, self.fallback, self.breaker = model, fallback, breaker or CircuitBreaker()

    def extract(self, text: str, prior: Story | None = None) -> Story:
        if not self.breaker.allow():
            return self.fallback.extract(text, prior)
        try:
            story = self.model.structured(prompts.story_messages(text, prior), Story)
        except LLMError as exc:
            if not isinstance(exc, AnswerError):
                self.breaker.record_failure(hang=isinstance(exc, LLMTimeout))
            log.warning("LLM story extraction failed, using the rules: %s", exc)
            return self.fallback.extract(text, prior)
        self.breaker.record_success()
        # the templates quote these fields: a link or markup in them would be shown as is
        shown = [story.counterparty, story.ask, story.stated_reason, story.time_since,
                 *story.emotions]
        problem = next((p for p in map(gate.markup, filter(None, shown)) if p), None)
        if problem:
            log.warning("LLM story rejected (%s), using the rules", problem)
            return self.fallback.extract(text, prior)
        if not (story.has_rejection and story.counterparty):
            # a small model may answer an empty story: the model adds facts, never erases the
            # No the rules heard (a lost No would hold the conversation at step 1)
            story = _keep_known(self.fallback.extract(text, prior), story)
        return _keep_known(prior, story)


def _keep_known(prior: Story | None, story: Story) -> Story:
    """What we knew stays known when the model leaves a field empty; a No once heard stays."""
    if prior is None:
        return story
    known = {k: v for k, v in story.model_dump().items() if v not in (None, [], "other")}
    merged = prior.model_copy(update=known)
    merged.emotions = list(dict.fromkeys(prior.emotions + story.emotions))
    merged.has_rejection = prior.has_rejection or story.has_rejection
    return merged


def build_story_extractor(rules: StoryExtractor, replies: FallbackModel) -> StoryExtractor:
    """The LLM extractor sharing the reply model's endpoint and breaker, or the rules offline."""
    if isinstance(replies.primary, OpenAIChatModel):
        return LLMStoryExtractor(replies.primary, rules, replies.breaker)
    return rules
