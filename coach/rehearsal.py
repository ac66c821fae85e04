"""The rehearsal engine: a counterparty with a hidden reason, as a pure step function.

`step(state, move)` assesses the move, updates trust and the reveal level by rules and picks
the counterparty's line; an LLM may later re-word that line (RehearsalTurn.to_draft) but never
changes the state. The safety screen is the caller's job, as are input limits beyond a cut.
Rules, in order:
- pushy, repeating the offer or defensive: trust -15; leading: trust -5.
- curious (an open question that is not "why", or naming their feeling): trust +8, and one
  reveal level more when trust is at least OPEN_TRUST. A "why" question can draw a hint
  (level 0 -> 1) but no more: it asks for a justification rather than the story.
- asking for a different arrangement once the reason is out (level 3): the alternative.
- below OPEN_TRUST the counterparty has closed up: it restates its No (or, to a move that was
  not itself pushy, stays guarded) and reveals nothing until curious moves win trust back.
- closed questions get a few words; plain statements a nod; nothing else moves the level.
"""

from __future__ import annotations

import random
from pathlib import Path

from pydantic import BaseModel, Field

from coach.draft import Draft
from coach.errors import KnowledgeError
from coach.inputs import clean
from coach.knowledge import Card, load_cards, parse_card
from coach.moves import WALK_ME_THROUGH, Assessment, assess, quality
from coach.scenarios import LINES, Scenario
from coach.settings import get_settings
from coach.story import Story

START_TRUST = 50
OPEN_TRUST = 40
ENDED = "This rehearsal has ended. Start a new one to practise again."


class TurnRecord(BaseModel):
    """One move the person made and what the counterparty answered."""

    move: str
    assessment: Assessment
    reply: str
    reveal_level: int = Field(ge=0, le=3)
    trust: int = Field(ge=0, le=100)


class RehearsalState(BaseModel):
    """Everything a rehearsal needs to continue; JSON-serialisable, so the app can persist it."""

    scenario: Scenario
    trust: int = Field(default=START_TRUST, ge=0, le=100)
    reveal_level: int = Field(default=0, ge=0, le=3, description="0 hidden, 1-2 hints, 3 full.")
    alternative_offered: bool = False
    turns: list[TurnRecord] = Field(default_factory=list)
    uncovered_at_turn: int | None = Field(default=None, description="1-based turn of level 3.")
    last_line_ids: list[str] = Field(default_factory=list, description="Recent lines, not reused.")
    seed: int = 0
    ended: bool = False


class MoveNote(BaseModel):
    """A move worth remembering and why it worked."""

    move: str
    why: str


class MoveRewrite(BaseModel):
    """A weak move and a stronger way to say it."""

    move: str
    better: str


class Debrief(BaseModel):
    """What the rehearsal showed, for the person and for the replay JSON."""

    scenario_id: str
    hidden_reason: str
    reason_label: str
    uncovered: bool = Field(description="Whether the full reason (level 3) came out.")
    uncovered_at_turn: int | None
    alternative_found: bool
    open_count: int
    closed_count: int
    statement_count: int
    best_move: MoveNote | None
    weakest_move: MoveRewrite | None
    score: int = Field(ge=0, le=100)
    cards: list[str] = Field(description="Ids of the real-reason and no-as-leverage cards.")
    next_step: str

    def to_text(self) -> str:
        """The debrief as the CLI prints it."""
        found = (f"uncovered on turn {self.uncovered_at_turn}" if self.uncovered
                 else "not uncovered this time")
        lines = [f"Debrief. The hidden reason was {self.reason_label}: {found}.",
                 f"Your moves: {self.open_count} open, {self.closed_count} closed, "
                 f"{self.statement_count} statement{'s' * (self.statement_count != 1)}. "
                 f"Score: {self.score}/100."]
        if self.best_move:
            lines.append(f'Best move: "{self.best_move.move}" ({self.best_move.why}).')
        if self.weakest_move:
            lines.append(f'Weakest move: "{self.weakest_move.move}"; '
                         f'try instead: "{self.weakest_move.better}"')
        lines.append(f"Next step: {self.next_step}")
        lines.append(f"Guide: {', '.join(self.cards)}")
        return "\n".join(lines)


class RehearsalTurn(BaseModel):
    """What one step produced: the reply and the facts an LLM voice needs to re-word it."""

    user: str
    reply: str
    assessment: Assessment | None = Field(default=None, description="None for 'end' or silence.")
    reveal_level: int
    trust: int
    goal: str = Field(description="What the counterparty's reply must do, for the LLM voice.")
    concealed: list[str] = Field(default_factory=list, description="Not to be said at this level.")
    alternative_offered: bool = False
    debrief: Debrief | None = None

    def to_draft(self, history: tuple[tuple[str, str], ...] = ()) -> Draft:
        """The Draft for the counterparty's voice; its template is this turn's offline reply."""
        return Draft(task="counterparty", step=0, step_name="rehearsal", goal=self.goal,
                     user_message=self.user, story=Story(), template=self.reply, history=history,
                     reveal_level=self.reveal_level, concealed=tuple(self.concealed))


