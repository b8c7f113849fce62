"""Notebook parameters: checked once, at the top of every notebook.

A wrong value stops the notebook at once with :class:`ParameterError`, whose
message names the parameter and the values it accepts. In a notebook its traceback shows the
notebook's cell only, not the frames of ``osa_utils`` that found the problem.

The defaults do not depend on the folder a notebook runs in (papermill and JupyterLab start
kernels wherever they are): ``data_dir=None`` is the data package of the checkout this
``osa_utils`` is installed from (``<repo>/data``), ``figures_dir=None`` is ``<repo>/output``
(git-ignored). Where ``osa_utils`` is not installed from a checkout (a non-editable install),
there is no such default and the message says to pass the parameter.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from . import DEFAULT_DATA_DIR, PROJECT_ROOT, errors

NAME_LANGS = ("en", "zh", "en+zh")
FORMATS = ("png", "svg", "pdf")
DPI_RANGE = (50, 600)


class ParameterError(errors.UsageError, ValueError):
    """A notebook parameter has a value it does not accept.

    In IPython (a notebook's kernel) the traceback is the cells' frames only: the frames of
    ``osa_utils`` that checked the value are the tool's business, the message names the parameter.
    """

    def _render_traceback_(self):  # IPython calls this instead of formatting the whole traceback
        try:
            from types import TracebackType

            from IPython import get_ipython

            shell = get_ipython()
            package = str(Path(__file__).resolve().parent) + os.sep
            kept, tb = [], self.__traceback__
            while tb is not None:
                if not str(Path(tb.tb_frame.f_code.co_filename).resolve()).startswith(package):
                    kept.append(tb)
                tb = tb.tb_next
            if shell is None or not kept:
                raise LookupError
            shown = None  # a new chain of the kept frames; the exception's own traceback stays whole
            for t in reversed(kept):
                shown = TracebackType(shown, t.tb_frame, t.tb_lasti, t.tb_lineno)
            return shell.InteractiveTB.structured_traceback(type(self), self, shown)
        except Exception:  # noqa: BLE001 - never hide the error itself
            import traceback

            return traceback.format_exception_only(type(self), self)


@dataclass(frozen=True)
class Params:
    data_dir: Path
    figures_dir: Path
    formats: tuple[str, ...]
    dpi: int
    name_lang: str


def _name_lang(value) -> str:
    if value not in NAME_LANGS:
        raise ParameterError(
            f"parameter name_lang={value!r} is not allowed; allowed values: " + ", ".join(repr(v) for v in NAME_LANGS)
        )
    return value


def _formats(value) -> tuple[str, ...]:
    if isinstance(value, str):
        fmts = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    elif isinstance(value, (list, tuple)):
        fmts = tuple(str(f).strip().lower() for f in value)
    else:
        fmts = ()
    bad = [f for f in fmts if f not in FORMATS]
    if not fmts or bad:
        raise ParameterError(
            f"parameter formats={value!r} is not allowed; give a comma-separated list of: " + ", ".join(FORMATS)
        )
    return tuple(dict.fromkeys(fmts))


def _dpi(value) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or int(value) != value
        or not DPI_RANGE[0] <= value <= DPI_RANGE[1]
    ):
        raise ParameterError(
            f"parameter dpi={value!r} is not allowed; allowed values: an integer from {DPI_RANGE[0]} to {DPI_RANGE[1]}"
        )
    return int(value)


MATRIX_COLOURS = ("derived", "printed")


def _matrix_colours(value) -> str:
    if value not in MATRIX_COLOURS:
        raise ParameterError(
            f"parameter matrix_colours={value!r} is not allowed; allowed values: "
            + ", ".join(repr(v) for v in MATRIX_COLOURS)
        )
    return value


def _not_a_file(path: Path) -> str:
    """Why *path* (not a file) cannot be read as one: a folder, or no such file."""
    if path.is_dir():
        return f"is a folder, not a file ({path.resolve()})"
    return f"no such file ({path.resolve()})"


def _matrix_user_levels(value):
    """None (no user reading) or the path of an existing file (CSV or .xlsx; its content is checked by
    osa_utils.userlevels.load_user_levels). A relative path is relative to the current folder."""
    import os

    if value is None:
        return None
    if isinstance(value, (str, os.PathLike)) and str(value).strip():
        path = Path(value).expanduser()
        if path.is_file():
            return path
        raise ParameterError(
            f"parameter matrix_user_levels={str(value)!r}: {_not_a_file(path)}; "
            "allowed values: None or the path of a CSV/.xlsx file with one row per dot "
            "(technology_id, dimension_id, level)"
        )
    raise ParameterError(
        f"parameter matrix_user_levels={value!r} is not allowed; allowed values: None or the "
        "path of a CSV/.xlsx file with one row per dot (technology_id, dimension_id, level)"
    )


def _interactive(value) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(f"parameter interactive={value!r} is not allowed; allowed values: True, False")
    return value


def _path_or_none(name: str, what: str, many: bool = False):
    """Check of a parameter naming a user's file: None (the worked example) or a path (or, with
    *many*, a non-empty list of paths). Only the type: whether the file exists is checked in the
    notebook (:func:`input_file`), where a relative path is relative to the kernel's folder."""
    allowed = f"None (the worked example) or the path of {what}" + (" or a list of such paths" if many else "")

    def check(value):
        if value is None or (isinstance(value, (str, os.PathLike)) and str(value).strip()):
            return value
        if (
            many
            and isinstance(value, (list, tuple))
            and value
            and all(isinstance(v, (str, os.PathLike)) and str(v).strip() for v in value)
        ):
            return value
        raise ParameterError(f"parameter {name}={value!r} is not allowed; allowed values: {allowed}")

    return check


