"""A walk through the usage guide: fetching, resuming, writing, and catching each error.

Runs against the server named by ``RAPIDPRO_URL`` and ``RAPIDPRO_TOKEN`` when both are set, and
otherwise against a local RapidPro server that it starts itself::

    python examples/quickstart.py
    RAPIDPRO_URL=https://rapidpro.io RAPIDPRO_TOKEN=... python examples/quickstart.py          # reads only
    RAPIDPRO_URL=https://rapidpro.io RAPIDPRO_TOKEN=... python examples/quickstart.py --write  # writes too

Against a real workspace it only reads, unless ``--write`` is given: then it creates a group and a
contact, sends a broadcast to them, and deletes them again. Its rate-limit section runs against a
local server with a tiny rate (3 contact requests a minute), so that the limit is really hit.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from typing import List, Optional

from temba_client.exceptions import (
    TembaBadRequestError,
    TembaConnectionError,
    TembaNoSuchObjectError,
    TembaRateExceededError,
    TembaTokenError,
)
from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient


def section(title: str) -> None:
    print("\n== %s" % title)


def rate_limits() -> None:
    """A server that allows 3 contact requests a minute: the 4th is refused with a 429."""
    with LocalRapidProServer(seed=10, rates={"v2.contacts": "3/minute"}) as server:
        client = TembaClient(server.url, server.token)
        try:
            for number in range(1, 5):
                client.get_contacts().first()
                print("request %d: ok" % number)
        except TembaRateExceededError as ex:
            print("request %d: rate limited, retry after %d seconds" % (number, ex.retry_after))
        # With retry_on_rate_exceed=True the client would sleep that long and try again, at most
        # max_rate_limit_wait seconds in all; here it gives up at once rather than wait a minute.
        patient = TembaClient(server.url, server.token, retry_on_rate_exceed=True, max_rate_limit_wait=1)
        try:
            patient.get_contacts().first()
        except TembaRateExceededError as ex:
            print("retrying would wait %d seconds, more than max_rate_limit_wait: raised instead" % ex.retry_after)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="also create, update and delete (real servers)")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        url, token = os.environ.get("RAPIDPRO_URL"), os.environ.get("RAPIDPRO_TOKEN")
        writes = True
        if not (url and token):
            server = stack.enter_context(LocalRapidProServer(seed=600))
            url, token = server.url, server.token
            print("No RAPIDPRO_URL/RAPIDPRO_TOKEN: using a local RapidPro server at %s" % server.api_url)
        else:
            writes = args.write
            print("Using %s (%s)" % (url, "reads and writes" if writes else "reads only; --write to write too"))
        client = stack.enter_context(TembaClient(url, token, user_agent="quickstart"))

        section("The workspace")
        workspace = client.get_workspace()
        print("%s (%s), languages: %s" % (workspace.name, workspace.timezone, ", ".join(workspace.languages)))

        section("Fetching one object with .first()")
        contact = client.get_contacts().first()
        if contact is None:
            print("The workspace has no contacts.")
            return 0
        same = client.get_contacts(uuid=contact.uuid).first()
        print("%s %s: %s, groups %s" % (same.uuid, same.name, same.urns, [g.name for g in same.groups]))
        message = client.get_messages(folder="inbox").first()
        if message is not None:
            print("latest inbox message:", client.get_messages(id=message.id).first())
        print("field 'age':", client.get_fields(key="age").first())

        section("Fetching everything with .all()")
        fields = client.get_fields().all()
        reporters = client.get_contacts(group="Reporters").all(retry_on_rate_exceed=True)
        print("%d fields; %d contacts in Reporters" % (len(fields), len(reporters)))

        section("Page by page with .iterfetches(), and resuming from a cursor")
        pages = client.get_contacts().iterfetches(retry_on_rate_exceed=True)
        first_page = next(pages, [])
        cursor = pages.get_cursor()
        print("first page: %d contacts; cursor for the rest: %s" % (len(first_page), cursor))
        if cursor:
            rest = sum(len(page) for page in client.get_contacts().iterfetches(resume_cursor=cursor))
            print("resumed from the cursor: %d more contacts" % rest)

        section("Object by object, across pages")
        responded = sum(1 for run in client.get_runs(responded=True, paths=False) if run.values)
        print("%d runs with responses and values" % responded)

        if writes:
            section("Creating and updating")
            group = client.create_group("Quickstart")
            new = client.create_contact(name="Quinn", urns=["tel:+250700123456"], groups=[group])
            new = client.update_contact(new, name="Quinn Q.", language="eng")
            client.bulk_add_contacts([contact], group)
            print(
                "created %s in %s (now %d members)"
                % (new, group.name, client.get_groups(uuid=group.uuid).first().count)
            )
            broadcast = client.create_broadcast("Hello from the quickstart!", groups=[group])
            print("broadcast %d: %s" % (broadcast.id, broadcast.status))
            client.delete_contact(new)
            client.delete_group(group)

        section("Catching errors")
        try:
            client.get_contacts(uuid="invalid-uuid").first()  # a read the server refuses
        except TembaBadRequestError as ex:
            for field, field_errors in ex.errors.items():
                print("bad request:", field, field_errors)
        if writes:
            try:
                client.update_label("00000000-0000-4000-8000-000000000000", name="Test")
            except TembaNoSuchObjectError as ex:
                print("no such object:", ex)
            try:
                client.create_contact(fields={"no_such_field": "x"})
            except TembaBadRequestError as ex:
                print("bad request:", ex)
        try:
            TembaClient(url, "not-a-valid-token").get_contacts().first()
        except TembaTokenError as ex:
            print("token error:", ex)
        try:
            TembaClient("http://127.0.0.1:9", token, max_retries=0, timeout=2).get_contacts().first()
        except TembaConnectionError as ex:
            print("connection error:", ex)

        section("Rate limits (on a local server with a tiny rate)")
        rate_limits()
        print("\nDone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
