"""The coach's few exceptions; only the edges (CLI, app.py) turn them into messages.

    CoachError
    ├── SettingsError    raised when a COACH_* / OPENAI_* setting has an invalid value
    ├── KnowledgeError   raised when a card in knowledge/ is malformed or a topic has no card
    ├── ScriptError      raised when a replay script is not the documented JSON shape
    └── LLMError         raised when the chat model fails, times out or fails the quality gate
"""


class CoachError(Exception):
    """Base of every error the coach raises on purpose."""


class SettingsError(CoachError):
    """Raised when a setting has an invalid value."""


class KnowledgeError(CoachError):
    """Raised when a knowledge card is malformed or a topic has no card."""


class ScriptError(CoachError):
    """Raised when a replay script is not the documented JSON shape."""


class LLMError(CoachError):
    """Raised when the chat model fails, times out or fails the quality gate."""
