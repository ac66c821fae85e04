"""In-process timings for the benchmark: the floor, Chroma's stock path, coach and rehearsal turns.

Each function returns raw samples in seconds; evals/bench.py turns them into the table. Turns
replay evals/data/conversations.json through coach.session.Session with offline_deps(). Every
pass starts with empty text caches (see fresh_deps), so no turn is answered from what an
earlier pass left behind: a person does not send the same words twice.
It does not start processes (see bench_procs.py).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any

from coach.embedding import MiniLMEmbedding, resolve_model_dir, shared_vector
from coach.retrieval import COLLECTION, get_retriever, make_client
from coach.safety import rules as crisis_rules
from coach.scenarios import load_scenarios
from coach.session import Deps, Session, SessionState, offline_deps
from coach.settings import get_settings
from evals.result import DATA_DIR

FLOOR_QUERY = "they said no"
REHEARSAL_MOVES = 6  # moves per rehearsal before a new one starts (a typical rehearsal's length)


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _turn(session: Session, message: str) -> float:
    start = time.perf_counter()
    session.handle(message)
    return time.perf_counter() - start


def conversations() -> list[list[str]]:
    """The conversation suite's scripts, as lists of messages."""
    cases = json.loads((DATA_DIR / "conversations.json").read_text(encoding="utf-8"))
    return [case["turns"] for case in cases]


def fresh_deps() -> Deps:
    """offline_deps() over a new retriever, with every cache keyed by a message's text emptied.

    The model session stays: the figures are for a warm process that has not seen these words.
    """
    get_retriever.cache_clear()  # the retriever holds the query cache
    shared_vector.cache_clear()  # each message's one vector
    crisis_rules.cache_clear()
    deps = offline_deps()
    if deps.screen.embedding is not None:
        deps.screen.embedding.cache_clear()  # each message's scores
    return deps


class Floor:
    """One short query embedded without padding plus a k-NN over the cards (k=3).

    It uses the coach's own embedding function, so a faster model session lowers the floor
    too and the ratio measures only what a turn adds.
    """

    def __init__(self) -> None:
        settings = get_settings()
        self.embed = MiniLMEmbedding(settings.embedding_model_dir)
        client = make_client(settings)
        self.collection = client.get_collection(COLLECTION, embedding_function=self.embed)  # type: ignore[arg-type]

    def __call__(self) -> None:
        self.collection.query(query_embeddings=self.embed([FLOOR_QUERY]), n_results=3)


def chroma_default(floor: Floor, runs: int) -> list[float]:
    """`query_texts` through Chroma's stock ONNXMiniLM_L6_V2 (pads to 256) on the same model."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.utils.embedding_functions import ONNXMiniLM_L6_V2

    model_dir = get_settings().embedding_model_dir
    assert model_dir is not None, "the bench sets COACH_EMBEDDING_MODEL_DIR"
    folder = resolve_model_dir(model_dir)
    stock = ONNXMiniLM_L6_V2(preferred_providers=["CPUExecutionProvider"])
    stock.DOWNLOAD_PATH, stock.EXTRACTED_FOLDER_NAME = str(folder.parent), folder.name  # type: ignore[assignment]
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection(
        "bench_stock", embedding_function=stock, configuration={"hnsw": {"space": "cosine"}}  # type: ignore[arg-type]
    )
    cards = floor.collection.get(include=["embeddings", "documents"])
    collection.upsert(ids=cards["ids"], embeddings=cards["embeddings"],
                      documents=cards["documents"])

    def query() -> None:
        collection.query(query_texts=[FLOOR_QUERY], n_results=3)

    query()  # the stock function loads its own tokenizer and session on first use
    return [_timed(query) for _ in range(runs)]


def _turns_of(scripts: list[list[str]], deps: Deps, seed: int) -> Iterator[tuple[Session, str]]:
    """Each message of each script, with the script's own session."""
    for script in scripts:
        session = Session(SessionState(seed=seed), deps=deps)
        for message in script:
            yield session, message


def coach_turns(turns: int, floor: Floor) -> tuple[list[float], list[float]]:
    """Whole passes over the suite, at least `turns` warm turns, each after a floor sample.

    Interleaving puts the two under the same load (other processes come and go), so their
    ratio holds even when the absolute figures drift. Up to one pass, not counted, warms up.
    """
    scripts = conversations()
    for session, message in islice(_turns_of(scripts, fresh_deps(), -1), turns):
        session.handle(message)
    samples: list[float] = []
    floors: list[float] = []
    seed = 0
    while len(samples) < turns:
        for session, message in _turns_of(scripts, fresh_deps(), seed):
            floors.append(_timed(floor))
            samples.append(_turn(session, message))
        seed += 1
    return samples, floors


