"""JupyterLab as `make lab` starts it, driven by clicks and keys in Chromium (issue #19).

One Lab server for the module, on a scratch copy of the repository (a git repository of its own,
so `git status` there says what a visit changed and the developer's tree is never touched):
- a visit (open three notebooks, run them, save) leaves `git status` clean, lists one entry per
  notebook, and shows no news pop-up and no "Select Kernel" dialog;
- the what-if explorer of 09_cross_chapter redraws a non-blank image after every change of every
  control, with no error output.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import chromium_or_skip

from osa_utils import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("lab")]
TOKEN = "osa-lab-test"
# Generous: they only matter when something is broken (a loaded 2-core machine is slow).
SERVER_START, RUN_ALL, REDRAW = 180, 300, 120
#: Notebooks of the visit (cheap ones, and 09 whose explorer the other test drives).
VISITED = ["01_introduction.ipynb", "08_ai_ethics.ipynb", "09_cross_chapter.ipynb"]
#: A redraw counts as blank below this grey-level variance (a drawn chart is in the thousands).
MIN_VARIANCE = 100.0


def _copy_repo(dst: Path) -> Path:
    """The tracked and untracked-but-not-ignored files of the working tree, committed in a new repo."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        src = PROJECT_ROOT / name
        if src.is_file():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=dst, check=True)
    subprocess.run(git + ["add", "-A"], cwd=dst, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "scratch"], cwd=dst, check=True)
    return dst


def _lab_command(repo: Path) -> list[str]:
    """The command `make lab` runs (make -n, with this test's venv), its config path in the scratch copy."""
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_CONFIG_PATH", "MAKEFLAGS", "MFLAGS")}
    dry = (
        subprocess.run(
            ["make", "-n", "-s", "lab", f"VENV={sys.prefix}"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        .stdout.strip()
        .splitlines()
    )
    cmd = shlex.split(dry[-1])
    config = [i for i, a in enumerate(cmd) if a.startswith("JUPYTER_CONFIG_PATH=")]
    assert cmd[0] == "env" and config and "lab" in cmd, f"`make -n lab` ends with: {dry[-1]}"
    cmd[config[0]] = cmd[config[0]].replace(str(PROJECT_ROOT), str(repo))
    return cmd


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    exe = chromium_or_skip("to drive JupyterLab with")
    tmp = tmp_path_factory.mktemp("lab")
    repo = _copy_repo(tmp / "repo")
    cmd = _lab_command(repo)
    runtime, log = tmp / "runtime", tmp / "lab.log"
    # Lab's own state (workspaces, user settings, the news answer) in the test's folders, not ~/.jupyter
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTER_CONFIG_DIR": str(tmp / "user-config"),
        "JUPYTER_DATA_DIR": str(tmp / "user-data"),
    }
    env.pop("JUPYTER_CONFIG_PATH", None)
    # the kernels import osa_utils of the scratch copy (before the editable install's), so its data/
    # and output/ are the copy's: the visit writes nothing into the developer's checkout
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))
    args = cmd + [
        "--no-browser",
        "--port=0",
        "--ServerApp.port_retries=0",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(args, cwd=repo, stdout=out, stderr=subprocess.STDOUT, env=env)
    # the server's pid is jupyter's (env execs it), so its jpserver-PID.json names the port it chose
    info, deadline, url = runtime / f"jpserver-{proc.pid}.json", time.time() + SERVER_START, None
    while url is None:
        try:
            url = f"http://127.0.0.1:{json.loads(info.read_text())['port']}/lab?token={TOKEN}"
        except (OSError, ValueError):
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"JupyterLab did not start within {SERVER_START} s\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
    from playwright.sync_api import sync_playwright

    from osa_utils.pdf import CHROMIUM_FLAGS

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(url)
            page.wait_for_selector(".jp-DirListing-item", timeout=SERVER_START * 1000)
            yield page, repo, log
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _panel(page):
    return page.locator(".jp-NotebookPanel:visible")


IDLE = ".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator[data-status='idle']"


def _open(page, name: str):
    """Open *name* by a double click in the file browser; its kernel must start without a dialog."""
    page.locator(".jp-DirListing-item", has_text=name).dblclick()
    page.wait_for_selector(".jp-NotebookPanel:visible .jp-CodeCell")
    page.wait_for_selector(f"{IDLE}, .jp-Dialog", timeout=SERVER_START * 1000)
    dialogs = page.locator(".jp-Dialog").all_inner_texts()
    assert dialogs == [], f"a dialog opened with {name}: {dialogs}"


def _run_all(page, log: Path):
    """Run all cells from the Run menu, and wait until every code cell shows an execution count.

    Lab may replace the kernel it started for a notebook just opened (seen in the suite: "Kernel
    started", "Kernel shutdown" 0.1 s later, another started); cells queued meanwhile are dropped
    and their prompts go back to "[ ]" with nothing running. Then the cells are run again (up to
    three times in all): the test is about what a visit leaves behind, not Lab's start-up race."""
    prompts = """() => {
        const p = [...document.querySelectorAll('.jp-NotebookPanel')].find(e => e.offsetParent !== null);
        return [...p.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
    }"""
    deadline, clicks, state = time.time() + RUN_ALL, 0, []
    last_click = quiet_since = 0.0
    before = page.evaluate(prompts)  # a notebook still open from an earlier run shows its counts
    while time.time() < deadline:
        state = page.evaluate(prompts)
        if clicks and state != before and all(re.fullmatch(r"\[\d+\]:", t) for t in state):
            page.wait_for_selector(IDLE)
            return
        busy = any(t == "[*]:" for t in state)
        quiet_since = 0.0 if busy else (quiet_since or time.time())
        if clicks == 0 or (clicks < 3 and not busy and time.time() - max(last_click, quiet_since) > 15):
            _panel(page).locator(".jp-Cell .jp-InputPrompt").first.click()  # the notebook gets the focus
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
            clicks, last_click = clicks + 1, time.time()
        time.sleep(0.5)
    pytest.fail(
        f"Run All ({clicks} click(s)) did not finish within {RUN_ALL} s; prompts: {state}"
        f"\n--- Lab log (end) ---\n{log.read_text(errors='replace')[-3000:]}"
    )


def _errors(scope) -> list[str]:
    return scope.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()


def _variance(png: bytes) -> float:
    import numpy as np
    from PIL import Image

    return float(np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float).var())


