"""python -m temba_client.testing: serve a local RapidPro API v2 until interrupted."""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional, Tuple

from .server import VERSIONS, LocalRapidProServer
from .throttle import SCOPES, parse_rate

DESCRIPTION = """Serve a local RapidPro API v2 (in-memory data, real HTTP) until interrupted.

Example:
  python -m temba_client.testing --port 8000 --seed 1000 --rate v2.contacts=60/minute
"""


def rate_item(value: str) -> Tuple[str, str]:
    """``v2.contacts=10/minute`` → ``("v2.contacts", "10/minute")``, or an argparse error."""
    scope, sep, rate = value.partition("=")
    if not sep or scope not in SCOPES:
        raise argparse.ArgumentTypeError(
            "expected SCOPE=RATE with SCOPE one of %s, got %r" % (", ".join(SCOPES), value)
        )
    try:
        parse_rate(rate)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return scope, rate


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command line.

    :param argv: the arguments (default: ``sys.argv[1:]``)
    :return: the exit code
    """
    parser = argparse.ArgumentParser(
        prog="python -m temba_client.testing",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--seed", type=int, default=100, help="generate a workspace of about N contacts")
    parser.add_argument("--token", help="the API token to accept (default: a random one)")
    parser.add_argument("--load", metavar="FILE", help="load the workspace from a JSON dump instead of seeding")
    parser.add_argument("--dump", metavar="FILE", help="write the workspace as JSON to FILE, then exit")
    parser.add_argument(
        "--rate",
        action="append",
        default=[],
        type=rate_item,
        metavar="SCOPE=RATE",
        help="throttle a scope, e.g. v2.contacts=10/minute (repeatable)",
    )
    parser.add_argument(
        "--server-version", choices=VERSIONS, default="26.3", help="which RapidPro to behave as (default 26.3)"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    server = LocalRapidProServer(
        None if args.load else args.seed,
        port=args.port,
        host=args.host,
        token=args.token,
        rates=dict(args.rate),
        verbose=args.verbose,
        server_version=args.server_version,
    )
    if args.load:
        with open(args.load) as handle:
            server.workspace.load(json.load(handle))
    if args.dump:
        with open(args.dump, "w") as handle:
            json.dump(server.workspace.dump(), handle)
        print("wrote %s" % args.dump)
        return 0

    try:
        server.start()
    except OSError as error:
        print("error: cannot listen on %s:%d: %s" % (args.host, args.port, error.strerror or error), file=sys.stderr)
        return 2
    print("Local RapidPro API v2 at %s" % server.api_url)
    print("API token: %s" % server.token)
    print("Try: curl -H 'Authorization: Token %s' %s/contacts.json" % (server.token, server.api_url))
    print("     TembaClient(%r, %r)" % (server.url, server.token))
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
