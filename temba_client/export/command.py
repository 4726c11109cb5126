"""The ``rapidpro`` command: export, sync and list archives from a shell.

::

    export RAPIDPRO_URL=https://app.rapidpro.io RAPIDPRO_TOKEN=...
    rapidpro export runs messages contacts --since 2024-01-01 --out data/
    rapidpro sync contacts --out data/          # what changed since, with the export's options
    rapidpro archives run

An export stopped (a signal, a crash, ``--max-minutes``) continues when the same command runs
again. Every failure ends with one line on stderr and a documented exit status (:data:`EXIT_CODES`);
``--debug`` adds the traceback. What is shown while running is :mod:`.display`'s.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import traceback
from typing import Any, Callable, Dict, List, Optional, Tuple

from .. import __version__
from ..exceptions import (
    TembaConnectionError,
    TembaException,
    TembaLockedError,
    TembaNoSuchObjectError,
    TembaStateError,
    TembaTokenError,
)
from ..progress import tracker
from ..utils import parse_iso8601
from .display import CONTINUE, PageCounter, explained, summary
from .pacing import ENDPOINT_SCOPES, RateBudget, WorkBudget
from .runner import STATE_FILE, check_directory, run_export
from .sources import SOURCES
from .state import differing_options, exit_now
from .streams import Settings

EXIT_COMPLETE = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUDGET = 3
EXIT_CONFIG = 4
#: Exit statuses, as the help and the docs list them.
EXIT_CODES = (
    (EXIT_COMPLETE, "complete: every stream reached its end"),
    (EXIT_FAILED, "a stream failed (the server, the network, a full disk...): fix it, then run the same command"),
    (EXIT_USAGE, "usage: a bad option or value (nothing was done)"),
    (EXIT_BUDGET, "stopped by --max-minutes or --max-pages: run the same command again to continue"),
    (
        EXIT_CONFIG,
        "fix the setup first: wrong token or URL, no such workspace, another export running in the "
        "directory, or a state/output the export refuses (the message names the way out)",
    ),
    (129, "stopped by SIGHUP (130 SIGINT / Ctrl-C, 143 SIGTERM): run the same command again to continue"),
)
_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
#: ``--progress`` values, and the ``progress`` argument of the export each asks for.
_PROGRESS: Dict[str, Any] = {"auto": True, "plain": "plain", "off": None}
_FORMATS = ("jsonl", "jsonl.gz", "csv")

EPILOG = """environment:
  RAPIDPRO_URL     the server, e.g. https://app.rapidpro.io (or --url)
  RAPIDPRO_TOKEN   the workspace's API token (or --token-file; --token shows in `ps`)

exit status:
%s

See docs/exporting.rst ("What happens when...") for each case.""" % "\n".join(
    "  %-3d %s" % (code, text) for code, text in EXIT_CODES
)


class _Usage(Exception):
    """A bad option value: exit 2 with the parser's usage line."""


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("not a number: %r" % text) from None
        if not (value > 0 and math.isfinite(value)):
            raise argparse.ArgumentTypeError("must be more than 0, not %r" % text)
        return value

    convert.__name__ = kind.__name__
    return convert


def _add_server_options(cmd: argparse.ArgumentParser) -> None:
    group = cmd.add_argument_group("server")
    group.add_argument("--url", help="the server, e.g. https://app.rapidpro.io (default: $RAPIDPRO_URL)")
    group.add_argument("--token-file", metavar="FILE", help="read the API token from FILE (default: $RAPIDPRO_TOKEN)")
    group.add_argument(
        "--token", help="the API token itself: other users of this machine see it in `ps`; prefer --token-file"
    )
    cmd.add_argument("--debug", action="store_true", help="show the traceback of an error")


