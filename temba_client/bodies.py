"""Reading the body of an answer within the client's limits, whatever urllib3 is underneath (the
1.26 line that botocore pins on Python 3.9, or 2.x).

:func:`read_body` owns the guarantee; it does not lean on the version of urllib3 for any of it:
it reads the raw bytes as they arrive and decodes them itself, a bounded piece at a time.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import zlib
from typing import Any, Callable, Iterator, List, Optional

import requests
import urllib3

#: Statuses whose answers end at their headers, whatever their ``Content-Length`` says (RFC 9112
#: §6.3; RapidPro 26.3 answers its message actions ``204`` with ``Content-Length: 2``).
NO_BODY_STATUSES = frozenset({204, 304})
#: The content codings the client decodes itself, and so the only ones it asks for.
ACCEPT_ENCODING = "gzip, deflate"
#: Bytes asked of each read, and the most that one step of decompression may produce.
READ_SIZE = 64 * 1024
#: Codings stacked in one ``Content-Encoding`` beyond this are refused (as urllib3 2.6 does).
_MAX_CODINGS = 5


class BodyTooLarge(requests.RequestException):
    """A response body over the transport's size limit."""


class TooSlow(requests.exceptions.ReadTimeout):
    """The answer did not arrive in full within the transport's ``total_timeout``."""


def has_body(status: int, method: str) -> bool:
    """Whether an answer can have a body: not a 1xx, 204 or 304, not an answer to HEAD.

    :param status: the answer's status
    :param method: the request's method
    """
    return not (status in NO_BODY_STATUSES or 100 <= status < 200 or method.upper() == "HEAD")


def read_body(response: requests.Response, limit: int, deadline: Optional[float], total: Optional[float]) -> bytes:
    """Reads the whole body of a streamed response and closes it.

    Invariant: however the server behaves and whichever urllib3 is installed, at most ``limit``
    bytes of decoded body (plus one read of :data:`READ_SIZE`) are ever held, compressed or not (a
    gzip bomb is inflated a bounded piece at a time and dropped past the limit: :class:`BodyTooLarge`);
    the reading stops once ``deadline`` has passed (:class:`TooSlow`), checked between reads that
    each return as soon as bytes arrive; a body whose length differs from its ``Content-Length``
    is never returned (``ChunkedEncodingError``); the body of a 1xx, 204 or 304 answer or of an
    answer to HEAD is empty whatever the headers announce; every failure is a
    :class:`requests.RequestException`.

    :param response: a response of ``requests`` made with ``stream=True``
    :param limit: the most bytes accepted, once decoded
    :param deadline: the ``time.monotonic()`` after which reading stops (None: no deadline)
    :param total: the ``total_timeout`` the deadline comes from, quoted in the error
    """
    method = str(getattr(response.request, "method", "") or "")
    if response._content_consumed:  # type: ignore[attr-defined]  # requests read a redirect's body itself
        content = response.content or b""
        if len(content) > limit:
            raise BodyTooLarge("the response body is larger than the limit of %d bytes" % limit)
        return content if has_body(response.status_code, method) else b""
    raw = response.raw
    from_urllib3 = isinstance(raw, urllib3.response.HTTPResponse)
    wanted = has_body(response.status_code, method)
    if not wanted and not from_urllib3:
        response.close()
        return b""
    counted = [0]  # raw bytes read, to check against Content-Length
    pieces: Iterator[bytes]
    if from_urllib3:
        pieces = _decoded(_raw_chunks(raw, counted), _codings(response.headers.get("Content-Encoding", "")))
    else:  # a session whose adapter gives something else: its own iterator, already decoded
        pieces = response.iter_content(chunk_size=READ_SIZE)
    chunks: List[bytes] = []
    size = 0
    try:
        for piece in pieces:
            size += len(piece)
            if size > limit:
                raise BodyTooLarge("the response body is larger than the limit of %d bytes" % limit)
            chunks.append(piece)
            if deadline is not None and time.monotonic() > deadline:
                raise TooSlow("the answer took longer than the total limit of %s seconds (total_timeout)" % total)
    finally:
        response.close()
    if not wanted:
        return b""
    if from_urllib3:
        _check_length(response, counted[0])
    elif response.headers.get("Content-Encoding", "identity").strip().lower() in ("", "identity"):
        _check_length(response, size)
    return b"".join(chunks)


