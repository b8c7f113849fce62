"""Interactive use: a real Jupyter server on loopback lists the notebooks through its REST API
and runs a chapter notebook to completion in a kernel that server started."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from osa_utils import PROJECT_ROOT

pytestmark = pytest.mark.slow
TOKEN = "osa-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base, path, method="GET", body=None):
    req = urllib.request.Request(f"{base}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    proc = subprocess.Popen([sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}",
                             "--ip=127.0.0.1", "--allow-root", f"--IdentityProvider.token={TOKEN}",
                             f"--ServerApp.root_dir={PROJECT_ROOT / 'notebooks'}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            _api(base, "/api/status")
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("Jupyter server did not start")
            time.sleep(0.3)
    yield base, tmp_path / "runtime"
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_server_lists_and_runs_a_chapter_notebook(server, tmp_path):
    from jupyter_client import BlockingKernelClient

    base, runtime = server
    listing = _api(base, "/api/contents/")
    names = {item["name"] for item in listing["content"]}
    assert {"02_chip_design.ipynb", "08_ai_ethics.ipynb"} <= names

    session = _api(base, "/api/sessions", "POST",
                   {"path": "08_ai_ethics.ipynb", "type": "notebook", "name": "", "kernel": {"name": "python3"}})
    kernel_id = session["kernel"]["id"]
    client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    try:
        nb = nbformat.read(PROJECT_ROOT / "notebooks" / "08_ai_ethics.ipynb", as_version=4)
        errors, displays = [], 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            code = cell.source
            if "parameters" in cell.metadata.get("tags", []):
                code += f"\nfigures_dir = {str(tmp_path / 'figs')!r}"

            def hook(msg):
                nonlocal displays
                if msg["msg_type"] == "error":
                    errors.append(msg["content"]["ename"] + ": " + msg["content"]["evalue"])
                if msg["msg_type"] == "display_data":
                    displays += 1

            reply = client.execute_interactive(code, output_hook=hook, timeout=120)
            assert reply["content"]["status"] == "ok", errors
        assert errors == [] and displays >= 3
        assert (tmp_path / "figs" / "tab-8-2.csv").exists() and (tmp_path / "figs" / "fig-8-2.png").exists()
    finally:
        client.stop_channels()
        _api(base, f"/api/sessions/{session['id']}", "DELETE")