def _add_run_options(cmd: argparse.ArgumentParser, sync: bool) -> None:
    cmd.add_argument(
        "streams", nargs="+", choices=sorted(SOURCES), metavar="STREAM", help="what to export: " + ", ".join(SOURCES)
    )
    cmd.add_argument("--out", required=True, metavar="DIR", help="the output directory (holds the state too)")
    kept = " (default: the export's, kept in DIR)" if sync else ""
    cmd.add_argument("--since", help="only records from this date or time, ISO 8601, UTC if no zone" + kept)
    cmd.add_argument("--until", help="only records before this date or time, ISO 8601, UTC if no zone" + kept)
    cmd.add_argument("--flow", metavar="UUID", help="only runs of this flow" + kept)
    cmd.add_argument(
        "--format", choices=_FORMATS, default=None if sync else "jsonl", help="the files' format (default jsonl)"
    )
    cmd.add_argument(
        "--no-archives",
        action="store_const",
        const=True,
        default=None if sync else False,
        help="read the API only, not the archives" + kept,
    )
    cmd.add_argument(
        "--rate",
        type=_positive(float),
        metavar="N",
        help="requests per hour per throttle scope (default: the rates the server states, else RapidPro's 3600)",
    )
    cmd.add_argument("--max-minutes", type=_positive(float), metavar="M", help="stop cleanly after M minutes")
    cmd.add_argument("--max-pages", type=_positive(int), metavar="N", help="stop cleanly after N pages per scope")
    cmd.add_argument(
        "--restart",
        action="append",
        default=[],
        choices=sorted(SOURCES),
        metavar="STREAM",
        help="discard STREAM's state and file and export it from the start (repeatable)",
    )
    cmd.add_argument(
        "--progress",
        choices=sorted(_PROGRESS),
        default="auto",
        help="how progress is shown on standard error: auto (a bar per stream on a terminal when tqdm is "
        "installed, else a plain line every few seconds), plain (lines) or off",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rapidpro",
        description="Export and sync a RapidPro workspace.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version="rapidpro (rapidpro-python) %s" % __version__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    texts = {
        "export": "export streams into a directory (run it again to continue, or to fetch what changed)",
        "sync": "fetch what changed since the last export or sync, with the options kept in its directory",
        "archives": "list the archives of a type",
    }
    for name, text in texts.items():
        cmd = sub.add_parser(
            name, help=text, description=text, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        cmd.set_defaults(parser=cmd)
        if name == "archives":
            cmd.add_argument("type", choices=["run", "message"], help="which archives: run or message")
        else:
            _add_run_options(cmd, sync=name == "sync")
        _add_server_options(cmd)
    return parser


def _client(args: argparse.Namespace) -> Any:
    from ..v2 import TembaClient

    url = args.url or os.environ.get("RAPIDPRO_URL")
    if not url:
        raise _Usage("no server: give --url or set RAPIDPRO_URL")
    if args.token is not None:
        token = args.token
    elif args.token_file:
        try:
            with open(args.token_file, encoding="utf-8") as stream:
                token = stream.read().strip()
        except (OSError, UnicodeDecodeError) as ex:
            raise _Usage("cannot read the token file %s: %s" % (args.token_file, getattr(ex, "strerror", ex)))
    else:
        token = os.environ.get("RAPIDPRO_TOKEN", "")
    if not token:
        raise _Usage("no token: give --token-file or set RAPIDPRO_TOKEN")
    try:
        return TembaClient(url, token)
    except (TypeError, ValueError) as ex:  # the message never shows the token
        raise _Usage(str(ex))


def _when(value: Optional[str], option: str) -> Any:
    if not value:
        return None
    try:
        return parse_iso8601(value)
    except ValueError:
        raise _Usage("%s: not an ISO 8601 date or time: %r" % (option, value))


def _stored_options(out: str) -> Dict[str, Any]:
    try:
        with open(os.path.join(out, STATE_FILE), encoding="utf-8") as stream:
            options = json.load(stream).get("options")
    except (OSError, ValueError, AttributeError):
        return {}
    return options if isinstance(options, dict) else {}


def _settings(args: argparse.Namespace) -> Settings:
    since, until = _when(args.since, "--since"), _when(args.until, "--until")
    given = Settings(since=since, until=until) if (since or until) else None  # naive as UTC, ordered
    options = {
        "since": given.as_options()["since"] if given else None,
        "until": given.as_options()["until"] if given else None,
        "flow": args.flow,
        "format": args.format,
        "archives": None if args.no_archives is None else not args.no_archives,
    }
    if args.command == "sync":
        stored = _stored_options(args.out)
        differ = differing_options(stored, options)
        if differ and not args.restart:
            raise _Usage(
                "the export in %s was made with other options: %s; leave them out to reuse the export's, or use "
                "rapidpro export with another --out" % (args.out, ", ".join(differ))
            )
        options = {key: stored.get(key) if value is None else value for key, value in options.items()}
    return Settings(
        since=_when(options["since"], "--since"),
        until=_when(options["until"], "--until"),
        flow=options["flow"],
        fmt=options["format"] or "jsonl",
        use_archives=options["archives"] is not False,
    )


def _explain(error: BaseException, url: str) -> Tuple[int, str]:
    """The exit status and the one line of an error."""
    ex = explained(error)
    if isinstance(error, TembaTokenError):
        return EXIT_CONFIG, "the server at %s refused the token (%s): check --token-file or RAPIDPRO_TOKEN" % (url, ex)
    if isinstance(error, TembaConnectionError):
        return EXIT_CONFIG, "cannot reach %s (%s): check --url or RAPIDPRO_URL, and the network" % (url, ex)
    if isinstance(error, TembaNoSuchObjectError):
        return EXIT_CONFIG, "no RapidPro workspace API at %s (%s): check --url or RAPIDPRO_URL" % (url, ex)
    if isinstance(error, (TembaLockedError, TembaStateError)):
        return EXIT_CONFIG, ex
    if isinstance(error, OSError):
        return EXIT_FAILED, "cannot write: %s" % ex
    if isinstance(error, TembaException):
        return EXIT_FAILED, "%s (%s)" % (ex, type(error).__name__)
    return EXIT_FAILED, "%s: %s" % (type(error).__name__, ex)


def _archives(args: argparse.Namespace, client: Any) -> int:
    for archive in client.get_archives(type=args.type):
        print(
            "%s %-8s %10s records %12s bytes"
            % (archive.start_date.date(), archive.period, archive.record_count, archive.size)
        )
    return EXIT_COMPLETE


def _export(args: argparse.Namespace, client: Any, settings: Settings) -> int:
    rates = dict.fromkeys(("v2", *ENDPOINT_SCOPES.values()), args.rate) if args.rate else None
    budget = RateBudget(rates) if rates else None  # None: the rates the server states
    work = WorkBudget(seconds=args.max_minutes * 60 if args.max_minutes else None, pages=args.max_pages)
    counter = PageCounter(tracker(_PROGRESS[args.progress], delay=0))
    previous = _install_signals(work)
    try:
        results = run_export(
            client, args.streams, args.out, settings, budget, work, counter, restart=args.restart, raise_errors=False
        )
    finally:
        _restore_signals(previous)
        counter.close()
    for line in summary(results, counter):
        print(line)
    sys.stdout.flush()
    if work.stop_reason in _SIGNALS:
        print("stopped: %s" % CONTINUE, file=sys.stderr)
        return 128 + int(getattr(signal, work.stop_reason))
    if any(result.error is not None for result in results.values()):
        return EXIT_FAILED
    return EXIT_COMPLETE if all(result.complete for result in results.values()) else EXIT_BUDGET


def _install_signals(work: WorkBudget) -> Dict[int, Any]:
    """The first SIGINT, SIGTERM or SIGHUP stops every stream at its next commit (waits end at
    once); a second one exits at once, after any state write under way."""

    def handle(signum: int, frame: Any) -> None:
        if work.stopped:
            exit_now(128 + signum)
        work.stop(signal.Signals(signum).name)

    previous = {}
    for name in _SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, handle)
    return previous


