"""Rehearsal scenarios: the model, the library in knowledge/scenarios.yaml, and "Rehearse this".

A scenario is a counterparty who said "No" for a hidden reason. Its three concealed details
(hint, partial, full) are what the counterparty may say at reveal levels 1, 2 and 3; the
alternative is the workable different arrangement, written as a noun phrase so that both the
counterparty ("What I could do is ...") and the debrief ("propose ...") can use it.
Inline scenarios may give only the essentials; the rest is generated from the hidden reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coach.errors import KnowledgeError
from coach.inputs import plain
from coach.story import Story

Reason = Literal["budget", "authority", "timing", "need", "trust", "competing_offer"]

# Per reason: concealed details (hint, partial, full), the alternative, the plain-words label,
# and the words that give the reason away before level 2 (for the LLM voice's gate).
REASONS: dict[str, dict[str, Any]] = {
    "budget": {
        "concealed": [
            "Money is tighter on our side than it looks from the outside.",
            "What we set aside for this was fixed months ago, and {offer} goes past it.",
            "The real issue is budget: the amount is capped until the next budget cycle, and "
            "I can't go over it however much I'd like to.",
        ],
        "alternative": "a smaller first step now and the rest of {offer} once the next budget "
        "opens",
        "label": "a fixed budget",
        "words": ["budget", "afford", "money", "capped", "funds"],
    },
    "authority": {
        "concealed": [
            "This isn't entirely my call to make.",
            "Anything like {offer} has to go past someone above me, and they've said no before.",
            "The truth is I don't have the authority to agree to {offer}; my director signs off "
            "on it, and I'd need a strong case to take to them.",
        ],
        "alternative": "a short written case for {offer} to take to whoever signs off, with a "
        "smaller first step that needs no one else's approval in the meantime",
        "label": "who has the authority to say yes",
        "words": ["authority", "sign off", "approve", "director", "not my call"],
    },
    "timing": {
        "concealed": [
            "Right now is just a difficult moment for this.",
            "There's a change coming on our side in the next few months that makes {offer} "
            "hard to commit to today.",
            "It's timing: we're in the middle of a change that freezes decisions like {offer} "
            "until it's done, probably next quarter.",
        ],
        "alternative": "agreeing on {offer} now in principle, with a start date after the change "
        "and a check-in on a fixed date",
        "label": "timing",
        "words": ["timing", "freeze", "frozen", "next quarter", "change coming"],
    },
    "need": {
        "concealed": [
            "I'm not sure {offer} is quite what we're looking for.",
            "What we actually need is narrower than what {offer} covers.",
            "Honestly, we don't need all of {offer}; the part we'd pay for is a smaller piece "
            "of it.",
        ],
        "alternative": "a slimmer version of {offer} built around the part they actually need",
        "label": "what they actually need",
        "words": ["don't need", "not what we need", "narrower", "smaller piece"],
    },
    "trust": {
        "concealed": [
            "We've been burned before on something like this.",
            "I'd need more confidence that {offer} will deliver what it promises.",
            "It comes down to trust: we don't have a track record together yet, and I can't "
            "risk {offer} on a promise.",
        ],
        "alternative": "a small trial of {offer} with a clear check point, so trust can be built "
        "before the full commitment",
        "label": "trust and the risk they'd be taking",
        "words": ["trust", "burned", "risk", "track record", "confidence"],
    },
    "competing_offer": {
        "concealed": [
            "We're keeping our options open at the moment.",
            "You're not the only one we're talking to about this.",
            "To be straight with you: we have another offer on the table that beats {offer} on "
            "terms, and I'd have to justify choosing you over it.",
        ],
        "alternative": "a version of {offer} that matches the other offer where it matters to them "
        "and adds what only you can give",
        "label": "a competing offer",
        "words": ["another offer", "other offer", "competitor", "options open", "talking to"],
    },
}


# The counterparty's lines, by kind of reply; {detail} is the concealed detail for the level.
# Every pool has at least three lines so that a line is never repeated twice in a row.
LINES: dict[str, list[str]] = {
    "reveal_1": ["Well... {detail}", "Hmm. {detail}", "I suppose I can say this much. {detail}"],
    "reveal_2": ["Since you ask: {detail}", "Okay, there's a bit more to it. {detail}",
                 "If I'm honest... {detail}"],
    "reveal_3": ["All right, here's the real picture. {detail}", "I'll level with you. {detail}",
                 "You've been fair with me, so here it is. {detail}"],
    "label_1": ["You're not wrong. {detail}", "That's a fair read. {detail}",
                "Maybe a little. {detail}"],
    "label_2": ["Yes, it's been on my mind. {detail}", "You picked up on that. {detail}",
                "I won't pretend otherwise. {detail}"],
    "label_3": ["That's exactly it. {detail}", "You've read me well. {detail}",
                "Yes. And since you ask: {detail}"],
    "all_out": ["That's really all there is to it.", "That's the heart of it; I can't change it.",
                "I've told you what's going on. I'm not sure where that leaves us.",
                "There isn't more to it than that, honestly."],
    "why": ["Because it doesn't work for us at the moment.", "It just doesn't fit, that's all.",
            "Because that's where things are right now.", "Because the answer is no, for now."],
    "closed": ["Maybe.", "Not exactly.", "It's not that simple.", "Partly.", "Hard to say.",
               "I'd rather not say."],
    "leading": ["That's your view.", "I wouldn't put it like that.", "Maybe, maybe not.",
                "I don't see it quite that way."],
    "statement": ["Mm.", "Okay.", "I hear you.", "Right.", "Noted."],
    "concession": ["I appreciate it, but it doesn't change my answer.",
                   "That's kind of you. It doesn't solve my problem, though.",
                   "Thanks, but I'm still at no."],
    "closed_up": ["{opening_no}", "I've given you my answer.", "Pushing won't change my answer.",
                  "I think we're done on this one.", "We're going round in circles here."],
    "guarded": ["I'm not sure I want to get into it now.", "Let's not go there right now.",
                "I'd rather leave it for today.", "I don't know. Maybe another time."],
    "alternative": ["What I could do is this: {alternative}.",
                    "There might be a way. {alternative_cap}: that I could work with.",
                    "If you'd consider {alternative}, I think we could make it work."],
    "silence": ["...", "(waits for you to go on)", "Go on."],
}


class Counterparty(BaseModel):
    """Who said no; may be written as one string, "Jonas, project manager"."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    role: str = Field(default="", max_length=120)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: object) -> object:
        if isinstance(value, str):
            name, _, role = value.partition(",")
            value = {"name": name, "role": role}
        if isinstance(value, dict):  # inline scenarios are the person's text: no markup
            value = {k: plain(v) if isinstance(v, str) else v for k, v in value.items()}
            value["name"] = value.get("name") or "the other side"
        return value


