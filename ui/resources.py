"""What every browser session shares (store, search, cards, scenarios) and its own reply model."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import SecretStr

from coach import retrieval
from coach.knowledge import load_cards
from coach.scenarios import Scenario, load_scenarios
from coach.session import Deps, build_deps
from coach.settings import Settings, get_settings
from coach.store import Store


@st.cache_resource
def get_store() -> Store:
    return Store()


@st.cache_resource(show_spinner="Opening the guide...")
def shared_retriever() -> retrieval.Retriever:
    # Building it can take seconds (the embedding index): once per process, under a lock.
    return retrieval.get_retriever()


@st.cache_resource
def card_bodies() -> dict[str, str]:
    return {c.id: c.body for c in load_cards(get_settings().knowledge_dir)}


@st.cache_resource
def scenario_library() -> list[Scenario]:
    return load_scenarios(get_settings().knowledge_dir)


def llm_settings() -> Settings:
    """The environment's settings, overridden by .streamlit/secrets.toml, then the sidebar."""
    changes: dict[str, Any] = {}
    try:
        secrets = {k: st.secrets[k] for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "COACH_MODEL")
                   if k in st.secrets}
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        secrets = {}
    ui = {"OPENAI_BASE_URL": st.session_state.get("base_url"),
          "OPENAI_API_KEY": st.session_state.get("api_key"),
          "COACH_MODEL": st.session_state.get("model_name")}
    for source in (secrets, ui):
        if source.get("OPENAI_BASE_URL"):
            changes["openai_base_url"] = str(source["OPENAI_BASE_URL"]).strip()
        if source.get("OPENAI_API_KEY"):
            changes["openai_api_key"] = SecretStr(str(source["OPENAI_API_KEY"]).strip())
        if source.get("COACH_MODEL"):
            changes["model"] = str(source["COACH_MODEL"]).strip()
    return get_settings().model_copy(update=changes)


def session_deps() -> Deps:
    """This browser session's reply model: rebuilt only when the sidebar settings change."""
    settings = llm_settings()
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    fingerprint = hash((settings.openai_base_url, settings.model, key))
    if st.session_state.get("deps_for") != fingerprint:
        st.session_state.deps = build_deps(settings, shared_retriever().search)
        st.session_state.deps_for = fingerprint
    deps: Deps = st.session_state.deps
    return deps
