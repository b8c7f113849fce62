"""Kernels forked from a warm worker (osa_utils.batch.warmkernel): the kernel a notebook gets there
is the kernel the kernelspec's command would have started, with nothing of another notebook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernels are forked on Linux only")

#: What a kernel reports of itself: enough to tell a forked kernel from a fresh one if it differed.
PROBE = textwrap.dedent(
    """
    import json, os, signal, sys, warnings
    import matplotlib
    state = {
        "comm": open("/proc/self/comm").read().strip(),
        "parent_is_runner": os.getppid() == int(os.environ["RUNNER_PID"]),
        "own_session": os.getsid(0) == os.getpid(),
        "cwd": os.getcwd(),
        "path": sys.path,
        "argv0": os.path.basename(sys.argv[0]),
        "filters": [repr(f) for f in warnings.filters],
        "backend": matplotlib.get_backend(),
        "env": sorted(k for k in os.environ if k not in ("JPY_PARENT_PID",)),
        "sigterm": str(signal.getsignal(signal.SIGTERM)),
        "flags": repr(sys.flags),
        "leak": hasattr(matplotlib, "osa_left_behind") or "OSA_LEFT_BEHIND" in os.environ,
        "main_ok": __name__ == "__main__",
    }
    matplotlib.osa_left_behind = True  # what the next notebook of this worker must not see
    os.environ["OSA_LEFT_BEHIND"] = "1"
    print("STATE=" + json.dumps(state))
    """
)

#: Runs in a fresh interpreter that does what a build's worker does (imports workerprep), then
#: runs the probe notebook three times: forked, forked again (nothing of the first), stock.
RUNNER = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    import osa_utils.batch.workerprep  # noqa: F401  (the fork server's preload)
    from osa_utils.batch import warmkernel
    from osa_utils.batch.kernel import run_notebook
    nb, out = Path(sys.argv[1]), Path(sys.argv[2])
    os.environ["RUNNER_PID"] = str(os.getpid())
    states = []
    for i, warm in enumerate(("1", "1", "0")):
        os.environ["OSA_WARM_KERNEL"] = warm
        executed = out / f"run{i}.ipynb"
        error = run_notebook(nb, executed, {}, log=out / f"run{i}.log")
        assert error is None, error
        text = "".join("".join(o.get("text", "")) for c in json.loads(executed.read_text())["cells"] for o in c.get("outputs", []))
        states.append(json.loads(text.split("STATE=", 1)[1]))
    print(json.dumps({"preloaded": warmkernel._template is not None, "states": states}))
    """
)


def test_a_forked_kernel_starts_as_a_fresh_one_with_nothing_of_the_last(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(PROBE)]
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, str(tmp_path / "nb" / "probe.ipynb"))
    env = {k: v for k, v in os.environ.items() if k != "OSA_WARM_KERNEL"}
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(tmp_path / "nb" / "probe.ipynb"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,  # sys.path[0] of the runner: a fresh kernel has no such entry
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["preloaded"]
    forked, again, stock = result["states"]
    assert forked["comm"] == again["comm"] == "ipykernel"  # forked from the runner, named so
    assert stock["comm"] != "ipykernel"  # OSA_WARM_KERNEL=0: the kernelspec's command
    assert forked["parent_is_runner"] and stock["parent_is_runner"]
    assert not forked["leak"] and not again["leak"] and not stock["leak"]
    for state in (forked, again):
        for key in ("own_session", "cwd", "path", "argv0", "filters", "backend", "env", "sigterm", "flags", "main_ok"):
            assert state[key] == stock[key], key
    assert str(tmp_path) not in forked["path"]


#: Starts a kernel as the tool does in a warm worker, runs a cell that sleeps, interrupts it as
#: JupyterLab's or nbclient's interrupt does (the provisioner signals the kernel's process group).
INTERRUPT = textwrap.dedent(
    """
    import asyncio, json
    import osa_utils.batch.workerprep  # noqa: F401
    from osa_utils.batch import warmkernel

    async def main():
        km = warmkernel.manager_class()(kernel_name="python3")
        await km.start_kernel()
        forked = isinstance(km.provisioner.process, warmkernel.ForkedProcess)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            kc.execute("import time\\nprint('sleeping', flush=True)\\ntime.sleep(60)")
            while True:  # the cell has started
                msg = await kc.get_iopub_msg(timeout=30)
                if msg["msg_type"] == "stream":
                    break
            await km.interrupt_kernel()
            reply = await kc.get_shell_msg(timeout=30)
            for _ in range(20):  # ipykernel aborts what arrives while it clears its queue after an error
                kc.execute("print(6 * 7)")
                answer = await kc.get_shell_msg(timeout=30)
                if answer["content"]["status"] != "aborted":
                    break
                await asyncio.sleep(0.1)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        print(json.dumps({"forked": forked, "status": reply["content"]["status"],
                          "ename": reply["content"].get("ename"), "alive_after": answer["content"]["status"]}))

    asyncio.run(main())
    """
)


def test_a_forked_kernel_is_interrupted_like_a_stock_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "OSA_WARM_KERNEL"}
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPT], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"forked": True, "status": "error", "ename": "KeyboardInterrupt", "alive_after": "ok"}