def _restore_signals(previous: Dict[int, Any]) -> None:
    for number, handler in previous.items():
        signal.signal(number, handler)


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command; returns the exit status (see :data:`EXIT_CODES`).

    :param argv: the arguments (default: ``sys.argv[1:]``)
    """
    parser = _parser()
    args = parser.parse_args(argv)
    settings: Optional[Settings] = None
    try:  # every option is checked before anything is sent or written
        if args.command != "archives":
            check_directory(args.out)
            settings = _settings(args)
        client = _client(args)
    except (_Usage, ValueError, TypeError, NotADirectoryError) as ex:  # Settings' own checks too
        args.parser.print_usage(sys.stderr)
        print("%s %s: error: %s" % (parser.prog, args.command, " ".join(str(ex).split())), file=sys.stderr)
        return EXIT_USAGE
    try:
        if settings is None:
            return _archives(args, client)
        return _export(args, client, settings)
    except KeyboardInterrupt:  # pragma: no cover - before the handlers were installed
        print("stopped: %s" % CONTINUE, file=sys.stderr)
        return 130
    except Exception as ex:
        if args.debug:
            traceback.print_exc()
        code, line = _explain(ex, client.root_url)
        print("%s: error: %s" % (parser.prog, " ".join(line.split())), file=sys.stderr)
        return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
