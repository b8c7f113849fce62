"""Small fixture notebooks for build tests (imported by the test modules)."""

from __future__ import annotations

from pathlib import Path

import nbformat

READS_TECHNOLOGIES = 'from osa_utils.data import load_table\nprint(len(load_table("technologies", data_dir)))'
READS_DIMENSIONS = 'from osa_utils.data import load_table\nprint(len(load_table("dimensions", data_dir)))'


def notebook(path: Path, body: str, params: str = "") -> None:
    """A notebook with a parameters cell (data_dir, x, sleep + *params*) and one code cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    p = nbformat.v4.new_code_cell('data_dir = "../data"\nx = 1\nsleep = 0\n' + params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Fixture {path.stem}"), p, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, str(path))


def two_notebooks(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    notebook(folder / "a_tech.ipynb", READS_TECHNOLOGIES)
    notebook(folder / "b_dims.ipynb", READS_DIMENSIONS)
    return folder


def assigned_names(source: str) -> set[str]:
    """The names a parameters cell assigns, plain (``x = 1``) or annotated (``x: int = 1``), read with
    ast here: independent of osa_utils.batch.plan.declared_parameters, which the tests check."""
    import ast

    names = set()
    for node in ast.parse(source).body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names
