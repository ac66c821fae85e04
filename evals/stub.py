"""A tiny OpenAI-compatible server on 127.0.0.1 for tests and evals, with programmable faults.

Serves POST /v1/chat/completions, streaming (SSE) or not, from a queue of `Behaviour`s
(then `default`), GET /v1/models (which hangs or fails as `default` does), and POST
/v1/moderations (flagging the categories in `moderation`). It records each request (body
and headers) and the time it spent handling each one, so tests can measure what the
client adds on top of the server.
HTTP/1.0 with Connection: close, so a cut stream is simply an early close. Header names
are recorded in lower case.

A Behaviour's `compose(body, headers)` writes the reply from the request instead of the
fixed `text`: `block` reads one delimited data block out of our prompt, so a stub can play
a well-behaved model (`words_the_template`, `extracts_by_rules`) or an attacker's echo.
`configured(base_url, timeout)` gives the default deps pointed at a stub, as the CLI builds them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.session import Deps

Compose = Callable[[dict[str, Any], dict[str, str]], str]


@dataclass
class Behaviour:
    """What the stub does for one request."""

    text: str = "Jonas said no to 0.13. What did that feel like?"
    status: int = 200
    error_message: str = "stub error"
    raw_body: bytes | None = None  # sent as is (status 200) instead of a completion
    delay: float = 0.0  # seconds before answering (a hang when larger than the time-out)
    finish_reason: str | None = "stop"
    cut_after: int | None = None  # close the stream after this many content chunks
    reject_json_schema: int | None = None  # this status on json_schema: 400 llama.cpp, 500 -python
    echo_key: bool = False  # put the received Authorization header into the error message
    compose: Compose | None = None  # the reply text from (request body, lower-case headers)


def block(body: dict[str, Any], name: str) -> str:
    """The text inside <name>…</name> in the request's last user message ('' when absent)."""
    users = [m["content"] for m in body.get("messages", []) if m.get("role") == "user"]
    found = re.search(rf"<{name}>\n(.*?)\n</{name}>", users[-1] if users else "", re.S)
    return found.group(1) if found else ""


def system_prompt(body: dict[str, Any]) -> str:
    return next((m["content"] for m in body.get("messages", []) if m.get("role") == "system"), "")


def wants_json(body: dict[str, Any]) -> bool:
    """A structured-output request (story extraction), not a reply to word."""
    return "response_format" in body


def extracts_by_rules(body: dict[str, Any]) -> str:
    """The Story JSON the rule extractor finds: a model that extracts exactly like the rules."""
    from coach.story import RuleStoryExtractor, Story

    prior = Story.model_validate_json(block(body, "prior_story") or "{}")
    return RuleStoryExtractor().extract(block(body, "person_message"), prior).model_dump_json()


def reads_by_rules(body: dict[str, Any]) -> str:
    """The reading JSON the rules reader gives: a model that reads exactly like the rules."""
    from coach.reading.llm import LLMReading
    from coach.reading.model import ReadingContext
    from coach.reading.rules import RuleReader

    context = json.loads(block(body, "reading_context") or "{}")
    reading = RuleReader().read(block(body, "person_message"),
                                ReadingContext(step=context.get("step", 1)))
    return LLMReading.model_validate(reading.model_dump()).model_dump_json()


def words_the_template(body: dict[str, Any], headers: dict[str, str]) -> str:
    """A well-behaved model: the template reply as the reply, the rules' story and reading."""
    if block(body, "reading_context"):
        return reads_by_rules(body)
    return extracts_by_rules(body) if wants_json(body) else block(body, "template_reply")


_MODERATION = ("self-harm", "self-harm/intent", "self-harm/instructions", "harassment",
               "violence")


