"""Reading bodies: what ends at the headers (RFC 9112 §6.3), what the client decodes itself, and
connections reused, whatever urllib3 is underneath (the quick suite runs at urllib3 1.26 too: tox's
``py39-mindeps`` environment)."""

from __future__ import annotations

import gzip
import json
import random
import zlib
from pathlib import Path

import pytest

from temba_client.exceptions import TembaConnectionError, TembaHttpError
from temba_client.transport import Transport
from temba_client.v2 import TembaClient

from .explained import notes_of
from .stub_server import Reply, page

WRITES = Path(__file__).resolve().parents[2] / "shared" / "recorded" / "rapidpro-26.3-writes"
PAGE = {"next": None, "previous": None, "results": [{"uuid": "c1", "name": "Ann"}]}


def test_a_204_announcing_a_body_is_a_success(stub, client):
    # RapidPro 26.3's message actions: 204 No Content with Content-Length: 2 and nothing after the headers
    stub.add("POST", "message_actions", Reply(status=204, body=b"", headers={"Content-Length": "2"}))
    assert client.bulk_archive_messages([839, 837]) == []
    assert stub.last.json == {"messages": [839, 837], "action": "archive"}


def test_the_recorded_204_of_message_actions_replayed(stub, client):
    recorded = json.loads((WRITES / "message-actions-204.json").read_text())
    assert recorded["status"] == 204 and recorded["headers"]["Content-Length"] == "2"
    reply = Reply(status=recorded["status"], body=recorded["raw_body"].encode(), headers=recorded["headers"])
    stub.add("POST", "message_actions", reply)
    stub.add_json("GET", "contacts", PAGE)
    assert client.bulk_archive_messages(recorded["request"]["body"]["messages"]) == []
    assert client.bulk_label_messages([839], label="Spam") == []
    assert client.bulk_unlabel_messages([839], label_name="Spam") == []
    assert client.bulk_restore_messages([839]) == []
    assert [m.method for m in stub.requests] == ["POST"] * 4
    assert client.get_contacts().first().uuid == "c1"  # and the connection is still good
    assert stub.connections == 1


def test_an_answer_to_head_ends_at_its_headers(stub):
    stub.add("HEAD", "contacts", Reply(json=PAGE))  # a server that sends a body anyway
    transport = Transport(stub.token, timeout=5, max_retries=0)
    assert transport.request("HEAD", stub.endpoint_url("contacts")) is None
    transport.close()


def test_a_304_announcing_a_body_is_not_waited_for(stub, client):
    stub.add("GET", "contacts", Reply(status=304, body=b"", headers={"Content-Length": "5"}))
    with pytest.raises(TembaHttpError) as info:
        client.get_contacts().first()
    assert str(info.value) == "304 Error: Not Modified for url: %s" % stub.endpoint_url("contacts")
    assert info.value.elapsed < 4  # not the read timeout (5 s) waiting for 5 bytes


def test_the_client_asks_only_for_what_it_decodes(stub, client):
    stub.add_json("GET", "contacts", PAGE)
    client.get_contacts().first()
    assert stub.last.headers["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    "encoding, encode",
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
        ("gzip", lambda data: gzip.compress(data[:10]) + gzip.compress(data[10:])),  # two gzip members
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
        ("identity", lambda data: data),
    ],
)
def test_bodies_are_decoded(stub, client, encoding, encode):
    stub.add("GET", "contacts", Reply(body=encode(json.dumps(PAGE).encode()), headers={"Content-Encoding": encoding}))
    assert client.get_contacts().first().name == "Ann"


def test_a_large_gzip_body_is_decoded_in_pieces(stub, client):
    # names that do not compress much: the compressed body arrives in several reads
    names = [random.Random(n).getrandbits(1600).to_bytes(200, "big").hex() for n in range(800)]
    many = {"next": None, "previous": None, "results": [{"uuid": "c%05d" % n, "name": names[n]} for n in range(800)]}
    body = gzip.compress(json.dumps(many).encode())
    assert len(body) > 2 * 64 * 1024
    stub.add("GET", "contacts", Reply(body=body, headers={"Content-Encoding": "gzip"}))
    assert [c.name for c in client.get_contacts().all()] == names


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, gzip, gzip, gzip, gzip, gzip"])
def test_encodings_the_client_did_not_ask_for_are_refused(stub, client, encoding):
    stub.add("GET", "contacts", Reply(body=b"\x1f\x8b garbage", headers={"Content-Encoding": encoding}))
    with pytest.raises(TembaConnectionError) as info:
        client.get_contacts().first()
    assert "encoded as" in info.value.detail or "content codings" in info.value.detail


def test_a_corrupt_gzip_body_is_an_error(stub, client):
    stub.add("GET", "contacts", Reply(body=b"\x1f\x8b\x08\x00 not really gzip", headers={"Content-Encoding": "gzip"}))
    with pytest.raises(TembaConnectionError) as info:
        client.get_contacts().first()
    assert "cannot be decoded" in info.value.detail


def test_a_cut_compressed_body_is_never_taken(stub, client):
    body = gzip.compress(json.dumps(PAGE).encode())
    stub.add("GET", "contacts", Reply(body=body, headers={"Content-Encoding": "gzip"}, truncate=True))
    with pytest.raises(TembaConnectionError) as info:
        client.get_contacts().first()
    assert "Content-Length" in info.value.detail or "connection broken" in info.value.detail
    assert "connection broken while reading the response" in notes_of(info.value)


def test_connections_are_reused_across_pages_and_writes(stub, client):
    base = stub.endpoint_url("contacts")
    stub.add("GET", "contacts", Reply(json=page([{"uuid": "a"}], next=base + "?cursor=P2")), Reply(json=PAGE))
    stub.add("POST", "contact_actions", Reply(status=204, body=b""))
    gzipped = gzip.compress(json.dumps({"uuid": "l-1", "name": "Spam", "count": 0}).encode())
    stub.add("POST", "labels", Reply(status=201, body=gzipped, headers={"Content-Encoding": "gzip"}))
    assert [c.uuid for c in client.get_contacts().all()] == ["a", "c1"]
    client.bulk_block_contacts(["a"])
    assert client.create_label("Spam").uuid == "l-1"
    assert client.get_contacts().first().uuid == "c1"  # (the last answer queued is repeated)
    assert len(stub.requests) == 5 and stub.connections == 1


def test_a_session_of_another_adapter_is_read_through_requests(stub):
    import requests

    class Recording(requests.adapters.HTTPAdapter):
        def build_response(self, req, resp):
            response = super().build_response(req, resp)
            response.raw = _Unusual(response.raw)
            return response

    class _Unusual:
        """A raw body that is not urllib3's (as some adapters and test doubles give)."""

        def __init__(self, raw):
            self._raw = raw

        def stream(self, amt, decode_content=True):
            return self._raw.stream(amt, decode_content=decode_content)

        def close(self):
            self._raw.close()

        def release_conn(self):
            self._raw.release_conn()

    session = requests.Session()
    session.mount("http://", Recording())
    stub.add_json("GET", "contacts", PAGE)
    stub.add("POST", "message_actions", Reply(status=204, body=b"", headers={"Content-Length": "2"}))
    with TembaClient(stub.url, stub.token, session=session, max_retries=0, timeout=5) as client:
        assert client.get_contacts().first().uuid == "c1"
        assert client.bulk_archive_messages([1]) == []