class Scenario(BaseModel):
    """One counterparty with a hidden reason behind their No."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default="", description="Stable slug; derived from the title when empty.")
    title: str = Field(min_length=1, max_length=200)
    context: str = Field(max_length=2000, description="The situation, in a sentence or two.")
    counterparty: Counterparty
    offer: str = Field(min_length=1, max_length=300, description="What the person asked for.")
    opening_no: str = Field(min_length=1, max_length=500, description="The counterparty's No.")
    hidden_reason: Reason
    concealed: list[str] = Field(
        default_factory=list, max_length=3, description="Hint, partial, full: said at levels 1-3."
    )
    alternative: str = Field(default="", max_length=500, description="The workable arrangement.")

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, value: object) -> object:
        """Inline scenarios come from the person: their fields lose tags, tokens and links."""
        if not isinstance(value, dict):
            return value
        return {k: plain(v) if isinstance(v, str) and k != "hidden_reason" else
                [plain(x) if isinstance(x, str) else x for x in v] if isinstance(v, list) else v
                for k, v in value.items()}

    @model_validator(mode="after")
    def _fill_from_reason(self) -> Scenario:
        facts = {"offer": self.offer}
        defaults = REASONS[self.hidden_reason]
        if not self.concealed:
            self.concealed = [line.format(**facts) for line in defaults["concealed"]]
        if len(self.concealed) != 3:
            raise ValueError("concealed needs three details: hint, partial, full")
        self.alternative = self.alternative or defaults["alternative"].format(**facts)
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")[:60]
        self.id = self.id or slug or "scenario"
        return self

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.hidden_reason]["label"])

    @property
    def reason_words(self) -> list[str]:
        return list(REASONS[self.hidden_reason]["words"])


def load_scenarios(knowledge_dir: Path) -> list[Scenario]:
    """The library, in file order; raises KnowledgeError naming the scenario that is wrong."""
    path = knowledge_dir / "scenarios.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path.name}: {exc}") from None
    scenarios = []
    for i, item in enumerate(raw or []):
        try:
            scenarios.append(Scenario.model_validate(item))
        except ValidationError as exc:
            raise KnowledgeError(f"{path.name}: scenario {i + 1}: {exc}") from None
    if len({s.id for s in scenarios}) != len(scenarios):
        raise KnowledgeError(f"{path.name}: duplicate scenario ids")
    return scenarios


# The stated reason often names the real one; when it does not, the context's most common one.
_STATED: tuple[tuple[Reason, str], ...] = (
    ("competing_offer", r"other (offer|candidate|agenc|vendor|supplier|buyer)|competitor|cheaper"),
    ("authority", r"boss|manager|director|board|approv|sign[- ]off|not (my|up to me)|decide"),
    ("budget", r"budget|afford|money|cost|price|expensive|rate|pay|salary|fund"),
    ("timing", r"timing|right now|not now|later|next (year|quarter|month)|freeze|busy|moment"),
    ("trust", r"trust|risk|track record|experience|proven|burned|reliab"),
    ("need", r"need|fit|looking for|priority|interest|use"),
)
_BY_CONTEXT: dict[str, Reason] = {
    "job_offer": "budget", "business_deal": "budget", "personal_request": "timing", "other": "need",
}


def scenario_from_story(story: Story) -> Scenario:
    """The "Rehearse this" scenario: the person's own counterparty, ask and stated reason."""
    stated = (story.stated_reason or "").strip()
    reason = next((r for r, words in _STATED if re.search(rf"\b({words})", stated.lower())),
                  _BY_CONTEXT[story.context])
    ask = (story.ask or "").strip()[:300]
    offer = f"your request {ask}" if ask.lower().startswith("to ") else ask or "your proposal"
    if stated:
        stated = stated[0].upper() + stated[1:300] + ("" if stated[-1] in ".!?" else ".")
    opening = f"Sorry, we can't accept {offer}." + (f" {stated}" if stated else "")
    return Scenario(
        id="your-story", title=f"Rehearse this: {re.sub(r'^to ', '', ask) or offer}"[:200],
        context=f"Your own situation: you asked for {offer} and heard No.",
        counterparty=Counterparty.model_validate((story.counterparty or "").strip()[:80]),
        offer=offer, opening_no=opening, hidden_reason=reason,
    )