def _sheet(name: str):
    def check(value):
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        raise ParameterError(
            f"parameter {name}={value!r} is not allowed; allowed values: None (the first "
            "sheet) or the name of a sheet of the .xlsx form"
        )

    return check


#: The checks of the notebooks' parameters, by name (matrix_colours, matrix_user_levels: notebooks
#: 00 and 01; interactive: 09; assessment_*: new_assessment; app_check_*: tools/app_check). The
#: build runs them on every -p before any kernel starts.
CHECKS = {
    "name_lang": _name_lang,
    "formats": _formats,
    "dpi": _dpi,
    "matrix_colours": _matrix_colours,
    "matrix_user_levels": _matrix_user_levels,
    "interactive": _interactive,
    "assessment_csv": _path_or_none("assessment_csv", "an assessment form (.csv or .xlsx)", many=True),
    "assessment_sheet": _sheet("assessment_sheet"),
    "app_check_form": _path_or_none("app_check_form", "an app-check form (.csv or .xlsx)"),
    "app_check_sheet": _sheet("app_check_sheet"),
}


def check_value(name: str, value):
    """Check one parameter's value (names without a check pass); ParameterError if refused.

    The same checks run in the notebook (:func:`check_params`) and, before any
    kernel starts, in the batch build, so a bad ``-p`` is refused at once.
    """
    check = CHECKS.get(name)
    return check(value) if check else value


#: Where notebooks run by hand (papermill, JupyterLab) write when ``figures_dir`` is None: one
#: git-ignored folder of the checkout, whatever folder the kernel runs in. The build and
#: ``make figures`` always pass their own folder.
DEFAULT_FIGURES_DIR = PROJECT_ROOT / "output"
#: The marker kind of :data:`DEFAULT_FIGURES_DIR` when a notebook made it (osa_utils.outdir.MARKER).
DEFAULT_FIGURES_KIND = "notebook_output"


def is_checkout() -> bool:
    """Whether osa_utils is installed from a checkout of the collection (an editable install): then
    its data package and output folder are the defaults of ``data_dir`` and ``figures_dir``."""
    return (DEFAULT_DATA_DIR / "datapackage.json").is_file() and (PROJECT_ROOT / "notebooks").is_dir()


def _no_checkout(name: str, example: str) -> ParameterError:
    return ParameterError(
        f"parameter {name}=None: this osa_utils is not installed from a checkout of the "
        f"collection ({Path(__file__).resolve().parent}), so there is no default; pass "
        f"{name} (e.g. papermill ... -p {name} {example})"
    )


def _data_dir(value) -> Path:
    if value is None:
        if not is_checkout():
            raise _no_checkout("data_dir", "/path/to/data")
        return DEFAULT_DATA_DIR
    if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
        raise ParameterError(
            f"parameter data_dir={value!r} is not allowed; allowed values: None (the "
            "collection's data/) or a folder with a datapackage.json"
        )
    data = Path(value).expanduser()
    if not (data / "datapackage.json").is_file():
        where = "" if data.is_absolute() else f", relative to the folder the notebook runs in ({Path.cwd()})"
        raise ParameterError(
            f"parameter data_dir={str(value)!r} is not a data package folder (no "
            f"datapackage.json in {data.resolve()}{where}); allowed values: None (the "
            "collection's data/) or a folder like it"
        )
    return data


def _called(name: str, value) -> str:
    """How a message names the value: ``parameter figures_dir='x'``, or ``--out x`` when a command's
    option (the name starts with ``-``) gave it."""
    return f"{name} {value}" if name.startswith("-") else f"parameter {name}={str(value)!r}"


def _protected(path: Path, data_dir=None) -> str | None:
    """Why no notebook may write into *path* (the rule of ``--out``, osa_utils.outdir.protected, for
    the notebook's data folder and the collection's data/; it covers the committed figures/ too), else None."""
    from .outdir import protected

    for data in dict.fromkeys([data_dir, DEFAULT_DATA_DIR]):
        found = protected(path, data)
        if found is not None:
            how, what, where = found
            return f"{how} {what} ({where})"
    return None


