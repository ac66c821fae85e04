"""The crisis screen's replies: crisis, check-in, safe mode and resuming, each with resources."""

from __future__ import annotations

from coach.safety.rules import Risk

# Every reply carries the resources, so any one of them is enough on its own.
_US = "In the US you can call or text 988, or chat at 988lifeline.org"
_ELSEWHERE = ("elsewhere, call your local emergency number, or find a line near you at "
              "findahelpline.com")
RESOURCES = f"{_US}; {_ELSEWHERE}."
_CRISIS = {
    "self_harm": (
        "I'm really glad you told me, and I'm going to set the negotiation aside, because you "
        f"matter more than any deal. You don't have to carry this alone. {_US}, any time; "
        f"{_ELSEWHERE}. If you might act on these thoughts, please reach out now, or ask someone "
        "nearby to stay with you. Are you safe right now?",
        "Thank you for saying that out loud; it matters, and so do you. Let's stop the coaching "
        f"for now. Please talk to someone who can help tonight: {_US}; {_ELSEWHERE}. If you are "
        "in danger right now, call your emergency number. Can you tell me: are you safe at the "
        "moment?",
    ),
    "harm_to_others": (
        "It sounds like the anger is huge right now, and I'm going to pause the coaching. If "
        "anyone is in immediate danger, call your local emergency number now (911 in the US). "
        "Please step away from the situation and the person for a while: a different room, a "
        f"walk, no contact tonight. {_US} to talk it through; {_ELSEWHERE}. Are you, and the "
        "people around you, safe right now?",
        "I hear how furious you are, and this matters more than the deal, so let's stop here. If "
        "someone could get hurt, call your local emergency number right away (911 in the US). "
        "Put some distance between you and them first: leave, breathe, sleep on it. "
        f"{_US}; {_ELSEWHERE}. Is everyone safe right now?",
    ),
}
_CHECK_IN = (
    "Before we go on, can I ask you something directly, because it matters more than the "
    "deal? When you say that, do you mean this negotiation, or are you having thoughts of not "
    "wanting to be alive, or of hurting yourself? Whatever the answer, it's okay to say it "
    f"here. If it's the second, you don't have to wait: {RESOURCES}",
    "I want to check in with you before anything else. Is this about the deal, or are you "
    "having thoughts of ending your life or harming yourself? You can tell me either way. "
    f"If it's the second, please reach out now: {RESOURCES}",
)
_SAFE_MODE = (
    "I'm still here, and the negotiation can wait. Before anything else: are you safe right "
    f"now? {_US}; {_ELSEWHERE}, and if anyone is in immediate danger, call your emergency "
    "number now. When you can tell me you're safe, we can go back to the rejection, only if "
    "you want to.",
    "No rush, and no coaching until you're okay. Can you tell me whether you're safe at this "
    f"moment? {_US}; {_ELSEWHERE}. If anyone could get hurt, call your emergency number now.",
)


def crisis_reply(risk: Risk, seed: int = 0) -> str:
    """The first reply on a flagged turn: warmth, the resources, and "are you safe right now?"."""
    options = _CRISIS[risk]
    return options[seed % len(options)]


def check_in_reply(seed: int = 0) -> str:
    """The direct question on ambiguous despair: the deal, or thoughts of not being alive?"""
    return _CHECK_IN[seed % len(_CHECK_IN)]


def clarify_reply() -> str:
    """The check-in asked once more, plainly, when the answer went on about the deal."""
    return (
        "Thank you. I want to be sure I understood you, because it matters more than the "
        "deal: are you having any thoughts of ending your life or hurting yourself? A plain "
        f"yes or no is fine. If it's yes, please reach out now: {RESOURCES}"
    )


def safe_mode_reply(seed: int = 0) -> str:
    """A reply while in safe mode to anything but an "I'm safe": resources again, gently."""
    return _SAFE_MODE[seed % len(_SAFE_MODE)]


def resumed_reply() -> str:
    """The reply that leaves safe mode after the person says they are safe."""
    return (
        "Thank you for telling me; I'm glad you're safe. If those feelings come back, 988 (call "
        "or text, in the US), your local emergency number or findahelpline.com is there any "
        "time. Whenever you're ready, we can go back to the rejection and pick up where we left "
        "off."
    )


def checked_in_preface() -> str:
    """The thanks before the coach answers what the person said before the check-in."""
    return ("Thank you, I'm glad it's the deal talking. If that ever changes, 988 (call or text, "
            "in the US) or findahelpline.com is there any time. Back to what you said:")


def checked_in_reply() -> str:
    """The reply when the person says the despair was about the deal, not about life."""
    return (
        "Thank you for telling me, and I'm glad it's the deal talking. If that ever changes, "
        "988 (call or text, in the US) or findahelpline.com is there any time. A No like this "
        "can feel like the end of something, so let's keep going where we were."
    )
