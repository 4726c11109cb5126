"""A walk through the usage guide: fetching, resuming, writing, and catching each error.

Runs against the server named by ``RAPIDPRO_URL`` and ``RAPIDPRO_TOKEN`` when both are set, and
otherwise against a local RapidPro server that it starts itself::

    python examples/quickstart.py

Against a real workspace it only reads, unless ``RAPIDPRO_WRITE=1`` is set too.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack

from temba_client.exceptions import (
    TembaBadRequestError,
    TembaConnectionError,
    TembaException,
    TembaNoSuchObjectError,
    TembaRateExceededError,
    TembaTokenError,
)
from temba_client.testing import LocalRapidProServer
from temba_client.v2 import TembaClient


def section(title: str) -> None:
    print("\n== %s" % title)


def main() -> int:
    with ExitStack() as stack:
        url, token = os.environ.get("RAPIDPRO_URL"), os.environ.get("RAPIDPRO_TOKEN")
        writes = True
        if not (url and token):
            server = stack.enter_context(LocalRapidProServer(seed=600))
            url, token = server.url, server.token
            print("No RAPIDPRO_URL/RAPIDPRO_TOKEN: using a local RapidPro server at %s" % server.api_url)
        else:
            writes = os.environ.get("RAPIDPRO_WRITE") == "1"
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
            client.update_label("invalid-uuid", name="Test")
        except TembaBadRequestError as ex:
            for field, field_errors in ex.errors.items():
                print("bad request:", field, field_errors)
        except TembaNoSuchObjectError as ex:
            print("no such object:", ex)
        if writes:
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
        try:
            client.get_contacts().first()
        except TembaRateExceededError as ex:
            print("rate limited: retry after %d seconds" % ex.retry_after)
        except TembaException as ex:
            print("other error:", ex)
        print("\nDone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
