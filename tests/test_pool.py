"""Threads sharing one client (a Django or Flask app under 16-20 worker threads): with
``pool_maxsize`` at least the number of threads, every connection goes back to the pool, and urllib3
never logs "Connection pool is full, discarding connection"."""

from __future__ import annotations

import logging
import threading

import pytest
import requests

from temba_client.v2 import TembaClient

THREADS = 16  # as many as the issue saw logging "Connection pool is full"


def labels_from_threads(client: TembaClient) -> list:
    """Each thread lists the labels at the same moment, as the views of a busy web app do."""
    start = threading.Barrier(THREADS)
    found: list = []

    def view() -> None:
        start.wait()
        found.append(client.get_labels().first())

    threads = [threading.Thread(target=view) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return found


def pool_full(caplog: pytest.LogCaptureFixture) -> list:
    return [r for r in caplog.records if "Connection pool is full" in r.getMessage()]


def test_a_pool_as_large_as_the_threads_discards_nothing(rapidpro_server, caplog):
    rapidpro_server.faults.add(delay=0.1, times=None)  # every answer takes a while: the threads overlap
    client = TembaClient(rapidpro_server.url, rapidpro_server.token, pool_maxsize=THREADS, max_retries=0)
    with client, caplog.at_level(logging.WARNING, logger="urllib3"):
        found = labels_from_threads(client)
        found += labels_from_threads(client)  # the second wave reuses the first wave's connections
    assert len(found) == 2 * THREADS and all(label is not None for label in found)
    assert pool_full(caplog) == []
    assert rapidpro_server.connections == THREADS


def test_requests_default_pool_of_10_discards_connections(rapidpro_server, caplog):
    # what the option is for (and the proof that the test above can fail)
    rapidpro_server.faults.add(delay=0.1, times=None)
    client = TembaClient(rapidpro_server.url, rapidpro_server.token, max_retries=0)
    with client, caplog.at_level(logging.WARNING, logger="urllib3"):
        labels_from_threads(client)
    assert len(pool_full(caplog)) == THREADS - 10


@pytest.mark.parametrize("size, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError), ("20", TypeError)])
def test_pool_maxsize_is_checked(size, error):
    with pytest.raises(error):
        TembaClient("example.com", "1234567890", pool_maxsize=size)


def test_pool_maxsize_is_for_the_clients_own_session():
    with pytest.raises(ValueError, match="mount adapters"):
        TembaClient("example.com", "1234567890", pool_maxsize=20, session=requests.Session())
