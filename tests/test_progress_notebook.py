"""A notebook shows a progress bar (tqdm's widget) while ``to_dataframe(progress=True)`` reads a
large query: a real Jupyter kernel runs the cells, as in a user's notebook."""

from __future__ import annotations

import json
import sys
from typing import Any, List

import pytest

from temba_client.testing import LocalRapidProServer

pytestmark = pytest.mark.slow


def outputs_of(cell: Any) -> List[Any]:
    return list(cell.get("outputs", []))


def test_to_dataframe_shows_a_widget_in_a_notebook() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("ipywidgets")
    pytest.importorskip("tqdm")
    pytest.importorskip("pandas")
    server = LocalRapidProServer(seed=2000).start()
    server.faults.add(
        delay=0.4, endpoint="runs", times=None
    )  # a slow server: the read lasts longer than the bar's delay
    try:
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [
            nbformat.v4.new_code_cell(
                "from temba_client.v2 import TembaClient\n"
                "client = TembaClient(%r, %r)\n"
                "frame = client.get_runs().to_dataframe(progress=True)\n"
                "print(len(frame))" % (server.url, server.token)
            )
        ]
        kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebook.metadata["kernelspec"] = kernel
        client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3")
        client.km = client.create_kernel_manager()  # the kernel is this interpreter, with this checkout
        client.km.kernel_cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        client.execute()
    finally:
        server.stop()
    outputs = outputs_of(notebook.cells[0])
    printed = "".join(output.get("text", "") for output in outputs if output["output_type"] == "stream")
    assert printed.split() == ["2000"], outputs  # the read itself
    widgets = [
        output["data"]
        for output in outputs
        if output["output_type"] == "display_data" and "application/vnd.jupyter.widget-view+json" in output["data"]
    ]
    assert widgets, json.dumps(outputs)[:2000]  # a widget, not text on stderr
    assert "runs" in widgets[0].get("text/plain", ""), widgets[0]
