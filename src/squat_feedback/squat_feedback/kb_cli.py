"""`coach kb index`, `coach kb search "..." --json`, `coach ask "..." --json`.

The same settings, index and chain as feedback_node (squat_feedback.coach_factory), without a
ROS graph; `coach ask` and `coach kb search` ask the running session's feedback_node when one
is up (it holds the embedded index). JSON goes to
stdout; progress and warnings to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from squat_common.cli_errors import Handler, said_in_one_line
from squat_common.cli_numbers import number
from squat_feedback.feedback_settings import GENERATORS, FeedbackSettings
from squat_feedback.knowledge_base import KnowledgeError
from squat_feedback.language import LANGUAGES
from squat_feedback.rep_context import RepContext, rep_from_analysis
from squat_feedback.running_coach import DISCOVERY_S, NoAnswer, RunningAnswer, RunningSearch

if TYPE_CHECKING:
    from squat_feedback.coach_factory import Coach

R = TypeVar("R")

# How long to look for the feedback_node when the index is held (by it, most likely).
HELD_INDEX_DISCOVERY_S = 15.0


def add_index_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the index is (shared by every subcommand)."""
    d = FeedbackSettings()
    parser.add_argument("--knowledge", type=Path, default=d.knowledge_dir,
                        help="knowledge folder (Markdown documents)")
    parser.add_argument("--qdrant-path", type=Path, default=d.qdrant_path,
                        help="embedded Qdrant folder")
    parser.add_argument("--qdrant-url", default="",
                        help="a Qdrant server instead (API key from $QDRANT_API_KEY)")


def add_generator_arguments(parser: argparse.ArgumentParser) -> None:
    """Which generator answers `coach ask`."""
    parser.add_argument("--generator", choices=GENERATORS, default="template")
    parser.add_argument("--llm-base-url", default="", help="OpenAI-compatible or Ollama URL")
    parser.add_argument("--llm-model", default="", help="model name (llamacpp: a GGUF path)")


def _settings(args: argparse.Namespace) -> FeedbackSettings:
    given = {name: getattr(args, name) for name in ("generator", "llm_base_url", "llm_model")
             if hasattr(args, name)}
    return FeedbackSettings(knowledge_dir=args.knowledge, qdrant_path=args.qdrant_path,
                            qdrant_url=args.qdrant_url, **given)


def _coach(args: argparse.Namespace) -> Coach:
    # The index and LLM libraries take ~3 s to import: only the commands that open the index
    # pay for them, not `coach --help` or any other subcommand.
    from squat_feedback.coach_factory import build_coach

    coach = build_coach(_settings(args), warn=lambda text: print(f"warning: {text}",
                                                                 file=sys.stderr))
    s = coach.sync
    print(f"index: {coach.index_description}: {s.added} added, {s.updated} updated, "
          f"{s.removed} removed, {s.unchanged} unchanged in {s.seconds:.2f} s", file=sys.stderr)
    return coach


def _rep(args: argparse.Namespace) -> RepContext | None:
    if not args.rep_json:
        return None
    reps = json.loads(Path(args.rep_json).read_text())["reps"]
    if not reps:
        raise ValueError(f"{args.rep_json} has no reps")
    chosen = reps[-1] if args.rep is None else next(
        (r for r in reps if r["index"] == args.rep), None)
    if chosen is None:
        raise ValueError(f"{args.rep_json} has no rep {args.rep}")
    return rep_from_analysis(chosen)


def run_index(args: argparse.Namespace) -> int:
    _coach(args).close()
    return 0


def _running_or_local(args: argparse.Namespace, call_running: Callable[[float], R | None]
                      ) -> tuple[R | None, Coach | None]:
    """The running feedback_node's reply, or else a Coach on the index opened here."""
    from squat_feedback.knowledge_index import IndexUnavailable

    running = call_running(DISCOVERY_S)
    if running is not None:
        return running, None
    try:
        return None, _coach(args)
    except IndexUnavailable:
        # Someone holds the index: a feedback_node DDS has not shown us yet.
        running = call_running(HELD_INDEX_DISCOVERY_S)
        if running is None:
            raise
        return running, None


def _search_running(args: argparse.Namespace, discovery_s: float) -> RunningSearch | None:
    from squat_feedback.question_screen import readable_text
    from squat_feedback.running_coach import search_running_coach

    # A message carries UTF-8 only: bytes that are not are replaced before it goes.
    return search_running_coach(readable_text(args.question), args.k, discovery_s=discovery_s)