def rehearsal_turns(turns: int) -> list[float]:
    """Warm rehearsal turns: the moves of evals/data/moves.jsonl against each scenario in turn."""
    scenarios = load_scenarios(get_settings().knowledge_dir)
    lines = (DATA_DIR / "moves.jsonl").read_text(encoding="utf-8").splitlines()
    moves = [json.loads(line)["move"] for line in lines if line.strip()]
    deps = fresh_deps()
    samples: list[float] = []
    played = 0
    while len(samples) < turns + REHEARSAL_MOVES:  # the first rehearsal warms up
        session = Session.rehearse(scenarios[played % len(scenarios)], seed=played, deps=deps)
        for i in range(REHEARSAL_MOVES):
            move = moves[(played * REHEARSAL_MOVES + i) % len(moves)]
            samples.append(_turn(session, move))
        played += 1
    return samples[REHEARSAL_MOVES:][:turns]


def concurrency_units() -> list[list[str]]:
    """Conversations for the concurrent sessions: the suite's, then each story alone.

    Stories that open a suite conversation are left out, so no text is asked twice.
    """
    scripts = conversations()
    said = {message for script in scripts for message in script}
    lines = (DATA_DIR / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    stories = [json.loads(line)["text"] for line in lines if line.strip()]
    return scripts + [[text] for text in stories if text not in said]


def concurrent(threads: int, units: list[list[str]]) -> tuple[float, list[float]]:
    """Turns per second and each turn's latency with `threads` sessions at once, shared deps.

    The units are dealt round-robin, one Session per unit, every thread starting together.
    """
    deps = fresh_deps()
    deps.search("warm up the retriever", 1, None)
    barrier = threading.Barrier(threads)

    def worker(index: int) -> tuple[float, float, list[float]]:
        barrier.wait()
        start = time.perf_counter()
        mine = []
        for n, script in enumerate(units[index::threads]):
            session = Session(SessionState(seed=index + n), deps=deps)
            mine += [_turn(session, message) for message in script]
        return start, time.perf_counter(), mine

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = [f.result() for f in [pool.submit(worker, i) for i in range(threads)]]
    wall = max(end for _, end, _ in results) - min(start for start, _, _ in results)
    latencies = [s for _, _, samples in results for s in samples]
    return len(latencies) / wall, latencies


def screen_turns(turns: int, floor: Floor) -> list[float]:
    """The crisis screen's own cost per turn: every message's vector already embedded.

    The session embeds each message once and the readers, the screen and retrieval share
    it, so this is what the screen adds over that one shared embedding.
    """
    from coach.safety.screen import WINDOW, build_screen

    settings = get_settings()
    screen, notice = build_screen(floor.embed, settings.knowledge_dir, settings.heads_cache)
    assert notice is None, notice
    windows = [script[max(0, i + 1 - WINDOW): i + 1] for script in conversations()
               for i in range(len(script))][:turns]
    for window in windows:
        screen.assess(window)  # embeds and caches each message's vector (and sentences)
    if screen.embedding is not None:
        screen.embedding.cache_clear()  # scores: each message is scored in its own turn
    return [_timed(lambda w=w: screen.assess(w)) for w in windows]


class Paced:
    """A reply model that writes `pieces` words `gap` seconds apart; the first sentence ends
    with the fifth piece. `sentence_at` is when that piece left it (perf_counter)."""

    name = "paced"

    def __init__(self, pieces: int = 50, gap: float = 0.02) -> None:
        self.pieces, self.gap, self.sentence_at = pieces, gap, 0.0

    def stream(self, draft: Any) -> Iterator[str]:
        words = "Jonas said no to 0.13. " + "That stings, and it is normal to feel it. " * 10
        for i, word in enumerate(words.split(" ")[: self.pieces]):
            time.sleep(self.gap)
            if i == 4:
                self.sentence_at = time.perf_counter()
            yield word + " "


def first_sentence(runs: int) -> list[tuple[float, float]]:
    """(seconds to the first shown text, seconds to the model's first sentence) per run."""
    from coach.draft import Draft
    from coach.llm import FallbackModel
    from coach.story import Story

    story = Story(counterparty="Jonas at Lexa", ask="0.13 per word")
    draft = Draft(task="coach", step=2, step_name="detach", goal="name the feeling",
                  user_message="Jonas at Lexa said no to 0.13 per word.", story=story,
                  template="Jonas said no. How do you feel?", details=("Jonas at Lexa",))
    samples = []
    for _ in range(runs):
        model = Paced()
        start = time.perf_counter()
        shown = iter(FallbackModel(model).stream(draft))
        next(shown)
        samples.append((time.perf_counter() - start, model.sentence_at - start))
        for _ in shown:  # the rest, as the person would see it
            pass
    return samples
