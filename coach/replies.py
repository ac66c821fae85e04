"""The template model's words: offline replies built from the decision, the story and the plan.

Replies reuse the person's details, vary their openings, end with one question or action,
and stay under ~120 words. They never claim it will all work out. Citations are added by
the session from the retrieved cards, not written here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from coach import plan as plans
from coach import traps
from coach.retrieval import Passage
from coach.steps import STEPS, CoachState, Decision, current
from coach.story import Story

_PERSON = {"my": "your", "me": "you", "i": "you", "i'm": "you're", "our": "your", "we": "you",
           "us": "you", "mine": "yours", "myself": "yourself"}


def _you(phrase: str) -> str:
    """The person's own phrase, turned to address them ('my landlord' -> 'your landlord')."""
    return re.sub(r"\b(my|me|i|i'm|our|we|us|mine|myself)\b",
                  lambda m: _PERSON[m.group(0).lower()], phrase, flags=re.IGNORECASE)


class Facts:
    """The story's details as the phrases replies slot in, with kind fallbacks."""

    def __init__(self, story: Story) -> None:
        self.full = _you(story.counterparty) if story.counterparty else "the other side"
        if "," in self.full:  # "Jonas, their project manager," reads right as a subject
            self.full += ","
        ask = story.ask
        if ask and ask.lower().startswith("to "):  # "to help me move" reads as a request
            ask = f"my request {ask}"
        self.ask = _you(ask) if ask else "what you asked for"
        self.own_ask = ask or "my proposal"
        self.reason = story.stated_reason
        first = (story.counterparty or "").split(",")[0].split()
        # "Jonas" or "Mrs Okafor": a capitalised name of up to three words, before any comma
        named = 1 <= len(first) <= 3 and all(w[:1].isupper() for w in first)
        self.name = " ".join(first) if named else None
        self.who = self.name or self.full  # the short way to refer to them after the opening
        self.context = story.context


def _cap(text: str) -> str:
    """The text with its first letter in capitals, as at the start of a sentence."""
    return text[:1].upper() + text[1:]


def feedback_message(story: Story) -> str:
    """A message the person could send to ask for feedback, built on the guide's question.

    It asks openly ("walk me through", "what would need to be true") and gives no reason
    the other side did not give: no price, budget or timing put in their mouth.
    """
    f = Facts(story)
    greeting = f"Hi {f.name}, thanks" if f.name else "Thanks"
    tail = {
        "personal_request": "I'd really like to understand what would make it work for you.",
    }.get(f.context, "Knowing that would help me come back with something that fits better.")
    return (f'"{greeting} for the clear answer, I appreciate it. Could you walk me through '
            f"what's preventing you from moving forward with this, and what would need to be "
            f'true for it to work on your side? {tail}"')


def digest(text: str) -> str:
    """A short fingerprint of a reply, to know it was already said without keeping it twice."""
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:12]


_AGAIN = ("Let me put it another way.", "Coming at it from a different angle:",
          "One more way to look at it:", "Here's another thought.", "Let's try this:")


def _pick(options: list[str], seed: int, previous: str | None,
          said: Sequence[str] = ()) -> str:
    """A variant chosen by seed, never one already said, and not opening like the last one.

    When every variant was said, one is led in with a phrase that makes it new.
    """
    start = seed % len(options)
    ordered = options[start:] + options[:start]
    fresh = [o for o in ordered if digest(o) not in said]
    if not fresh:
        fresh = [f"{lead} {o}" for lead in _AGAIN for o in ordered
                 if digest(f"{lead} {o}") not in said] or ordered
    return next((o for o in fresh if _opening(o) != _opening(previous)), fresh[0])


def _opening(text: str | None) -> str:
    return (text or "").split(" ", 1)[0].strip(".,!:").lower()


def compose(decision: Decision, state: CoachState, seed: int, previous: str | None = None,
            cards: Sequence[Passage] = (), said: Sequence[str] = ()) -> str:
    """The offline reply for this turn; an advice answer is drawn from the top card.

    `said` holds the digests of the replies already given: none is given twice.
    """
    f = Facts(state.story)
    if decision.kind == "advice" and cards:
        options = _advice_from(cards[0], decision, state, f)
    else:
        options = _TEMPLATES[decision.kind](decision, state, f)
    return _pick(options, seed, previous, said)


