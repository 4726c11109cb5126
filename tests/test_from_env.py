"""TembaClient.from_env(): the server and token from RAPIDPRO_URL and RAPIDPRO_TOKEN, the other
arguments passed on to the constructor, a clear error naming what is not set."""

from __future__ import annotations

import inspect

import pytest

from temba_client.v2 import TembaClient
from temba_client.v2.client import ClientOptions

TOKEN = "f00dfeedf00dfeed"


def test_a_client_of_the_server_the_environment_names(monkeypatch, rapidpro_server):
    monkeypatch.setenv("RAPIDPRO_URL", rapidpro_server.url)
    monkeypatch.setenv("RAPIDPRO_TOKEN", rapidpro_server.token + "\n")  # as $(cat token-file) may leave it
    with TembaClient.from_env(user_agent="Registration/1.0", max_retries=0, timeout=5) as client:
        assert client.get_org().name == "Local Workspace"
    request = rapidpro_server.requests[-1]
    assert request.status == 200 and request.headers["User-Agent"].startswith("Registration/1.0 rapidpro-python/")


@pytest.mark.parametrize(
    "environ, named",
    [
        ({"RAPIDPRO_TOKEN": TOKEN}, "variable RAPIDPRO_URL (the server, e.g. https://app.rapidpro.io), not set"),
        ({"RAPIDPRO_URL": "https://rapidpro.io"}, "variable RAPIDPRO_TOKEN (the API token), not set"),
        ({"RAPIDPRO_URL": " ", "RAPIDPRO_TOKEN": ""}, "variables RAPIDPRO_URL (the server, e.g. "),
        ({}, "RAPIDPRO_URL (the server, e.g. https://app.rapidpro.io) and RAPIDPRO_TOKEN (the API token), not set"),
    ],
)
def test_what_is_not_set_is_named(monkeypatch, environ, named):
    for name in ("RAPIDPRO_URL", "RAPIDPRO_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as info:
        TembaClient.from_env()
    assert str(info.value).startswith("TembaClient.from_env() needs the environment variable")
    assert named in str(info.value) and TOKEN not in str(info.value)


def test_the_arguments_are_the_constructors(monkeypatch):
    monkeypatch.setenv("RAPIDPRO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RAPIDPRO_TOKEN", TOKEN)
    constructor = list(inspect.signature(TembaClient).parameters)
    assert constructor[:2] == ["host", "token"]
    assert list(ClientOptions.__annotations__) == constructor[2:]  # the typed keywords of from_env
    with pytest.raises(TypeError, match="timeuot"):
        TembaClient.from_env(timeuot=5)

    class Client(TembaClient):
        pass

    assert type(Client.from_env()) is Client
