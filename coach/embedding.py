"""all-MiniLM-L6-v2 (ONNX) as a Chroma embedding function that pads only to the longest text.

Chroma's stock `ONNXMiniLM_L6_V2` pads every text to 256 tokens (and the model's tokenizer.json
pads to 128), so a five-word query costs as much as a page. This subclass pads to the longest
text in the batch, truncates at 256 tokens, reads the model from a local folder when one is
given, and shares one tokenizer and one ONNX session per model folder across the process.
Pooling and normalisation are Chroma's own, so vectors match the stock function's.
It does not handle download failures: callers catch them and fall back to keyword search.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

MAX_TOKENS = 256
_MODEL_FILES = ("model.onnx", "tokenizer.json")


def resolve_model_dir(model_dir: Path) -> Path:
    """The folder holding model.onnx and tokenizer.json: `model_dir` itself or its onnx/."""
    for candidate in (model_dir / "onnx", model_dir):
        if all((candidate / name).is_file() for name in _MODEL_FILES):
            return candidate
    raise FileNotFoundError(f"no model.onnx and tokenizer.json in {model_dir} or its onnx/")


@lru_cache(maxsize=4)
def _load(folder: str) -> tuple[Any, Any]:
    """One tokenizer and one ONNX session per model folder, for the whole process."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    # No `length`: pad to the longest text in the batch, overriding tokenizer.json's fixed 128.
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # No spinning: idle pool threads would keep a core busy after each query, slowing the
    # Chroma lookup that follows and other sessions' turns (measured in `python -m evals.bench`).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(
        os.path.join(folder, "model.onnx"),
        sess_options=options,
        providers=["CPUExecutionProvider"],
    )
    return tokenizer, session


# Sessions' threads taking turns at the model: running one inference at a time is faster
# than many contending for the same cores (16 sessions on 2 cores, `python -m evals.bench`).
_RUNNING = threading.Lock()


class VectorCache:
    """Each text's vector, shared by the readers, the crisis screen and retrieval.

    Computed once per process (the least recently used dropped past `size`); the texts
    not yet known are embedded together, in one batch (a long message's sentences).
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._known: OrderedDict[tuple[str, str], npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, ef: MiniLMEmbedding, texts: list[str]) -> list[npt.NDArray[np.float32]]:
        keys = [(ef.key, t) for t in texts]
        with self._lock:
            missing = list(dict.fromkeys(k for k in keys if k not in self._known))
        fresh = dict(zip(missing, ef._forward([t for _, t in missing]), strict=True)) \
            if missing else {}
        with self._lock:
            self._known.update(fresh)
            found = [fresh[k] if k in fresh else self._known[k] for k in keys]
            for key in keys:
                if key in self._known:
                    self._known.move_to_end(key)
            while len(self._known) > self.size:
                self._known.popitem(last=False)
        return found

    def cache_clear(self) -> None:
        with self._lock:
            self._known.clear()


shared_vector = VectorCache()


@register_embedding_function
class MiniLMEmbedding(ONNXMiniLM_L6_V2):
    """all-MiniLM-L6-v2 from `model_dir` (or Chroma's download cache), without padding waste."""

    def __init__(self, model_dir: Path | str | None = None) -> None:
        super().__init__(preferred_providers=["CPUExecutionProvider"])
        self.model_dir = Path(model_dir) if model_dir is not None else None

    @cached_property
    def key(self) -> str:
        """What names this model in the shared vector cache: two instances over one model
        (the retriever's and the screen's) share each text's vector."""
        return str(self.folder())

    def folder(self) -> Path:
        """The model's folder; downloads into Chroma's cache first when no model_dir is set."""
        if self.model_dir is not None:
            return resolve_model_dir(self.model_dir)
        self._download_model_if_not_exists()
        return Path(self.DOWNLOAD_PATH) / self.EXTRACTED_FOLDER_NAME

    def load(self) -> None:
        """Make the tokenizer and session now, so a missing or broken model shows up here."""
        _load(str(self.folder()))

    @property
    def tokenizer(self) -> Any:
        return _load(str(self.folder()))[0]

    @property
    def model(self) -> Any:
        return _load(str(self.folder()))[1]

    def identity(self) -> str:
        """Names the model in the index's metadata, so a switch of model rebuilds the index."""
        size = (self.folder() / "model.onnx").stat().st_size
        return f"{self.name()}:{self.MODEL_NAME}:{size}:max{MAX_TOKENS}"

    def _forward(self, documents: list[str], batch_size: int = 32) -> npt.NDArray[np.float32]:
        tokenizer, session = _load(str(self.folder()))
        chunks = []
        for start in range(0, len(documents), batch_size):
            encoded = tokenizer.encode_batch(documents[start : start + batch_size])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)  # (batch, longest)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            with _RUNNING:  # one inference at a time: each already uses every core
                hidden = session.run(
                    None,
                    {"input_ids": ids, "attention_mask": mask,
                     "token_type_ids": np.zeros_like(ids)},
                )[0]  # (batch, longest, 384)
            weights = np.expand_dims(mask, -1)
            pooled = np.sum(hidden * weights, 1) / np.clip(weights.sum(1), 1e-9, None)
            chunks.append(self._normalize(pooled).astype(np.float32))
        return np.concatenate(chunks)

    def vectors(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Unit vectors (len(texts), 384), each text's computed once per process."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack(shared_vector.vectors(self, texts))

    def __call__(self, input: Documents) -> Embeddings:
        return cast(Embeddings, list(self._forward(list(input))))

    @staticmethod
    def name() -> str:
        return "coach_minilm_l6_v2"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        return MiniLMEmbedding(model_dir=config.get("model_dir"))

    def get_config(self) -> dict[str, Any]:
        return {"model_dir": str(self.model_dir) if self.model_dir else None}

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        model_dir = config.get("model_dir")
        if model_dir is not None and not isinstance(model_dir, str):
            raise ValueError("model_dir must be a string path or null")