QUOTED_WORDS = 4  # a sentence quoted back to the person says at least this much


def _sentences(paragraph: str, n: int) -> str:
    return " ".join(re.split(r"(?<=[.!?])\s+", paragraph.strip())[:n])


def _telling_sentence(paragraph: str) -> str:
    """Its first sentence that says something: not "lol ok." or "um." before the point."""
    parts = re.split(r"(?<=[.!?])\s+", paragraph.strip())
    return next((p for p in parts if len(p.split()) >= QUOTED_WORDS), parts[0])


def _advice_from(card: Passage, d: Decision, s: CoachState, f: Facts) -> list[str]:
    """The card's idea, what to do, and one phrasing; then back to the current step."""
    parts = [p.strip() for p in card.text.split("\n\n") if p.strip()]
    idea = _sentences(parts[0], 1)
    todo = next((_sentences(p.split(":", 1)[1], 1) for p in parts
                 if p.lower().startswith("what to do:")), "")
    phrasing = next((line.lstrip("- ").strip() for line in card.text.splitlines()
                     if line.startswith("- ")), "")
    say = f" You might say: {phrasing}" if phrasing else ""
    todo = _cap(todo)
    back = (f" Back to step {d.step}: {step_question(d.step, f)}"
            if s.started and s.step <= 6 else "")
    text = f"{idea} {todo}{say}".strip()
    if len(re.findall(r"\S+", text + back)) > 110:
        text = f"{idea}{say}"
    return [f"{text}{back}", f"Good question. {text}{back}"]


def step_question(step: int, f: Facts) -> str:
    """The one question each step keeps coming back to."""
    return {
        1: f"In your own words, plainly: what did {f.who} say no to?",
        2: f"How are you feeling about it right now, and is there anything you want to send "
           f"{f.who} in the heat of it?",
        3: "What went well in it, and what did you learn about how they decide?",
        4: "Would you send that message, adapt it, or is asking not possible here?",
        5: "What will you change: the number, what comes with it, or how you present it?",
        6: "When will you come back to them, on what trigger, and when will you stop?",
    }[current(step)]