def run_search(args: argparse.Namespace) -> int:
    try:
        running, coach = (None, _coach(args)) if args.local else _running_or_local(
            args, lambda discovery_s: _search_running(args, discovery_s))
    except NoAnswer as error:
        print(f"coach kb search: {error}", file=sys.stderr)
        return 1
    if running is not None:
        print(f"searched by the running feedback_node ({running.index})", file=sys.stderr)
        hits = running.hits
    else:
        try:
            hits = [hit.as_json() for hit in coach.chain.index.search(args.question, args.k)]
        finally:
            coach.close()
    if args.json:
        print(json.dumps(hits, ensure_ascii=False, indent=2))
    else:
        for hit in hits:
            print(f"{hit['score']:.3f}  {hit['id']:28s} {hit['title']}")
    return 0


def _ask_running(question: str, language: str, discovery_s: float) -> RunningAnswer | None:
    from squat_feedback.question_screen import readable_text
    from squat_feedback.running_coach import ask_running_coach

    # A message carries UTF-8 only: bytes that are not are replaced before it goes.
    return ask_running_coach(readable_text(question), language=language,
                             discovery_s=discovery_s)


def run_ask(args: argparse.Namespace) -> int:
    rep = _rep(args)
    try:
        if rep is None and not args.local:
            running, coach = _running_or_local(
                args, lambda discovery_s: _ask_running(args.question, args.lang or "",
                                                       discovery_s))
        else:
            running, coach = None, _coach(args)
    except NoAnswer as error:
        print(f"coach ask: {error}", file=sys.stderr)
        return 1
    if running is not None:
        text, sources, generator = running.text, running.sources, running.generator
        answered_by = "feedback_node"
    else:
        try:
            answer = coach.chain.ask(args.question, rep, args.lang)
        finally:
            coach.close()
        if answer.fallback_reason:
            print(f"note: {answer.fallback_reason}", file=sys.stderr)
        text, sources, generator = answer.text, answer.sources, answer.generator
        answered_by = "local index"
    if args.json:
        print(json.dumps({"answer": text, "sources": sources, "generator": generator,
                          "answered_by": answered_by}, ensure_ascii=False, indent=2))
    else:
        print(text)
    return 0


def guarded(handler: Handler) -> Handler:
    """A handler that reports bad knowledge, a busy index or bad input as one line, exit 2."""

    def run(args: argparse.Namespace) -> int:
        from squat_feedback.knowledge_index import IndexUnavailable

        return said_in_one_line("coach", (KnowledgeError, IndexUnavailable, ValueError,
                                          OSError), handler)(args)

    return run


def add_commands(commands: argparse._SubParsersAction) -> None:
    """`kb` (index, search) and `ask` under a `coach` parser."""
    kb = commands.add_parser("kb", help="the coaching knowledge base: index, search")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    index = kb_commands.add_parser("index", help="index what changed in the knowledge folder")
    add_index_arguments(index)
    index.set_defaults(handler=guarded(run_index))
    search = kb_commands.add_parser("search", help="the documents that answer a question")
    search.add_argument("question")
    search.add_argument("-k", type=number(int, 1, 100, what="from 1 to 100 documents"),
                        default=5, help="how many documents")
    search.add_argument("--json", action="store_true", help="hits as JSON, best first")
    search.add_argument("--local", action="store_true",
                        help="open the index here even when a session's feedback_node is up")
    add_index_arguments(search)
    search.set_defaults(handler=guarded(run_search))
    ask = commands.add_parser("ask", help="ask the coach (the feedback node's chain)")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help='{"answer", "sources"} as JSON')
    ask.add_argument("--rep-json", type=Path, help="`coach analyze` output to use as context")
    ask.add_argument("--rep", type=int, help="which rep of --rep-json (default: the last)")
    ask.add_argument("--lang", choices=LANGUAGES,
                     help="language of the answer (default: the question's)")
    ask.add_argument("--local", action="store_true",
                     help="open the index here even when a session's feedback_node is up "
                          "(without --rep-json, a running one is asked, with its latest rep)")
    add_index_arguments(ask)
    add_generator_arguments(ask)
    ask.set_defaults(handler=guarded(run_ask))
