"""The small JSON state that lets an export or a sync continue where it stopped.

One file holds one section per stream (``runs``, ``messages``, ``contacts``...): the archive and
line reached, the watermark, the ids seen at it, and how many bytes of the output file are
committed. It is rewritten atomically (a temporary file, then a rename) after every page, so a
crash or Ctrl-C loses at most the page in flight.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Dict, Optional

from ..exceptions import TembaStateError

STATE_VERSION = 1


class StateFile:
    """A JSON state on disk, one dict per stream, shared by threads.

    :param path: the file (created on the first save); None keeps the state in memory only
    :param options: what the export was asked (types, dates, flow...): a rerun with other options
        refuses the state rather than mixing two exports
    """

    def __init__(self, path: Optional[str], options: Optional[Dict[str, Any]] = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.data: Dict[str, Any] = {"version": STATE_VERSION, "options": options or {}, "streams": {}}
        if path and os.path.exists(path):
            self.data = self._load(path, options)

    @staticmethod
    def _load(path: str, options: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        try:
            with open(path, encoding="utf-8") as stream:
                data = json.load(stream)
        except ValueError:
            raise TembaStateError("State file %s is not valid JSON: remove it to start over" % path)
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION or "streams" not in data:
            raise TembaStateError("State file %s is not a state of this version: remove it to start over" % path)
        if options is not None and data.get("options") != options:
            raise TembaStateError(
                "State file %s belongs to an export with other options (%s): use another directory or remove it"
                % (path, json.dumps(data.get("options"), sort_keys=True))
            )
        return data

    def stream(self, name: str) -> Dict[str, Any]:
        """The mutable state of one stream (an empty dict the first time).

        :param name: the stream's name, e.g. ``"runs"``
        """
        with self._lock:
            return self.data["streams"].setdefault(name, {})

    def save(self) -> None:
        """Writes the state to disk atomically (nothing when kept in memory)."""
        if not self.path:
            return
        with self._lock:
            text = json.dumps(self.data, sort_keys=True, default=str)
            partial = self.path + ".tmp"
            with open(partial, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, self.path)