def _kind(a: Assessment, level: int) -> str:
    tags = set(a.tags)
    if tags & {"pushy", "repeats_offer", "defensive"}:
        return "hostile"
    if "leading" in tags:
        return "leading"
    if "asks_alternative" in tags and level == 3:
        return "alternative"
    if "why_question" in tags:
        return "why"
    if a.question_type == "open" or "labels_emotion" in tags:
        return "curious"
    if a.question_type == "closed":
        return "closed"
    return "concession" if "concession" in tags else "statement"


_TRUST_DELTA = {"hostile": -15, "leading": -5, "curious": 8, "alternative": 5, "concession": 3}


def _pool(kind: str, a: Assessment, before: int, after: int, trust: int) -> str:
    if trust < OPEN_TRUST:
        return "closed_up" if kind in {"hostile", "leading"} else "guarded"
    if after > before:
        return f"{'label' if 'labels_emotion' in a.tags else 'reveal'}_{after}"
    if kind == "curious":
        return "all_out" if after == 3 else "statement"
    return {"hostile": "closed_up"}.get(kind, kind)


def _line(state: RehearsalState, pool: str, level: int) -> tuple[str, str]:
    """A line from the pool, chosen by seed and turn, never the one just used."""
    s = state.scenario
    detail = s.concealed[level - 1] if level else ""
    facts = {"detail": detail, "opening_no": s.opening_no, "alternative": s.alternative,
             "alternative_cap": s.alternative[:1].upper() + s.alternative[1:]}
    previous = state.turns[-1].reply if state.turns else s.opening_no
    order = list(range(len(LINES[pool])))
    random.Random(f"{state.seed}:{s.id}:{len(state.turns)}:{pool}").shuffle(order)
    for i in order:
        line_id, text = f"{pool}:{i}", LINES[pool][i].format(**facts)
        if line_id not in state.last_line_ids and text != previous:
            return line_id, text
    i = order[0]  # unreachable with pools of three or more lines; kept so a bad pool cannot raise
    return f"{pool}:{i}", LINES[pool][i].format(**facts)


def _goal(s: Scenario, pool: str, level: int, offered: bool) -> tuple[str, list[str]]:
    who = s.counterparty.name + (f", {s.counterparty.role}" if s.counterparty.role else "")
    goal = f"Stay in role as {who}, who said no to {s.offer}; reply in at most two sentences."
    if pool in {"closed_up", "guarded"}:
        goal += " You feel pushed and wary: restate your no and give nothing new."
    elif pool in {"closed", "leading", "why"}:
        goal += " Answer in a few words and give no reason."
    elif pool == "alternative":
        goal += f" Offer this arrangement: {s.alternative}."
    elif level:
        goal += f" You may say this much and no more: {s.concealed[level - 1]}"
    else:
        goal += " Do not give any reason for your no."
    said = " ".join(s.concealed[:level]).lower()
    # The reason's giveaway words stay concealed until a detail the level allows uses them.
    words = [w for w in s.reason_words if w not in said] if level < 3 else []
    return goal, s.concealed[level:] + ([] if offered else [s.alternative]) + words


def step(
    state: RehearsalState, move: str, knowledge_dir: Path | None = None
) -> tuple[RehearsalState, RehearsalTurn]:
    """One move -> (new state, the counterparty's turn); never mutates `state` or raises on text.

    "end" alone (any case) ends the rehearsal and the turn carries the debrief. `knowledge_dir`
    is where the debrief looks for its cards (default: the settings' knowledge dir).
    """
    text = clean(move).text
    level, trust = state.reveal_level, state.trust
    if state.ended:
        return state.model_copy(deep=True), RehearsalTurn(
            user=text, reply=ENDED, reveal_level=level, trust=trust, goal="")
    if text.lower() == "end":
        new = state.model_copy(update={"ended": True}, deep=True)
        report = debrief(new, knowledge_dir)
        return new, RehearsalTurn(user=text, reply=report.to_text(), reveal_level=level,
                                  trust=trust, goal="", debrief=report)
    if not text:  # silence: the counterparty waits; only the line memory changes
        line_id, reply = _line(state, "silence", level)
        goal, concealed = _goal(state.scenario, "silence", level, state.alternative_offered)
        quiet = state.model_copy(deep=True, update={
            "last_line_ids": [*state.last_line_ids, line_id][-2:]})
        return quiet, RehearsalTurn(user=text, reply=reply, reveal_level=level, trust=trust,
                                    goal=goal, concealed=concealed)
    a = assess(text, [t.move for t in state.turns])
    kind = _kind(a, level)
    trust = max(0, min(100, trust + _TRUST_DELTA.get(kind, 0)))
    after = level
    if trust >= OPEN_TRUST and (kind == "curious" or (kind == "why" and level == 0)):
        after = min(3, level + 1)
    pool = _pool(kind, a, level, after, trust)
    offered = state.alternative_offered or pool == "alternative"
    line_id, reply = _line(state, pool, after)
    goal, concealed = _goal(state.scenario, pool, after, offered)
    record = TurnRecord(move=text, assessment=a, reply=reply, reveal_level=after, trust=trust)
    uncovered = state.uncovered_at_turn or (len(state.turns) + 1 if after == 3 else None)
    new = state.model_copy(deep=True, update={
        "trust": trust, "reveal_level": after, "alternative_offered": offered,
        "turns": [*state.turns, record], "uncovered_at_turn": uncovered,
        "last_line_ids": [*state.last_line_ids, line_id][-2:],
    })
    return new, RehearsalTurn(user=text, reply=reply, assessment=a, reveal_level=after,
                              trust=trust, goal=goal, concealed=concealed,
                              alternative_offered=offered)


