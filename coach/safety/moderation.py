"""OpenAI's moderation endpoint as one more layer of the crisis screen, when it is there.

Its self-harm categories only add risk: intent or instructions call a crisis, self-harm
alone a check-in. One short request per message; any failure (no endpoint, time-out, an
unexpected answer) adds nothing, and the rules and embeddings never wait on it to flag.
"""

from __future__ import annotations

from typing import Literal

from coach.settings import Settings

TIMEOUT = 2.0  # seconds: a turn never waits longer on this layer
MODEL = "omni-moderation-latest"
_CRISIS = ("self_harm_intent", "self_harm_instructions")


class Moderation:
    """The configured endpoint's /moderations, read for self-harm."""

    def __init__(self, settings: Settings) -> None:
        import openai

        secret = settings.openai_api_key
        self._client = openai.OpenAI(
            api_key=secret.get_secret_value() if secret else "no-key",
            base_url=settings.openai_base_url, timeout=TIMEOUT, max_retries=0)

    def tier(self, message: str) -> Literal["crisis", "check_in"] | None:
        """"crisis", "check_in" or None (also when the endpoint fails)."""
        try:
            result = self._client.moderations.create(model=MODEL, input=message).results[0]
            flags = result.categories
            if any(getattr(flags, name, False) for name in _CRISIS):
                return "crisis"
            return "check_in" if getattr(flags, "self_harm", False) else None
        except Exception:  # noqa: BLE001 - this layer can only add risk, never fail a turn
            return None


def wanted(settings: Settings) -> bool:
    """On for OpenAI itself (no base URL, or api.openai.com) with a key, or when asked for."""
    if settings.moderation != "auto":
        return settings.moderation == "on"
    url = settings.openai_base_url or "https://api.openai.com/v1"
    return settings.openai_api_key is not None and "api.openai.com" in url
