"""rapidpro-python 2.22's test helpers, for test suites written against it.

Such suites patch the module-level ``request`` function and answer with a :class:`MockResponse`::

    from unittest.mock import patch
    from temba_client.tests import MockResponse, TembaTest

    @patch("temba_client.utils.request")
    class MyTest(TembaTest):
        def test_contacts(self, mock_request):
            mock_request.return_value = MockResponse(200, '{"next": null, "results": []}')
            ...

The client sends through the patched function, as rapidpro-python did (see
:mod:`temba_client.transport`). New tests are better written against the local server
(:mod:`temba_client.testing`), which speaks real HTTP.
"""

from __future__ import annotations

import json
import unittest
from typing import Any, Callable, Mapping, Optional, Type, Union

import requests
from requests.structures import CaseInsensitiveDict

from . import __version__
from .exceptions import TembaException

__all__ = ["MockResponse", "TembaTest"]


class TembaTest(unittest.TestCase):
    """Base class of rapidpro-python's test cases, with its assertions."""

    API_VERSION: Optional[int] = None

    def read_json(self, filename: str, extract_result: Optional[int] = None) -> str:
        """Reads ``test_files/v<API_VERSION>/<filename>.json`` (relative to the working directory).

        :param filename: the file's name, without ``.json``
        :param extract_result: when given, only the first of its ``results``, as JSON
        """
        with open("test_files/v%d/%s.json" % (self.API_VERSION or 2, filename), encoding="utf-8") as handle:
            contents = handle.read()
        if extract_result is not None:
            contents = json.dumps(json.loads(contents)["results"][0])
        return contents

    def assertRaisesWithMessage(
        self, exc_class: Type[BaseException], message: str, callable_obj: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> None:
        """Asserts that the call raises ``exc_class`` with exactly this message.

        :param exc_class: the exception class expected
        :param message: its ``str()``
        :param callable_obj: the function to call with the other arguments
        """
        try:
            callable_obj(*args, **kwargs)
        except TembaException as exc:
            self.assertIsInstance(exc, exc_class)
            self.assertEqual(str(exc), message)
        else:
            self.fail("%s not raised" % exc_class.__name__)

    def assertRequestURL(self, mock: Any, method: str, url: str, **kwargs: Any) -> None:
        """Asserts that the last request went to ``url`` with these arguments, as the clients of
        rapidpro-python's tests (token ``1234567890``, user agent ``test/0.1``) send them.

        :param mock: the mock of ``request``
        :param method: the method, lower case
        :param url: the URL
        :param kwargs: the other arguments, e.g. ``params=`` or ``data=``
        """
        mock.assert_called_with(
            method,
            url,
            headers={
                "Content-type": "application/json",
                "Authorization": "Token 1234567890",
                "Accept": "application/json",
                "User-Agent": "test/0.1 rapidpro-python/%s" % __version__,
            },
            verify=None,
            **kwargs,
        )
        mock.reset_mock()

    def assertRequest(self, mock: Any, method: str, endpoint: str, **kwargs: Any) -> None:
        """Asserts that the last request went to an endpoint of ``https://example.com``.

        :param mock: the mock of ``request``
        :param method: the method, lower case
        :param endpoint: the endpoint's name, e.g. ``"contacts"``
        :param kwargs: the other arguments, e.g. ``params=`` or ``data=``
        """
        url = "https://example.com/api/v%d/%s.json" % (self.API_VERSION or 2, endpoint)
        self.assertRequestURL(mock, method, url, **kwargs)


class MockResponse:
    """A response with a status code, a body and headers, as rapidpro-python's tests build them.

    :param status_code: the HTTP status
    :param content: the body (text or bytes)
    :param headers: the headers
    """

    def __init__(
        self, status_code: int, content: Union[str, bytes, None] = None, headers: Optional[Mapping[str, Any]] = None
    ) -> None:
        self.status_code = status_code
        self.content: Union[str, bytes] = content or ""
        self.headers: CaseInsensitiveDict[Any] = CaseInsensitiveDict()
        if headers:
            self.headers.update(headers)

    def raise_for_status(self) -> None:
        """Raises :class:`requests.HTTPError` for a 4xx or 5xx status."""
        message = ""
        if 400 <= self.status_code < 500:
            message = "%s Client Error: ..." % self.status_code
        elif 500 <= self.status_code < 600:
            message = "%s Server Error: ..." % self.status_code
        if message:
            raise requests.HTTPError(message, response=self)  # type: ignore[arg-type]

    def json(self, **kwargs: Any) -> Any:
        """The body, parsed as JSON.

        :param kwargs: passed to :func:`json.loads`
        """
        return json.loads(self.content, **kwargs)