CARD_TOPICS = ("real-reason", "no-as-leverage")
_WHY = {
    "walk_me_through": "it invited the whole story rather than a yes or no",
    "calibrated_question": "a how/what question cannot be answered with a yes or no",
    "labels_emotion": "naming their feeling made it safe to say more",
    "asks_who_decides": "it found out who else decides",
    "asks_alternative": "it opened the door to a different arrangement",
}


def _cards(knowledge_dir: Path) -> list[str]:
    """The cards' ids by topic; a topic without a readable card is named by the topic itself."""
    try:
        cards = load_cards(knowledge_dir)
    except KnowledgeError:  # cards still being written: use the ones that parse
        cards = []
        for path in sorted((knowledge_dir / "cards").glob("*.md")):
            try:
                cards.append(parse_card(path.read_text(encoding="utf-8"), path.name))
            except (KnowledgeError, OSError, UnicodeDecodeError):
                continue
    by_topic: dict[str, Card] = {}
    for card in cards:
        by_topic.setdefault(card.topic, card)
    return [by_topic[t].id if t in by_topic else t for t in CARD_TOPICS]


def _score(state: RehearsalState) -> int:
    """0-100: 45 for the full reason (else 15 per level reached), 15 for the alternative,
    25 x the share of curious, non-hostile moves, 15 x final trust / 100, minus 5 for each
    pushy, repeating or defensive move. No moves scores 0."""
    if not state.turns:
        return 0
    kinds = [_kind(t.assessment, 0) for t in state.turns]
    good = sum(k == "curious" for k in kinds) / len(kinds)
    raw = (45 if state.reveal_level == 3 else 15 * state.reveal_level) \
        + 15 * state.alternative_offered + 25 * good + 15 * state.trust / 100 \
        - 5 * kinds.count("hostile")
    return max(0, min(100, round(raw)))


def debrief(state: RehearsalState, knowledge_dir: Path | None = None) -> Debrief:
    """The debrief of a rehearsal at any point (normally after "end")."""
    s, turns = state.scenario, state.turns
    types = [t.assessment.question_type for t in turns]
    best = worst = None
    if turns:
        raised = [t.reveal_level > (turns[i - 1].reveal_level if i else 0)
                  for i, t in enumerate(turns)]
        top = max(range(len(turns)), key=lambda i: (raised[i], quality(turns[i].assessment), -i))
        tags = turns[top].assessment.tags
        reasons = [why for tag, why in _WHY.items() if tag in tags and not (
            tag == "calibrated_question" and "walk_me_through" in tags)][:2]
        if raised[top]:
            reasons.insert(0, f"it got {s.counterparty.name} to say more")
        if reasons:  # a rehearsal of only weak moves has no best move to praise
            best = MoveNote(move=turns[top].move, why="; ".join(reasons))
        low = min(range(len(turns)), key=lambda i: (quality(turns[i].assessment), i))
        better = turns[low].assessment.better
        if better:
            worst = MoveRewrite(move=turns[low].move, better=better.replace("this offer", s.offer))
    name, alt = s.counterparty.name, s.alternative
    if state.reveal_level == 3:
        ask = "" if state.alternative_offered else (
            ' ask "Is there a different arrangement or condition that might work better for you?"'
            " and")
        next_step = (f"Go back to {name}, show you understand their real concern "
                     f"({s.reason_label}),{ask} propose {alt}.")
    else:
        opener = WALK_ME_THROUGH.replace("this offer", s.offer)
        next_step = (f'In the real conversation, ask {name}: "{opener}" Listen for '
                     f"{s.reason_label}; if that is it, propose {alt}.")
    return Debrief(
        scenario_id=s.id, hidden_reason=s.hidden_reason, reason_label=s.reason_label,
        uncovered=state.reveal_level == 3, uncovered_at_turn=state.uncovered_at_turn,
        alternative_found=state.alternative_offered, open_count=types.count("open"),
        closed_count=types.count("closed"), statement_count=types.count("statement"),
        best_move=best, weakest_move=worst, score=_score(state),
        cards=_cards(knowledge_dir or get_settings().knowledge_dir), next_step=next_step)
