"""The embedding reader: intents, step work, traps and advice topics by example.

Each message is one all-MiniLM-L6-v2 vector (the retriever's model, cached per text, so
the crisis screen and retrieval reuse it); linear heads (heads.py) trained on the banks in
knowledge/reading score it, with thresholds set on the banks' own dev split. It cannot
read numbers, dates or step numbers (the rules reader does), and it knows only the
phrasings its examples are near. Training vectors are cached on disk by content hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt

from coach.knowledge import Topic
from coach.reading import heads
from coach.reading.banks import Family, load_families
from coach.reading.model import Intent, Reading, ReadingContext, TrapSeen
from coach.reading.normalise import normalise
from coach.traps import Trap

SPEAKS_TO = 0.85  # a later step's work must be clearer than the current step's
TRAP_FLOOR = 0.6  # a trap is named only when its head is this sure, whatever its threshold


class Embedder(Protocol):
    """The shared sentence model: unit vectors for texts, and a name for its cache."""

    def vectors(self, texts: list[str]) -> npt.NDArray[np.float32]: ...

    def identity(self) -> str: ...


Calibrate = Callable[[tuple[str, ...], list[str], heads.Array, heads.Array], heads.Heads]


def _key(embed: Embedder, family: Family, calibrate: Calibrate, tag: str) -> str:
    text = "\n".join([embed.identity(), f"{heads.SCALE}:{heads.L2}", tag, calibrate.__module__,
                      calibrate.__name__, *family.labels,
                      *family.examples, family.targets.tobytes().hex()])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def trained(embed: Embedder, family: Family, cache: Path | None,
            calibrate: Calibrate = heads.calibrate, tag: str = "") -> heads.Heads:
    """The family's calibrated heads, from the cache when the bank and the model are the same.

    Embedding a bank takes seconds and fitting it a few more; the cache is keyed by both,
    so an edited example, another model or another `tag` (the calibration's own settings)
    retrains, and a killed write leaves no half file.
    """
    path = cache / f"{family.name}-{_key(embed, family, calibrate, tag)}.npz" if cache else None
    if path is not None and path.is_file():
        saved = np.load(path)
        return heads.Heads(family.labels, saved["weights"], saved["thresholds"],
                           tuple(family.examples), saved["vectors"], family.targets)
    vectors = np.asarray(embed.vectors(family.examples), dtype=np.float64)
    fitted = calibrate(family.labels, family.examples, vectors, family.targets)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, weights=fitted.weights, thresholds=fitted.thresholds, vectors=vectors)
        tmp.replace(path)
    return fitted


class EmbeddingReader:
    """Reads a message by the labelled examples it is nearest to."""

    name = "embedding"

    def __init__(self, embed: Embedder, folder: Path, cache: Path | None = None) -> None:
        self._embed = embed
        self.heads = {f.name: trained(embed, f, cache) for f in load_families(folder)}

    def read(self, text: str, ctx: ReadingContext) -> Reading:
        text = normalise(text)
        # One vector per message: the model's cache shares it with retrieval.
        v = np.asarray(self._embed.vectors([text])[0], dtype=np.float64)
        h = self.heads
        intents = cast(list[Intent], h["intents"].on(v))
        step = ctx.step
        steps = h["steps"].scores(v[None, :])[0]
        thresholds = h["steps"].thresholds
        answers = bool(steps[step - 1] >= thresholds[step - 1])
        later = [s for s in range(step + 1, 7)
                 if steps[s - 1] >= max(thresholds[s - 1], SPEAKS_TO)]
        trap_scores = h["traps"].scores(v[None, :])[0]
        order = np.argsort(-trap_scores)
        found = [TrapSeen(trap=cast(Trap, h["traps"].labels[i])) for i in order
                 if trap_scores[i] >= max(h["traps"].thresholds[i], TRAP_FLOOR)][:2]
        topic = None
        if "advice" in intents:
            scores = h["topics"].scores(v[None, :])[0]
            topic = cast(Topic, h["topics"].labels[int(np.argmax(scores))])
        resembled: dict[str, str] = {i: h["intents"].nearest(v, i) for i in intents}
        if answers:
            resembled[f"step {step}"] = h["steps"].nearest(v, str(step))
        return Reading(
            text=text, intents=intents, back_to=0 if "back" in intents else None,
            advice_topic=topic, answers_step=answers,
            speaks_to=later, story=ctx.story, traps=found, resembled=resembled,
            reader=self.name,
        )
