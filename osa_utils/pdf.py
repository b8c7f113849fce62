"""The report printed to PDF by headless Chromium (``osa-report build --pdf``): A4 pages with an outline.

Chromium is optional (a Debian package): without it, or when it fails or hangs past
``$OSA_PDF_TIMEOUT`` seconds, :func:`print_pdf` raises :class:`PdfError` with one line, and the HTML
report stands.
"""

from __future__ import annotations

from pathlib import Path

from . import errors


def find_chromium() -> str | None:
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: Seconds Chromium may take to print the report (environment variable OSA_PDF_TIMEOUT overrides
#: it); a hung Chromium is stopped after it.
PDF_TIMEOUT = 120


class PdfError(errors.UsageError, RuntimeError):
    """The PDF cannot be or was not written; str() is the one-line message. A wrong ``$OSA_PDF_TIMEOUT``
    is refused before the build (a usage error, exit 2); a failed print is reported by the build,
    which publishes the HTML report and exits 1."""


def pdf_timeout() -> float:
    """Seconds Chromium may take: $OSA_PDF_TIMEOUT if set (not empty), else PDF_TIMEOUT. A value that
    is not a positive, finite number of seconds is a :class:`PdfError` (``osa-report build --pdf``
    checks it before the build starts: exit 2)."""
    import math
    import os

    text = os.environ.get("OSA_PDF_TIMEOUT", "")
    if not text.strip():
        return float(PDF_TIMEOUT)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise PdfError(
            f"OSA_PDF_TIMEOUT={text!r} is not allowed; allowed values: a positive number of seconds "
            f"Chromium may take to print the PDF, e.g. 300 (unset: {PDF_TIMEOUT})"
        )
    return value


def _is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False


def print_pdf(index: Path, pdf: Path, timeout: float | None = None) -> str:
    """Print the report to *pdf* (A4, with a document outline of its headings) with headless Chromium.

    Returns the message to print; raises :class:`PdfError` with a one-line message when no PDF is
    written: no Chromium, Chromium failed, or it did not finish within *timeout* seconds (then
    Chromium and every process it started are killed: it runs in a process group of its own).
    The PDF is written beside *pdf* under a temporary name and renamed into place only when whole,
    so *pdf* is either the complete new PDF or left as it was.
    """
    import contextlib
    import os
    import shutil
    import signal
    import subprocess
    import tempfile

    pdf = Path(pdf)
    if timeout is None:
        timeout = pdf_timeout()
    exe = find_chromium()
    if exe is None:
        raise PdfError(
            f"PDF not written: no Chromium found (Debian: apt-get install chromium); the HTML report was built: {index}"
        )
    with tempfile.TemporaryDirectory(prefix="osa-pdf-") as work:
        printed = Path(work) / "report.pdf"
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",
            f"--print-to-pdf={printed}",
            Path(index).resolve().as_uri(),
        ]
        with open(Path(work) / "chromium.log", "wb") as log:
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
            except OSError as exc:
                raise PdfError(
                    f"PDF not written: cannot start Chromium ({exe}): {exc.strerror or exc}; the HTML "
                    f"report was built: {index}"
                ) from None
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                rc = None
            finally:  # also on Ctrl-C: no Chromium process outlives the call
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if rc is None:
            raise PdfError(
                f"PDF not written: Chromium did not finish within {timeout:g} s and was stopped; the "
                f"HTML report was built: {index}"
            )
        if rc != 0 or not _is_pdf(printed):
            raise PdfError(
                f"PDF not written: Chromium ({exe}) exited with {rc} without writing a PDF; the HTML "
                f"report was built: {index}"
            )
        tmp = pdf.with_name(f".{pdf.name}.tmp-{os.getpid()}")
        try:
            shutil.copyfile(printed, tmp)
            os.replace(tmp, pdf)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise PdfError(
                f"PDF not written: cannot write {pdf}: {exc.strerror or exc}; the HTML report was built: {index}"
            ) from None
    return f"PDF written to {pdf}"
