"""The `coach` command: one small function per subcommand; errors become one line and exit 2.

coach retrieve QUERY [QUERY ...] [--k 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from coach.errors import CoachError

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


def _add_retrieve(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("retrieve", help=retrieve.__doc__, description=retrieve.__doc__)
    parser.add_argument("queries", nargs="+", metavar="QUERY", help="what to search the cards for")
    parser.add_argument("--k", type=_positive, default=3, help="cards per query (default 3)")
    parser.add_argument("--json", action="store_true", help="print a JSON list, one per query")
    parser.set_defaults(command=retrieve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coach", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(required=True, metavar="COMMAND")
    for add in (_add_retrieve,):
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