def _intake(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return [
        "I'm here to help you work through one specific No. What happened: who said no, "
        "and to what?",
        "Let's start with the No itself. Tell me what you asked for, who turned it down, "
        "and what they said.",
    ]


def _open(d: Decision, s: CoachState, f: Facts) -> list[str]:
    said = f' and said "{f.reason}"' if f.reason else ""
    return [
        f"That's a real No: {f.full} turned down {f.ask}{said}. Before we look at what to do, "
        "can you say it in your own words, plainly, without softening it?",
        f"Thank you for telling me. {_cap(f.full)} said no to {f.ask}{said}, "
        "and that stings. First step: name it. How would you put what happened, in one "
        "honest sentence?",
    ]


def _challenge(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return [
        f"I hear the wish to shrug it off, and it makes sense. But {f.who} did say no to "
        f"{f.ask}, and the sooner that's named, the sooner you can move. Can you say it "
        "plainly: \"I got a No, and that's okay\"?",
        "It's tempting to call it a misunderstanding or to wait for them to come round. "
        "Ignoring a No only delays what you can learn from it. What would it sound like to "
        "say simply what happened?",
    ]


def _stay_1(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return [f"Let's stay with step one a moment. {step_question(1, f)}",
            f"No rush. Facing it comes first. {step_question(1, f)}"]


def _advance_2(s: CoachState, f: Facts) -> list[str]:
    if s.plan.feelings:  # they already said how it feels: name it back, ask what's left
        return [
            f"Thank you for saying it straight. {_cap(s.plan.feelings)}: that's a normal way "
            "to feel after a No, and it says nothing about your worth. Before anything else, "
            f"is there something you want to send {f.who} in the heat of it?",
            f"That's the honest starting point. You said you feel {s.plan.feelings}, which "
            "makes sense. A reply sent from that can close a door you want open: will you "
            "give it a pause before answering them?",
        ]
    return [
        "Good, that's the honest starting point. It's normal to feel hurt, annoyed or flat "
        f"after this. A negotiation is a business exchange, not a verdict on you. "
        f"{step_question(2, f)}",
        f"Thank you for saying it straight. Now the feelings: a No from {f.who} can sting "
        "for days, and a reply sent in the heat of it can close a door you want open. "
        f"{step_question(2, f)}",
    ]


def _cool_down(d: Decision, s: CoachState, f: Facts) -> list[str]:
    felt = f"Feeling {s.plan.feelings}" if s.plan.feelings else "That anger"
    return [
        f"{felt} makes sense, and it's exactly the moment not to reply to {f.who}. Give it "
        "a pause first: a walk, five slow breaths, or sleep on it. Tell me when the sting has "
        "dropped a notch, or if you'd rather go on now.",
        f"Hold that message for now. Whatever you send {f.who} today, you'd be sending from "
        "the hurt, not from your plan. Step away for a bit: a walk, some air, or a night's "
        "sleep. Are you a little calmer, or shall we go on?",
    ]


def _stay_2(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return [f"Take your time with this one. {step_question(2, f)} Say \"go on\" when ready.",
            "No hurry here. When you feel steadier, or if you'd like to go on now, tell me."]


def _advance_3(s: CoachState, f: Facts) -> list[str]:
    reason = (f' What they said, "{f.reason}", is about their side: budget, timing or needs.'
              if f.reason else "")
    named = (f"You named it, {s.plan.feelings}, and you're holding off on a reply: that's "
             "the pause this step is for." if s.plan.feelings else "Good, a clearer head helps.")
    return [
        f"{named} Let's look at it from the other side.{reason} "
        "What went well in your exchange with them, and what did you learn about how they "
        "decide?",
        f"Now the reframe: not a dead end, but a stepping stone.{reason} Which parts went "
        f"well with {f.who}, and what do you know now that you didn't before?",
    ]


def _trap(d: Decision, s: CoachState, f: Facts) -> list[str]:
    trap = d.trap or "personalizing"
    name, explain = traps.TRAP_NAMES[trap], traps.explain(trap)
    explain = explain.replace(_cap(name), f"*{_cap(name)}*", 1)
    facts = (f'What {f.who} actually said was "{f.reason}", which is about their side. '
             if f.reason else f"What you know is that {f.who} said no to {f.ask}. ")
    return [
        f"Notice the jump there. {explain} {facts}Does that fit better with the facts?",
        f"I want to flag one thing, a thinking trap called {name}. {explain} {facts}"
        "What would you say to a friend in your place?",
    ]


def _stay_3(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return [f"Try one concrete thing. {step_question(3, f)}",
            "Even a small thing counts: a point they agreed with, a question they asked, what "
            "you'd do differently. What comes to mind?"]


def _advance_4(s: CoachState, f: Facts) -> list[str]:
    msg = feedback_message(s.story)
    fair = ("That's a fairer picture. " if s.plan.reframe and not s.plan.trap
            else "Thank you for staying with that. ")
    return [
        f"{fair}Now the most useful move is to learn where their limit is. "
        f"Here's a message you could send {f.who}: {msg} {step_question(4, f)}",
        f"Next: ask {f.who} for feedback, briefly and without defending yourself. "
        f"For example: {msg} {step_question(4, f)}",
    ]


def _no_feedback(d: Decision, s: CoachState, f: Facts) -> list[str]:
    reason = f'Start with what they said: "{f.reason}". ' if f.reason else ""
    return [
        f"Then read the clues instead. {reason}What did they ask about, what did they "
        "hesitate on, and how fast did they answer? Budget, authority, timing and trust each "
        "leave different traces. Which clue stands out to you?",
        f"Fair enough, not everyone will answer. {reason}Look back at the conversation: the "
        "questions they asked, where they went quiet, who else they mentioned. What do those "
        "suggest was the real reason?",
    ]


def _stay_4(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return [f"Here's the draft again: {feedback_message(s.story)} {step_question(4, f)}",
            "You can also write your own version: short, no defending, one open question. "
            f"{step_question(4, f)}"]


def _advance_5(s: CoachState, f: Facts) -> list[str]:
    idea = plans.suggested_arrangement(s.story)
    return [
        f"Now change the offer, not just the wording: {f.ask} as it stood got a No. Think "
        "about your pitch, the value you add, your style, a realistic goal and a walk-away "
        f"point. One different arrangement: {idea}. {step_question(5, f)}",
        f"With that in hand, let's adjust. Repeating {f.ask} unchanged would likely get the "
        f"same answer. For example, you could {idea}. What's your version, and what's the "
        "least you'd accept?",
    ]


def _same_offer(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return [
        f"Careful: the same offer will most likely get the same No from {f.who}. "
        "Persistence means coming back with something that addresses their needs better. "
        "What one thing will be different this time?",
        f"That's the same ask again, and {f.who} has already answered it. What could change: "
        "the number, the scope, the timing, or what comes with it?",
    ]


def _stay_5(d: Decision, s: CoachState, f: Facts) -> list[str]:
    idea = plans.suggested_arrangement(s.story)
    return [f"One option: {idea}. Say \"ok\" to take it, or tell me your own change.",
            f"{step_question(5, f)} If you'd like, we can go with this: {idea}."]


def _advance_6(s: CoachState, f: Facts) -> list[str]:
    return [
        f"That's a real change. Last step: persistence with {f.who}, but smart. "
        f"{step_question(6, f)} "
        "For example: come back in four weeks or when their budget resets, and stop after "
        "two more No's.",
        f"Good plan. Now decide how you'll come back to {f.who}: not pushy, and never with "
        f"the same offer. {step_question(6, f)}",
    ]


def _need_stop(d: Decision, s: CoachState, f: Facts) -> list[str]:
    when = s.plan.follow_up or "then"
    return [
        f"Good: you'll come back {when}. Now a stop rule, so persistence doesn't turn into "
        f"chasing. When will you stop? For example: {plans.DEFAULT_STOP_RULE}.",
        f"{_cap(when)} it is. What's your stop rule? Say \"ok\" to use this "
        f"one: {plans.DEFAULT_STOP_RULE}.",
    ]


def _stay_6(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return [f"{step_question(6, f)} Say \"ok\" to use: {plans.DEFAULT_FOLLOW_UP}, and "
            f"{plans.DEFAULT_STOP_RULE}.",
            "Pick a date or a trigger (their budget cycle, a new quarter) and a point where "
            "you'll stop. When will you come back?"]


def summary(state: CoachState) -> str:
    """The plan, as the person worked it out."""
    p, f = state.plan, Facts(state.story)
    lines = [
        f"- **What happened:** {_what_happened(state, f)}",
        f"- **Reframe:** {p.reframe or 'the No was about their side, not about you'}"
        + (f" (trap noticed: {traps.TRAP_NAMES[p.trap]})" if p.trap else ""),
        f"- **Feedback message:** {p.feedback_message or feedback_message(state.story)}"
        if p.feedback_possible else "- **Feedback:** read the clues from the conversation",
        f"- **Adjusted approach:** {p.adjustment or plans.suggested_arrangement(state.story)}",
        f"- **Follow-up:** {p.follow_up or plans.DEFAULT_FOLLOW_UP}; stop rule: "
        f"{p.stop_rule or plans.DEFAULT_STOP_RULE}",
    ]
    return "\n".join(lines)


def _what_happened(state: CoachState, f: Facts) -> str:
    """The No in a sentence: from the story when it is known, else the person's words."""
    if state.story.counterparty and state.story.ask:
        said = f', saying "{f.reason}"' if f.reason else ""
        return f"{_cap(f.full)} said no to {f.ask}{said}."
    return state.plan.acknowledged or f"{f.who} said no to {f.ask}"


def _summary(d: Decision, s: CoachState, f: Facts) -> list[str]:
    body = summary(s)
    return [f"You've worked through all six steps. Here's your plan:\n\n{body}\n\n"
            "Want to rehearse the conversation with them before you have it?",
            f"That's the whole plan, in your words:\n\n{body}\n\nYou can rehearse the "
            "feedback conversation next, if you like."]


def _after_done(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return [f"Your plan is set:\n\n{summary(s)}\n\nYou can rehearse it, or ask me about "
            "realistic goals, preparing for a No, or finding the real reason."]


def _skip(d: Decision, s: CoachState, f: Facts) -> list[str]:
    q = step_question(d.step, f)
    return [
        f"I'll keep us on step {d.step}. The order matters: a plan made before the sting "
        f"has settled tends to repeat the same offer. {q}",
        f"We'll get to the plan, one step at a time: each step builds on the one before. "
        f"For now, step {d.step}: {q}",
    ]


def _back(d: Decision, s: CoachState, f: Facts) -> list[str]:
    title = STEPS[d.step - 1].title.lower()
    return [f"Sure, back to step {d.step}, {title}. {step_question(d.step, f)}",
            f"Of course, let's revisit step {d.step} ({title}). {step_question(d.step, f)}"]


_ADVICE_TEXT = {
    "realistic-goals": "Go in ambitious but realistic: know what you're asking for, and what "
    "you'd settle for, before you start. A goal with no flexibility sets you up for "
    "disappointment.",
    "prepare-for-no": "Expect that a No is a real possible outcome. It isn't negativity, it's "
    "preparation: you'll be less thrown when it comes, and ready with a next question.",
    "no-as-leverage": "A No can open the next conversation. Try: \"I understand you're saying "
    "no right now, but is there a different arrangement or condition that might work better "
    "for you?\"",
    "real-reason": "The first No rarely tells the whole story. Ask an open question, like: "
    "\"Can you walk me through what's preventing you from moving forward with this offer?\"",
    "why-rejection-happens": "Most No's are about the offer, the timing, or the other side's "
    "budget, authority or needs, not about you as a person. Treat it as feedback, not failure.",
}


def _advice(d: Decision, s: CoachState, f: Facts) -> list[str]:
    text = _ADVICE_TEXT[d.advice or "why-rejection-happens"]
    back = ("We're still on step " + str(d.step) + ": " + step_question(d.step, f)
            if s.started and s.step <= 6 else "")
    return [f"{text} {back}".strip(), f"Good question. {text} {back}".strip()]


def _advance(d: Decision, s: CoachState, f: Facts) -> list[str]:
    options = {2: _advance_2, 3: _advance_3, 4: _advance_4, 5: _advance_5, 6: _advance_6}[
        d.step](s, f)
    said = s.early.get(d.step)
    if said:  # they already spoke to this step: build on it rather than ask from scratch
        quote = _telling_sentence(said)[:160]
        options = [f'You already touched on this: "{quote}" {o}' for o in options]
    return options


def _move_on(d: Decision, s: CoachState, f: Facts) -> list[str]:
    """Two stays without a reason to stay: move on kindly, and say we can come back."""
    done = STEPS[d.step - 2].title.lower()
    return [f"Let's not get stuck on {done}; we can come back to it any time. "
            f"{o}" for o in _advance(d, s, f)]


def _stay(d: Decision, s: CoachState, f: Facts) -> list[str]:
    return {1: _stay_1, 2: _stay_2, 3: _stay_3, 4: _stay_4, 5: _stay_5, 6: _stay_6}[d.step](d, s, f)


_TEMPLATES = {
    "intake": _intake, "open": _open, "advance": _advance, "stay": _stay,
    "challenge": _challenge, "cool_down": _cool_down, "trap": _trap, "no_feedback": _no_feedback,
    "same_offer": _same_offer, "need_stop_rule": _need_stop, "skip_refused": _skip,
    "back": _back, "advice": _advice, "summary": _summary, "after_done": _after_done,
    "move_on": _move_on,
}
