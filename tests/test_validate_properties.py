"""Property-based tests of the validator (hypothesis): random structural corruption of a valid
table always yields a located problem (and `osa-report validate` exit 1); random valid edits are
accepted; nothing ever raises."""

from __future__ import annotations

import csv
import io
import shutil
from typing import Literal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from osa_utils import DEFAULT_DATA_DIR
from osa_utils.cli import main
from osa_utils.data import Problem, check, read_descriptor

# Tables with different shapes: no quotes at all; long quoted prose; foreign keys into others.
TABLES = ["threat_levels", "dimensions", "technologies"]
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    d = tmp_path_factory.mktemp("pristine") / "data"
    shutil.copytree(DEFAULT_DATA_DIR, d)
    return d


@pytest.fixture
def work(tmp_path, pristine):
    d = tmp_path / "data"
    shutil.copytree(pristine, d)
    return d


def _records(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))


def _write(rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _assert_located(data, table, original: bytes, corrupted: bytes):
    """The corrupted file gets at least one problem naming the file and a row (or a header
    column), and the CLI exits 1; then the original is restored."""
    path = data / f"{table}.csv"
    path.write_bytes(corrupted)
    try:
        problems = check(data, [table])
        assert problems, f"corruption of {table}.csv accepted:\n{corrupted[:400]!r}"
        assert all(isinstance(p, Problem) for p in problems)
        assert any(p.file == f"{table}.csv" and (p.row is not None or p.column) for p in problems), problems
        assert main(["validate", "--data-dir", str(data)]) == 1
    finally:
        path.write_bytes(original)


CORRUPTIONS = [
    "drop_field",
    "extra_field",
    "truncate_rows",
    "bad_bytes",
    "rename_header",
    "drop_header",
    "open_quote_last_cell",
    "stray_quote",
    "semicolons",
    "empty_file",
]


@SETTINGS
@given(table=st.sampled_from(TABLES), kind=st.sampled_from(CORRUPTIONS), data=st.data())
def test_structural_corruption_is_always_located(work, table, kind, data):
    path = work / f"{table}.csv"
    original = path.read_bytes()
    rows = _records(original)
    header, body = rows[0], rows[1:]
    r = data.draw(st.integers(1, len(body)), label="row")
    c = data.draw(st.integers(0, len(header) - 1), label="column")
    if kind == "drop_field":
        new = [header] + [row[:c] + row[c + 1 :] if i == r - 1 else row for i, row in enumerate(body)]
        corrupted = _write(new)
    elif kind == "extra_field":
        extra = data.draw(st.text(max_size=10), label="extra")
        new = [header] + [row + [extra] if i == r - 1 else row for i, row in enumerate(body)]
        corrupted = _write(new)
    elif kind == "truncate_rows":
        # cut anywhere before the last row starts: at least one whole row is lost
        last_start = len(_write(rows[:-1]))
        cut = data.draw(st.integers(len(_write([header])), last_start - 1), label="cut")
        corrupted = original[:cut]
    elif kind == "bad_bytes":
        pos = data.draw(st.integers(0, len(original)), label="pos")
        bad = data.draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\x80abc"]), label="bytes")
        corrupted = original[:pos] + bad + original[pos:]
    elif kind == "rename_header":
        name = data.draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12), label="name")
        assume(name != header[c])
        corrupted = _write([header[:c] + [name] + header[c + 1 :]] + body)
    elif kind == "drop_header":
        corrupted = _write(body)
    elif kind == "open_quote_last_cell":
        text = original.decode("utf-8").rstrip("\n")
        cut = text.rfind(",") + 1
        corrupted = (text[:cut] + '"' + text[cut:] + "\n").encode("utf-8")
    elif kind == "stray_quote":
        cell = data.draw(st.text(alphabet="abc xyz", min_size=1, max_size=8), label="cell")
        tail = data.draw(st.text(alphabet="abc", min_size=1, max_size=3), label="tail")
        line = ",".join(f'"{cell}"{tail}' if i == c else "x" for i in range(len(header)))
        text = original.decode("utf-8")
        corrupted = (text + line + "\n").encode("utf-8")
    elif kind == "semicolons":
        corrupted = original.replace(b",", b";")
    else:
        corrupted = b""
    assume(corrupted != original)
    _assert_located(work, table, original, corrupted)


# Free-text fields: no type, enum, pattern, key or uniqueness to break.
def _free_text_fields(descriptor, table):
    res = next(r for r in descriptor["resources"] if r["name"] == table)
    keys = set()
    for fk in res["schema"].get("foreignKeys", []):
        keys |= set([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])
    pk = res["schema"].get("primaryKey", [])
    keys |= set([pk] if isinstance(pk, str) else pk)
    return [
        f["name"]
        for f in res["schema"]["fields"]
        if f.get("type", "string") == "string"
        and f["name"] not in keys
        and not f.get("osa:url")
        and not ({"enum", "pattern", "unique", "minLength", "maxLength"} & set(f.get("constraints", {})))
    ]


# Any text a spreadsheet cell may hold, except NUL and CR (the package is LF-only by rule).
_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
CELL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=_SURROGATES, blacklist_characters="\x00\r"), max_size=60
)


@SETTINGS
@given(table=st.sampled_from(TABLES), data=st.data())
def test_valid_edits_are_accepted(work, table, data):
    descriptor = read_descriptor(work)
    fields = _free_text_fields(descriptor, table)
    assume(fields)
    path = work / f"{table}.csv"
    original = path.read_bytes()
    rows = _records(original)
    header = rows[0]
    name = data.draw(st.sampled_from(fields), label="field")
    r = data.draw(st.integers(1, len(rows) - 1), label="row")
    required = (
        next(
            f
            for f in next(x for x in descriptor["resources"] if x["name"] == table)["schema"]["fields"]
            if f["name"] == name
        )
        .get("constraints", {})
        .get("required")
    )
    value = data.draw(CELL_TEXT.filter(lambda s: s.strip()) if required else CELL_TEXT, label="value")
    rows[r][header.index(name)] = value
    path.write_bytes(_write(rows))
    try:
        assert check(work, [table]) == [], f"valid edit refused: {name}={value!r}"
    finally:
        path.write_bytes(original)


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(work, raw):
    """Whatever the bytes, the validator answers with problems (or none), never an exception."""
    path = work / "threat_levels.csv"
    original = path.read_bytes()
    path.write_bytes(raw)
    try:
        problems = check(work, ["threat_levels"])
        assert problems  # four legend rows cannot come from 300 random bytes
    finally:
        path.write_bytes(original)