def _chunk(delta: dict[str, Any], finish: str | None) -> bytes:
    body = {"id": "stub", "object": "chat.completion.chunk", "created": 0, "model": "stub",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


def _completion(text: str, finish: str | None) -> bytes:
    return json.dumps({
        "id": "stub", "object": "chat.completion", "created": 0, "model": "stub",
        "choices": [{"index": 0, "finish_reason": finish,
                     "message": {"role": "assistant", "content": text}}],
    }).encode()


class OpenAIStub:
    """Start with `with OpenAIStub() as stub:`; point the client at `stub.base_url`."""

    def __init__(self, default: Behaviour | None = None) -> None:
        self.default = default or Behaviour()
        self.queue: deque[Behaviour] = deque()
        self.requests: list[dict[str, Any]] = []
        self.server_seconds: list[float] = []
        self.probes = 0  # GET /v1/models requests (the breaker's probe)
        self.moderation: set[str] = set()  # the categories POST /v1/moderations flags
        self.moderated: list[str] = []
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> Behaviour:
        return self.queue.popleft() if self.queue else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                """GET /v1/models, the breaker's probe: it hangs or fails as the default does."""
                b = stub.default
                stub.probes += 1
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if b.delay and stub._stop.wait(b.delay):
                        return
                    if b.status != 200:
                        return self._send(b.status, b'{"error": {"message": "stub"}}')
                    self._send(200, b'{"object": "list", "data": [{"id": "stub"}]}')

            def do_POST(self) -> None:
                started = time.perf_counter()
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path.endswith("/moderations"):  # flags set by the test, no queue
                    stub.moderated.append(request.get("input", ""))
                    categories = {c: c in stub.moderation for c in _MODERATION}
                    result = {"flagged": bool(stub.moderation), "categories": categories,
                              "category_scores": {c: float(categories[c]) for c in categories}}
                    return self._send(200, json.dumps({"id": "modr", "model": "stub",
                                                       "results": [result]}).encode())
                headers = {k.lower(): v for k, v in self.headers.items()}
                stub.requests.append({"body": request, "headers": headers})
                behaviour = stub._next()
                # the client may give up (time-out, early stop): nothing to do then
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(request, headers, behaviour)
                stub.server_seconds.append(time.perf_counter() - started)

            def _answer(self, request: dict[str, Any], headers: dict[str, str],
                        b: Behaviour) -> None:
                if b.delay and stub._stop.wait(b.delay):
                    return
                schema = (request.get("response_format") or {}).get("type") == "json_schema"
                if b.reject_json_schema and schema:
                    message = "response_format type json_schema is not supported"
                    body = {"error": {"message": message}}
                    return self._send(b.reject_json_schema, json.dumps(body).encode())
                if b.status != 200:
                    message = b.error_message
                    if b.echo_key:
                        message += f": {self.headers.get('Authorization')}"
                    error = {"error": {"message": message, "type": "stub", "code": b.status}}
                    return self._send(b.status, json.dumps(error).encode())
                if b.raw_body is not None:
                    return self._send(200, b.raw_body)
                text = b.compose(request, headers) if b.compose else b.text
                if not request.get("stream"):
                    return self._send(200, _completion(text, b.finish_reason))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = [w + " " for w in text.split(" ")] if text else []
                for i, word in enumerate(words):
                    if b.cut_after is not None and i >= b.cut_after:
                        return  # the connection closes mid-reply, without [DONE]
                    self.wfile.write(_chunk({"content": word}, None))
                    self.wfile.flush()
                self.wfile.write(_chunk({}, b.finish_reason) + b"data: [DONE]\n\n")

        return Handler


@contextlib.contextmanager
def configured(base_url: str, timeout: float, key: str = "sk-stub-key",
               reader: str | None = None) -> Iterator[Deps]:
    """The process's default (non-offline) deps pointed at `base_url`, as `coach replay` builds
    them from OPENAI_BASE_URL/OPENAI_API_KEY (and COACH_READER when `reader` is given); the
    environment and caches are restored after."""
    from coach.session import default_deps
    from coach.settings import get_settings

    env = {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": key, "COACH_MODEL": "stub",
           "COACH_LLM_TIMEOUT": str(timeout), **({"COACH_READER": reader} if reader else {})}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    get_settings.cache_clear()
    default_deps.cache_clear()
    try:
        yield default_deps()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        default_deps.cache_clear()