def _writable_folder(value, name: str, data_dir=None) -> Path:
    """*value* as a folder the notebook can write: not a protected place (:func:`_protected`), an
    existing writable folder, or one that can be made (tried by making the missing folders and
    removing them again: nothing is left behind). *name* is the parameter (or the option) the
    messages name."""
    if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
        raise ParameterError(
            f"parameter {name}={value!r} is not allowed; allowed values: None (the "
            "collection's output/) or a folder to write figures and tables into"
        )
    path = Path(value).expanduser()
    called = _called(name, value)
    allowed = (
        "choose a folder you can write"
        if name.startswith("-")
        else "allowed values: None (the collection's output/) or a folder you can write"
    )
    why = _protected(path, data_dir)
    if why is not None:
        raise ParameterError(
            f"{called} {why}; nothing was written there; "
            + (
                "choose a folder of its own"
                if name.startswith("-")
                else "allowed values: None (the collection's output/) or a folder of its own"
            )
        )
    if path.exists():
        if not path.is_dir():
            raise ParameterError(f"{called} is a file, not a folder; {allowed}")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ParameterError(f"{called}: the folder is not writable; {allowed}")
        return path
    made = []
    try:
        missing = [path]
        while not missing[-1].parent.exists() and missing[-1].parent != missing[-1]:
            missing.append(missing[-1].parent)
        for folder in reversed(missing):
            folder.mkdir()
            made.append(folder)
    except OSError as exc:
        raise ParameterError(f"{called}: the folder cannot be made ({exc.strerror or exc}); {allowed}") from None
    finally:
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
    return path


def _default_figures_dir(subfolder: str = "") -> Path:
    """:data:`DEFAULT_FIGURES_DIR` (``/subfolder``), made with the tool's marker if missing."""
    if not is_checkout():
        raise _no_checkout("figures_dir", "/path/to/output")
    from .outdir import MARKER, marker_text

    root = DEFAULT_FIGURES_DIR
    try:
        root.mkdir()
    except FileExistsError:
        pass
    except OSError as exc:
        raise ParameterError(
            f"parameter figures_dir=None: the default folder {root} cannot be made "
            f"({exc.strerror or exc}); pass figures_dir"
        ) from None
    else:  # made here: marked as the tool's (`make clean` removes only the notebooks' files in it)
        (root / MARKER).write_text(marker_text(DEFAULT_FIGURES_KIND), encoding="utf-8")
    return _writable_folder(root / subfolder if subfolder else root, "figures_dir")


def check_figures_dir(
    figures_dir=None, output_dir=None, subfolder: str = "", *, data_dir=None, name: str | None = None
) -> Path:
    """The output folder: ``figures_dir``, or its older name ``output_dir`` (tools/app_check,
    new_assessment); None for both is the collection's ``output/`` (``/subfolder``). Never a
    protected place (the data folder *data_dir* or the collection's data/, notebooks/, the committed
    figures/, ...: :func:`_protected`). *name*: what the messages call the folder (``--out`` when a
    command's option gave it); default the parameter's name."""
    if output_dir is not None:
        if figures_dir is not None and str(figures_dir) != str(output_dir):
            raise ParameterError(
                f"parameters figures_dir={str(figures_dir)!r} and output_dir={str(output_dir)!r} "
                "differ; output_dir is the old name of figures_dir: give one of them"
            )
        return _writable_folder(output_dir, name or "output_dir", data_dir)
    if figures_dir is None:
        return _default_figures_dir(subfolder)
    return _writable_folder(figures_dir, name or "figures_dir", data_dir)


def input_file(name: str, value, example: str):
    """A user's file parameter (``assessment_csv``, ``app_check_form``): the path of an existing file
    (a list of them where the parameter takes several); None is the collection's worked example
    ``data/examples/<example>``. ParameterError naming the parameter otherwise."""
    value = check_value(name, value)
    if value is None:
        path = DEFAULT_DATA_DIR / "examples" / example
        if not path.is_file():
            raise _no_checkout(name, "my_form.csv")
        return path
    paths = [value] if isinstance(value, (str, os.PathLike)) else list(value)
    for p in paths:
        path = Path(p).expanduser()
        if not path.is_file():
            raise ParameterError(
                f"parameter {name}={str(p)!r}: {_not_a_file(path)}; allowed values: "
                "None (the worked example) or the path of a form (.csv or .xlsx)"
            )
    return Path(value).expanduser() if isinstance(value, (str, os.PathLike)) else [Path(p).expanduser() for p in value]


def check_params(
    data_dir=None,
    figures_dir=None,
    formats="png,svg",
    dpi=150,
    name_lang="en",
    *,
    output_dir=None,
    subfolder: str = "",
    figures_name: str | None = None,
    **more,
) -> Params:
    """Validate the standard notebook parameters and return them normalized.

    *output_dir* is the old name of *figures_dir*; *subfolder* is the default output's subfolder
    (new_assessment: ``assessment``); *more* are further parameters of the notebook, each checked
    by name (:data:`CHECKS`). The output folder is checked last: its default is made (with the
    tool's marker) only when every other value is good. *figures_name*: what the messages call the
    output folder when a command's option gave it (``--out``).
    """
    name_lang = check_value("name_lang", name_lang)
    fmts = check_value("formats", formats)
    dpi = check_value("dpi", dpi)
    data = _data_dir(data_dir)
    for name, value in more.items():
        check_value(name, value)
    figures = check_figures_dir(figures_dir, output_dir, subfolder, data_dir=data, name=figures_name)
    return Params(data, figures, fmts, dpi, name_lang)
