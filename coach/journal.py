"""The journal's views: rejections worked through per month, upcoming follow-ups, an .ics reminder.

An entry is made when a coaching conversation reaches its plan (`plan_entry`; the caller
stores it). This module writes nothing itself. The calendar follows RFC 5545: CRLF lines,
escaped text, lines folded at 75 octets.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from coach import plan, replies
from coach.steps import CoachState
from coach.store import JournalEntry

CONTEXT_LABELS = {
    "business_deal": "a business deal",
    "job_offer": "a job offer",
    "personal_request": "a personal request",
    "other": "a negotiation",
}


def plan_entry(conversation_id: str, coach: CoachState, today: date) -> JournalEntry:
    """The journal entry for a finished plan: its context, today, the follow-up date if the
    person named one the calendar can place ("in two weeks", "in March"), and the summary."""
    return JournalEntry(conversation_id, coach.story.context, today,
                        plan.follow_up_date(coach.plan.follow_up, today), replies.summary(coach))


def per_month(entries: list[JournalEntry]) -> list[dict[str, object]]:
    """Rows for the chart: one per (month, context) with how many were worked through.

    `month` ("2026-11") sorts; `label` ("Nov 2026") is what the axis shows.
    """
    counts = Counter((e.worked_on.replace(day=1), e.context) for e in entries)
    return [{"month": f"{month:%Y-%m}", "label": f"{month:%b %Y}",
             "context": CONTEXT_LABELS.get(ctx, ctx), "count": n}
            for (month, ctx), n in sorted(counts.items())]


def upcoming(entries: list[JournalEntry], today: date) -> list[JournalEntry]:
    """Follow-ups due today or later, soonest first."""
    due = [e for e in entries if e.follow_up is not None and e.follow_up >= today]
    return sorted(due, key=lambda e: e.follow_up or today)


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> list[str]:
    """Split a content line into pieces of at most 75 octets, never inside a character."""
    pieces: list[str] = []
    current, size = "", 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    return [*pieces, current]


def follow_up_ics(entries: list[JournalEntry], now: datetime | None = None) -> str:
    """A calendar with one all-day reminder per entry that has a follow-up date."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//rejection-coach//journal//EN",
             "CALSCALE:GREGORIAN"]
    for entry in entries:
        if entry.follow_up is None:
            continue
        what = CONTEXT_LABELS.get(entry.context, "a negotiation")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{entry.conversation_id}-follow-up@rejection-coach",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{entry.follow_up:%Y%m%d}",
            f"DTEND;VALUE=DATE:{entry.follow_up + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(f'Follow up on {what}')}",
            f"DESCRIPTION:{_escape(entry.summary)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join("\r\n ".join(_fold(line)) + "\r\n" for line in lines)
