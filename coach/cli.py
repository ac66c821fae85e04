"""The `coach` command: one small function per subcommand; errors become one line and exit 2.

coach retrieve QUERY [QUERY ...] [--k 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.errors import CoachError, ScriptError

if TYPE_CHECKING:
    from coach.conversation import StoredSession
    from coach.session import Session, Turn

Command = Callable[[argparse.Namespace], int]


def _fail(message: str) -> int:
    print(f"coach: error: {message}", file=sys.stderr)
    return 2


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def retrieve(args: argparse.Namespace) -> int:
    """Print the cards that best answer each query, in order."""
    if any(not query.strip() for query in args.queries):
        return _fail('empty query: say what to search for, e.g. coach retrieve "they said no"')
    from coach.retrieval import get_retriever

    retriever = get_retriever()
    entries = [
        {
            "query": query,
            "backend": retriever.backend,
            "passages": [p.model_dump() for p in retriever.search(query, args.k)],
        }
        for query in args.queries
    ]
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return 0
    for entry in entries:
        print(f"{entry['query']}  [{entry['backend']}]")
        for rank, p in enumerate(entry["passages"], 1):
            print(f"  {rank}. {p['title']}  ({p['id']}, {p['topic']}, score {p['score']:.3f})")
    return 0


def _deps(offline: bool) -> Any:
    from coach.session import default_deps, offline_deps

    return offline_deps() if offline else default_deps()


def _show(turn: Turn) -> None:
    """Print a turn's extras under its (already printed) reply."""
    if turn.citations:
        print("  Guide: " + "; ".join(c.title for c in turn.citations))
    if turn.assessment:
        a = turn.assessment
        tags = ", ".join(a["tags"]) or "no tags"
        print(f"  [{a['question_type']} question; {tags}; reveal {turn.reveal_level}/3]")
        if a.get("better"):
            print(f"  Try: {a['better']}")
    if turn.notice:
        print(f"  ({turn.notice})")


def _converse(session: Session, prompt: str, stored: StoredSession | None = None) -> int:
    """The interactive loop shared by chat and rehearse; streams and stores each reply.

    The conversation is saved from its first message, as in the app (which lists it).
    """
    from coach.conversation import StoredSession
    from coach.store import Store

    pending = stored.pending() if stored else None
    while True:
        if pending is None:
            try:
                message = input(prompt)
            except (EOFError, KeyboardInterrupt):
                message = "quit"
                print()
            if message.strip().lower() in {"quit", "exit"}:
                if stored:
                    print(f"Saved as conversation {stored.id}: coach chat --resume {stored.id}")
                return 0
            if not message.strip():  # nothing to keep: the coach only nudges
                stream = session.stream(message)
            else:
                stored = stored or StoredSession.start(Store(), session, message)
                stream = stored.say(message)
        else:  # a message left unanswered last time
            stream, pending = stored.answer(pending), None  # type: ignore[union-attr]
        shown = ""
        for chunk in stream:
            shown += chunk
            print(chunk, end="", flush=True)
        print()
        assert stream.turn is not None
        if shown.strip() != stream.turn.reply.strip():  # it failed its last checks: redrawn
            print(f"  (That reply was withdrawn; instead:)\n{stream.turn.reply}")
        _show(stream.turn)


def chat(args: argparse.Namespace) -> int:
    """Talk through one rejection, step by step, in the terminal (saved, like the app's)."""
    from coach.conversation import StoredSession
    from coach.session import Session, SessionState
    from coach.store import Store

    if args.resume:
        stored = StoredSession.open(Store(), args.resume, deps=_deps(args.offline))
        if stored is None:
            raise ScriptError(f"no conversation {args.resume!r} in the store")
        print(f"Resuming conversation {stored.id}. (quit to leave)")
        return _converse(stored.session, "you> ", stored)
    print("Tell me about the No you got: who said no, and to what? (quit to leave)")
    return _converse(Session(SessionState(seed=args.seed), deps=_deps(args.offline)), "you> ")


def rehearse(args: argparse.Namespace) -> int:
    """Practise finding the real reason behind a No with a simulated counterparty."""
    from coach import replay as replays
    from coach.session import Session

    if args.list:
        from coach.scenarios import load_scenarios
        from coach.settings import get_settings

        for s in load_scenarios(get_settings().knowledge_dir):
            print(f"{s.id:24} {s.title}")
        return 0
    session = Session.rehearse(replays.scenario(args.scenario), seed=args.seed,
                               deps=_deps(args.offline))
    assert session.state.rehearsal is not None
    who = session.state.rehearsal.scenario.counterparty
    print(f"{who.name} ({who.role}): {session.opening}\n(type end for your debrief)")
    return _converse(session, "you> ")


def replay(args: argparse.Namespace) -> int:
    """Run scripted conversations and print every turn."""
    from coach import replay as replays

    scripts, many = replays.load_scripts(Path(args.script))
    deps = _deps(args.offline)
    records = [replays.run(script, deps=deps, seed=args.seed) for script in scripts]
    if args.json:
        print(json.dumps(records if many else records[0], indent=2, ensure_ascii=False))
        return 0
    for record in records:
        for turn in record["turns"]:
            where = f"step {turn['step']}" if turn["step"] else turn["step_name"]
            print(f"> {turn['user']}\n[{where}, {turn['source']}] {turn['reply']}\n")
    return 0


def _add_talking(subparsers: argparse._SubParsersAction, command: Command,
                 seed_help: str) -> argparse.ArgumentParser:
    """A subcommand that runs conversations: --offline and --seed."""
    name = command.__name__
    parser = subparsers.add_parser(name, help=command.__doc__, description=command.__doc__)
    parser.add_argument("--offline", action="store_true", help="template replies only")
    parser.add_argument("--seed", type=int, default=0, help=seed_help)
    parser.set_defaults(command=command)
    return parser


def _add_chat(subparsers: argparse._SubParsersAction) -> None:
    parser = _add_talking(subparsers, chat, "varies the template wording")
    parser.add_argument("--resume", metavar="ID", help="go on with a saved conversation")


def _add_rehearse(subparsers: argparse._SubParsersAction) -> None:
    parser = _add_talking(subparsers, rehearse, "varies the counterparty's lines")
    parser.add_argument("--scenario", help="a scenario id (see --list)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")


def _add_replay(subparsers: argparse._SubParsersAction) -> None:
    parser = _add_talking(subparsers, replay, "varies the template wording")
    parser.add_argument("script", metavar="SCRIPT.json", help="one conversation or a list")
    parser.add_argument("--json", action="store_true", help="print the turns as JSON")


def _add_retrieve(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("retrieve", help=retrieve.__doc__, description=retrieve.__doc__)
    parser.add_argument("queries", nargs="+", metavar="QUERY", help="what to search the cards for")
    parser.add_argument("--k", type=_positive, default=3, help="cards per query (default 3)")
    parser.add_argument("--json", action="store_true", help="print a JSON list, one per query")
    parser.set_defaults(command=retrieve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coach", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(required=True, metavar="COMMAND")
    for add in (_add_chat, _add_rehearse, _add_replay, _add_retrieve):
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The console entry point: run one subcommand, turning the coach's errors into exit 2."""
    args = build_parser().parse_args(argv)
    command: Command = args.command
    try:
        return command(args)
    except CoachError as exc:  # SettingsError, KnowledgeError, ...: the user can fix these
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
