"""What the build shows while it runs (:class:`Progress`) and says at the end (:func:`summary`)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict

from .results import BuildResult


class Progress:
    """One line per notebook with state and elapsed time: live on a terminal, plain lines otherwise."""

    def __init__(self, names: list[str], stream=None):
        from rich.console import Console

        self.console = Console(file=stream or sys.stderr, highlight=False, markup=False)
        self.live = None
        self.rows: dict[str, list] = {n: ["waiting", "", None] for n in names}
        if self.console.is_terminal:
            from rich.live import Live

            self.live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
            self.live.start()

    def _table(self):
        from rich.table import Table

        t = Table(show_header=True, header_style="bold", box=None)
        for c in ("notebook", "state", "time", "why"):
            t.add_column(c)
        now = time.perf_counter()
        for name, (state, why, started) in self.rows.items():
            elapsed = (
                f"{now - started:5.1f}s" if state == "running" and started else why.split("|")[-1] if "|" in why else ""
            )
            t.add_row(name, state, elapsed, why.split("|")[0])
        return t

    def update(self, name: str, state: str, why: str = "", duration: float | None = None) -> None:
        started = time.perf_counter() if state == "running" else self.rows[name][2]
        shown = f"{why}|{duration:.1f}s" if duration is not None else why
        self.rows[name] = [state, shown, started]
        if self.live:
            self.live.update(self._table())
        elif state != "running":
            t = f" {duration:.1f}s" if duration is not None else ""
            self.console.print(f"[{state}] {name}{t}  ({why})" if why else f"[{state}] {name}{t}")

    def close(self) -> None:
        if self.live:
            self.live.update(self._table())
            self.live.stop()


def summary(result: BuildResult) -> str:
    ran = sum(r.state == "ran" for r in result.results)
    reused = sum(r.state == "reused" for r in result.results)
    kept = sum(r.state == "kept" for r in result.results)
    failed = [r.name for r in result.failed]
    text = f"{ran} notebook(s) ran, {reused} reused, {len(failed)} failed"
    if failed:  # the names belong to "failed", before any other clause
        text += ": " + ", ".join(failed)
    if kept:
        text += f"; {kept} other chapter(s) kept from the report it updates"
    return text


def results_json(result: BuildResult) -> str:
    return json.dumps([asdict(r) for r in result.results], indent=1)
