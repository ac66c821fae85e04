"""The OpenAI-compatible stub server for tests; it lives in evals/stub.py, shared with the evals."""

from evals.stub import Behaviour, OpenAIStub

__all__ = ["Behaviour", "OpenAIStub"]