def _raw_chunks(raw: Any, counted: List[int]) -> Iterator[bytes]:
    """The body's bytes as sent (still encoded), each read returning as soon as some arrive: a
    trickle is seen byte by byte, so the deadline is checked between them. urllib3 2.x reads
    through its public ``read1``; 1.26 has none, so http.client's ``read1`` underneath it is used
    and the connection handed back to the pool once the body is complete."""
    read: Callable[[], bytes]
    original = None
    if hasattr(raw, "read1"):  # urllib3 2.2 and later
        read = lambda: raw.read1(READ_SIZE, decode_content=False)  # noqa: E731
    else:  # pragma: no cover - urllib3 1.26 (and 2.0, 2.1): run by tox's mindeps environments
        original = getattr(raw, "_fp", None)
        if original is None or not hasattr(original, "read1"):
            read = lambda: raw.read(READ_SIZE, decode_content=False)  # noqa: E731
        else:
            read = lambda: original.read1(READ_SIZE)  # noqa: E731
    while True:
        try:
            chunk = read()
        except (urllib3.exceptions.ReadTimeoutError, socket.timeout) as exc:
            raise requests.exceptions.ReadTimeout(str(exc)) from exc
        except (urllib3.exceptions.SSLError, ssl.SSLError) as exc:
            raise requests.exceptions.SSLError(str(exc)) from exc
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError, ValueError) as exc:
            raise requests.exceptions.ChunkedEncodingError(str(exc) or type(exc).__name__) from exc
        if not chunk:
            break
        counted[0] += len(chunk)
        yield chunk
    # http.client leaves a length-delimited response open once its last byte is read (Python 3.9):
    # when nothing is left to read, close it and hand the connection back for the next request
    if original is not None and getattr(original, "length", None) in (None, 0):  # pragma: no cover - 1.26
        original.close()
        raw.release_conn()


def _codings(header: str) -> List[str]:
    """The content codings of a ``Content-Encoding`` header, in the order they were applied."""
    codings = [part.strip().lower() for part in header.split(",")]
    codings = [coding for coding in codings if coding and coding != "identity"]
    if len(codings) > _MAX_CODINGS:
        raise requests.exceptions.ContentDecodingError("more than %d content codings stacked" % _MAX_CODINGS)
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise requests.exceptions.ContentDecodingError(
                "the body is encoded as %r, which the client did not ask for (it asks for %s)"
                % (coding, ACCEPT_ENCODING)
            )
    return codings


def _decoded(chunks: Iterator[bytes], codings: List[str]) -> Iterator[bytes]:
    """The decoded body, in pieces of at most :data:`READ_SIZE` bytes."""
    pieces = chunks
    for coding in reversed(codings):  # the last coding applied is undone first
        pieces = _inflate(pieces, coding)
    return pieces


def _inflate(pieces: Iterator[bytes], coding: str) -> Iterator[bytes]:
    """Undoes one gzip or deflate coding, never producing more than :data:`READ_SIZE` bytes from one
    step (``max_length``), so that a small input cannot balloon in memory. A gzip body of several
    members is read whole; bytes after the first member that are not another one are ignored, and a
    deflate body without its zlib header is read as raw deflate, as urllib3 and browsers do."""
    gzip = coding != "deflate"
    wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    produced = False  # whether anything came out yet (a deflate body may lack its zlib header)
    head = b""  # what a deflate body began with, until something comes out
    members = 1
    for piece in pieces:
        data = piece
        if not gzip and not produced and len(head) < READ_SIZE:
            head += piece
        while data:
            try:
                out = inflater.decompress(data, READ_SIZE)
            except zlib.error as exc:
                if not gzip and not produced and wbits > 0:  # no zlib header: raw deflate, from the start
                    wbits = -zlib.MAX_WBITS
                    inflater = zlib.decompressobj(wbits)
                    data = head
                    continue
                if members > 1:  # trailing bytes after a complete gzip member
                    return
                raise requests.exceptions.ContentDecodingError("the %s body cannot be decoded: %s" % (coding, exc))
            if out:
                produced = True
                yield out
            if inflater.eof:
                data = inflater.unused_data
                if not gzip or not data:
                    break
                members += 1
                inflater = zlib.decompressobj(wbits)
            else:
                data = inflater.unconsumed_tail
        while not inflater.eof:  # what the inflater holds back for want of room, a piece at a time
            out = inflater.decompress(b"", READ_SIZE)
            if not out:
                break
            yield out


def _check_length(response: requests.Response, size: int) -> None:
    """A body of another length than its ``Content-Length`` (counted as sent, before decoding) was
    cut or padded: never taken as the answer, whatever the version of urllib3 underneath."""
    length = response.headers.get("Content-Length", "").strip()
    if length.isdigit() and "Transfer-Encoding" not in response.headers and int(length) != size:
        raise requests.exceptions.ChunkedEncodingError(
            "the body has %d bytes where its Content-Length announced %s" % (size, length)
        )