def test_a_visit_leaves_the_tree_clean_and_lists_each_notebook_once(lab):
    page, repo, log = lab
    listed = page.locator(".jp-DirListing-itemText").all_inner_texts()
    assert "09_cross_chapter.ipynb" in listed
    assert [n for n in listed if n.endswith(".py")] == [], "the .py twins are listed beside the notebooks"
    assert len(listed) == len(set(listed)), f"an entry is listed twice: {listed}"
    for name in VISITED:
        path = repo / "notebooks" / name
        before = path.stat().st_mtime_ns
        _open(page, name)
        _run_all(page, log)
        assert _errors(_panel(page)) == [], name
        page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Save Notebook", exact=True).click()
        deadline = time.time() + 60
        while path.stat().st_mtime_ns == before:  # saved, else the check below would prove nothing
            assert time.time() < deadline, f"{name} was not saved"
            time.sleep(0.2)
    page.wait_for_timeout(1000)  # the last save's .py twin
    assert page.get_by_text("Jupyter news").count() == 0, "the news pop-up is shown"
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    diff = subprocess.run(["git", "diff", "--stat"], cwd=repo, capture_output=True, text=True).stdout
    assert status == "", f"a visit changed the tree:\n{status}\n{diff}"
    # the notebooks ran on the scratch copy: their figures are in its (git-ignored) output/
    assert list((repo / "output").glob("fig-*.png")), "the kernels did not use the scratch copy's osa_utils"


def test_explorer_redraws_a_chart_after_every_change(lab):
    page, repo, log = lab
    _open(page, "09_cross_chapter.ipynb")
    panel = _panel(page)
    # interactive = True: a line typed at the end of the parameters cell
    panel.locator(".jp-CodeCell").first.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\ninteractive = True")
    page.keyboard.press("Escape")
    _run_all(page, log)
    out = panel.locator(".widget-output").first
    out.locator("img").first.wait_for()
    selects = panel.locator(".widget-select-multiple select")
    techs, dims = selects.nth(0), selects.nth(1)
    challenge = panel.locator(".widget-dropdown select").first
    readout = panel.locator(".widget-slider .widget-readout").first
    n_challenges = challenge.locator("option").count()

    def slider(to: str):
        """Type another importance into the slider's readout: "low" 1 (3 where it is 1), "high" 4 (2 where 4)."""
        now = int(readout.inner_text())
        value = {"low": 3 if now == 1 else 1, "high": 2 if now == 4 else 4}[to]
        readout.click()
        page.keyboard.press("Control+a")
        page.keyboard.type(str(value))
        page.keyboard.press("Enter")

    # technologies by index: 0 chip design, 1 6G, 2 blockchain, 3 e-CNY (no risk table), 4 V2X, ...
    changes = [
        ("technologies 6G, blockchain", lambda: techs.select_option(index=[1, 2])),
        ("technologies chip design, V2X, smart cities", lambda: techs.select_option(index=[0, 4, 5])),
        ("dimensions 1, 3", lambda: dims.select_option(index=[0, 2])),
        ("dimensions all", lambda: dims.select_option(index=[0, 1, 2, 3])),
        ("technologies all", lambda: techs.select_option(index=list(range(7)))),
    ]
    for i in (3, 4, n_challenges // 2, 1):
        changes.append((f"challenge {i}", functools.partial(challenge.select_option, index=i)))
        for to in ("low", "high"):
            changes.append((f"challenge {i}, importance {to}", functools.partial(slider, to)))
    changes.append(("importance low again", lambda: slider("low")))
    blank = []
    for label, change in changes:
        before = out.locator("img").evaluate_all("imgs => imgs.map(i => i.src)")
        change()
        # the redraw is in when the images differ from before and the kernel is idle
        page.wait_for_function(
            """([el, before]) => {
            const now = [...el.querySelectorAll('img')].map(i => i.src);
            return now.length > 0 && JSON.stringify(now) !== JSON.stringify(before) &&
                   [...now].every((_, k) => el.querySelectorAll('img')[k].complete);
        }""",
            arg=[out.element_handle(), before],
            timeout=REDRAW * 1000,
        )
        page.wait_for_selector(IDLE)
        imgs = out.locator("img")
        assert imgs.count() == 2, f"{label}: {imgs.count()} images, expected the matrix and the heat map"
        for k in range(imgs.count()):
            v = _variance(imgs.nth(k).screenshot())
            if v < MIN_VARIANCE:
                blank.append(f"{label}: image {k + 1} is blank (grey-level variance {v:.1f})")
        assert _errors(out) == [], f"{label}: error output {_errors(out)}"
    assert blank == []
    assert _errors(panel) == []
