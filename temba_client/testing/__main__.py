"""``python -m temba_client.testing``: serve a local RapidPro API v2 until interrupted."""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from .server import LocalRapidProServer


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m temba_client.testing", description=__doc__)
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
        metavar="SCOPE=RATE",
        help="throttle a scope, e.g. v2.contacts=10/minute (repeatable)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    rates = dict(item.split("=", 1) for item in args.rate)
    server = LocalRapidProServer(
        None if args.load else args.seed,
        port=args.port,
        host=args.host,
        token=args.token,
        rates=rates,
        verbose=args.verbose,
    )
    if args.load:
        with open(args.load) as handle:
            server.workspace.load(json.load(handle))
    if args.dump:
        with open(args.dump, "w") as handle:
            json.dump(server.workspace.dump(), handle)
        print("wrote %s" % args.dump)
        return 0

    server.start()
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
