"""The one settings class: COACH_* and OPENAI_* from the environment, validated once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coach.errors import SettingsError

REPO_DIR = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything configurable, read from the environment (prefix COACH_)."""

    model_config = SettingsConfigDict(env_prefix="COACH_", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("rejection-coach")),
        description="Where the Chroma store and the SQLite database live.",
    )
    cache_dir: Path | None = Field(
        default=None, description="Where trained reading and screening heads are kept; unset: "
        "data_dir/cache.")
    knowledge_dir: Path = Field(
        default=REPO_DIR / "knowledge", description="The cards and rehearsal scenarios."
    )
    chroma_url: str | None = Field(
        default=None, description="A Chroma server (http://host:port); unset: a local store."
    )
    embedding_model_dir: Path | None = Field(
        default=None, description="A local all-MiniLM-L6-v2 folder (with onnx/) to use offline."
    )
    reader: Literal["auto", "rules", "llm"] = Field(
        default="auto",
        description="How messages are read: auto (embedding with the rules when the model is "
        "there, else the rules), rules alone, or llm (the configured LLM first, then auto; "
        "one more call per message).")
    moderation: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="The endpoint's moderation check in the crisis screen: auto (on for "
        "OpenAI itself), on (any OpenAI-compatible endpoint that serves /moderations), off.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL for conversations; unset: SQLite in data_dir."
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "COACH_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "COACH_OPENAI_BASE_URL")
    )
    model: str = Field(default="gpt-4.1-mini", description="The chat model's name.")
    llm_timeout: float = Field(default=20.0, gt=0, description="Seconds per LLM request.")
    system_role: bool = Field(
        default=True, description="The model takes a system message; when false (models whose "
        "chat template has none, e.g. Gemma), the instructions open the first user message.")

    @field_validator("chroma_url", "openai_base_url", "database_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def heads_cache(self) -> Path:
        """The folder of trained heads (derived from the banks and the model, safe to delete)."""
        return self.cache_dir or self.data_dir / "cache"

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings; raises SettingsError naming the bad setting."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "setting"
        env = name if name.startswith("OPENAI_") else f"COACH_{name.upper()}"
        raise SettingsError(f"invalid setting {env}: {first['msg']}") from None
