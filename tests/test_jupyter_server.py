"""Interactive use: a real Jupyter server on loopback lists the notebooks through its REST API
and runs a chapter notebook to completion in a kernel that server started."""

from __future__ import annotations

import json
import os
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
# Generous: they only matter when something is broken, and a 2-core machine running a build
# beside the test starts a server, a kernel and a cell several times slower than an idle one.
SERVER_START, KERNEL_START, CELL = 180, 180, 300


def _api(base, path, method="GET", body=None):
    req = urllib.request.Request(
        f"{base}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def _log_tail(path: Path) -> str:
    return "\n--- Jupyter server log (end) ---\n" + path.read_text(errors="replace")[-3000:]


@pytest.fixture
def server(tmp_path):
    """A server on a port it chose itself (port 0), read back from its jpserver-PID.json: a port picked
    here and handed over could be taken by another process (a build's kernels) before the server binds."""
    runtime, log = tmp_path / "runtime", tmp_path / "server.log"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--no-browser",
                "--port=0",
                "--ServerApp.port_retries=0",
                "--ip=127.0.0.1",
                "--allow-root",
                f"--IdentityProvider.token={TOKEN}",
                f"--ServerApp.root_dir={PROJECT_ROOT / 'notebooks'}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    info, base = runtime / f"jpserver-{proc.pid}.json", None
    deadline = time.time() + SERVER_START
    while True:
        try:
            base = base or f"http://127.0.0.1:{json.loads(info.read_text())['port']}"
            _api(base, "/api/status")
            break
        except (OSError, ValueError):  # info file not written yet (or half), server not answering yet
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"Jupyter server did not start within {SERVER_START} s" + _log_tail(log))
            time.sleep(0.3)
    yield base, runtime, log
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_server_lists_and_runs_a_chapter_notebook(server, tmp_path):
    from jupyter_client import BlockingKernelClient

    base, runtime, log = server
    listing = _api(base, "/api/contents/")
    names = {item["name"] for item in listing["content"]}
    assert {"02_chip_design.ipynb", "08_ai_ethics.ipynb"} <= names

    session = _api(
        base,
        "/api/sessions",
        "POST",
        {"path": "08_ai_ethics.ipynb", "type": "notebook", "name": "", "kernel": {"name": "python3"}},
    )
    kernel_id = session["kernel"]["id"]
    client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    # No heartbeat channel: a client without a KernelManager judges the kernel alive by heartbeats
    # answered within 1 s, so a kernel still starting on a loaded machine is reported as "Kernel died
    # before replying to kernel_info". The server owns the kernel; wait for the kernel's own reply.
    client.start_channels(hb=False)
    try:
        client.wait_for_ready(timeout=KERNEL_START)
    except RuntimeError as e:
        client.stop_channels()
        try:
            state = repr(_api(base, f"/api/kernels/{kernel_id}")["execution_state"])
        except OSError as gone:
            state = f"unknown to it ({gone})"
        pytest.fail(f"{e} (the server says the kernel is {state})" + _log_tail(log))
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

            reply = client.execute_interactive(code, output_hook=hook, timeout=CELL)
            assert reply["content"]["status"] == "ok", errors
        assert errors == [] and displays >= 3
        assert (tmp_path / "figs" / "tab-8-2.csv").exists()
        assert list((tmp_path / "figs").glob("fig-8-2*.png")), "the Figure 8.2 chart was saved"
    finally:
        client.stop_channels()
        _api(base, f"/api/sessions/{session['id']}", "DELETE")
