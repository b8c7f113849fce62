"""Cross-chapter view x9.2, the technology–actor network (osa_utils.plots.network): measured after drawing,
no line crosses a label, no legend overlaps anything, no two lines run as one, in English and with Chinese
names; names are never cut inside a word and a node shows every Chinese name printed for it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from osa_utils import style  # noqa: E402
from osa_utils.figures import legibility_problems, tight_bbox  # noqa: E402
from osa_utils.plots import network as N  # noqa: E402
from osa_utils.plots import network_check  # noqa: E402

LANGS = ["en", "en+zh", "zh"]


def _chapter(tmp_path, data_dir, lang):
    from osa_utils.notebook import Chapter

    return Chapter(data_dir, tmp_path / "out", "png", 50, lang)


def _drawn(ch):
    """The network as the notebook draws it: the figure with its title and source line."""
    g = ch.actor_graph()
    fig = N.actor_network(g, N.layout(g))
    info = ch.info("x9.2")
    style.add_caption(fig, ch._supp_header("x9.2"), info.source_line(["actors", "technologies"]))
    return g, fig


def _organisation(actors):
    return actors["parent_actor_id"].fillna(actors["actor_id"]).astype(str)


@pytest.mark.parametrize("lang", LANGS)
def test_network_nothing_crosses_a_label_or_a_legend(tmp_path, data_dir, lang):
    """On the real data, measured at the resolution the report saves: no line through a label (but its
    own ends'), no legend over anything, no lines on top of each other, text >= 8 pt, <= 10 in wide.
    (The layout before issue #21 fails it: 6G-Huawei through MIIT's label, 6G's lines to MIIT and Huawei
    on top of each other.)"""
    ch = _chapter(tmp_path, data_dir, lang)
    g, fig = _drawn(ch)
    assert N.drawing_problems(fig, 150) == []
    labels, edges, dots, legends = network_check._measure(fig)
    # the check saw everything drawn: every line, every dot, every named actor's label, both legends
    assert len(edges) == g.number_of_edges()
    assert len(dots) == sum(d["kind"] == N.ACTOR for _, d in g.nodes(data=True))
    named = {n for n, d in g.nodes(data=True) if d["kind"] == N.ACTOR and d["chapters"] > 1}
    assert named and named <= {owner for _, owner, _, _ in labels}
    assert len(legends) == 2
    assert legibility_problems(fig, tight_bbox(fig, 150)) == []


def _synthetic():
    """A tiny figure drawn the way actor_network draws: a line a-b, a label of c on it, a label of a."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 3)
    ax.plot([0.5, 3.5], [1.5, 1.5], lw=1, gid=f"{N.EDGE_GID}tech:a|actor:b")
    ax.text(0.5, 1.5, "label of a", ha="center", va="center", gid=f"{N.LABEL_GID}tech:a")
    return fig, ax


def test_drawing_problems_finds_a_crossing_a_legend_and_collinear_lines():
    fig, ax = _synthetic()
    assert N.drawing_problems(fig) == []  # a line may cross the label of its own end
    ax.text(2.0, 1.5, "label of c", ha="center", va="center", gid=f"{N.LABEL_GID}actor:c")
    assert N.drawing_problems(fig) == ["line tech:a–actor:b crosses text 'label of c'"]

    fig, ax = _synthetic()
    ax.plot([1.0, 3.0], [1.5, 1.5], lw=1, gid=f"{N.EDGE_GID}tech:d|actor:e")  # on top of a-b
    assert N.drawing_problems(fig) == ["lines tech:a–actor:b and tech:d–actor:e run on top of each other"]

    fig, ax = _synthetic()
    ax.plot([1.0, 3.0], [2.5, 0.5], lw=1, gid=f"{N.EDGE_GID}tech:d|actor:e")  # crossing a-b: allowed
    assert N.drawing_problems(fig) == []
    ax.legend(
        handles=[matplotlib.lines.Line2D([], [], label="a legend entry")],
        title="Key",
        loc="center",
        bbox_to_anchor=(3.2, 1.5),
        bbox_transform=ax.transData,
    )
    problems = N.drawing_problems(fig)
    assert problems and all(p.startswith("legend 'Key' overlaps line") for p in problems), problems


def test_wrap_label_never_cuts_a_word():
    label = "Ministry of Industry and Information Technology (MIIT) (中华人民共和国工业和信息化部)"
    lines = N.wrap_label(label).splitlines()
    assert " ".join(lines) == label  # wrapped at spaces only
    assert "(中华人民共和国工业和信息化部)" in lines  # a Chinese name that fits a line stays whole
    # where it does not fit, it is cut between characters, and the English words stay whole
    narrow = N.wrap_label(label, 24).splitlines()
    assert narrow[:3] == ["Ministry of Industry and", "Information Technology", "(MIIT)"]
    assert "".join(narrow[3:]) == "(中华人民共和国工业和信息化部)"
    # a word longer than the line stays whole; a run of Chinese characters longer than a line is cut
    assert N.wrap_label("Supercalifragilistic word", 8).splitlines() == ["Supercalifragilistic", "word"]
    assert N.wrap_label("中华人民共和国", 6).splitlines() == ["中华人", "民共和", "国"]


def test_network_en_zh_names_whole_and_every_chinese_name_shown(tmp_path, data_dir, package):
    ch = _chapter(tmp_path, data_dir, "en+zh")
    g, fig = _drawn(ch)
    texts = {t.get_gid(): t.get_text() for t in fig.axes[0].texts if t.get_gid()}
    a = package["actors"].assign(org=_organisation(package["actors"]))
    named = [(n, d) for n, d in g.nodes(data=True) if d["kind"] == N.ACTOR and d["chapters"] > 1]
    assert named
    for n, d in named:
        drawn = texts[N.LABEL_GID + n]
        lines = drawn.splitlines()
        for word in d["label"].split():  # no word cut: each is whole on one line
            assert any(word in line.split() for line in lines), (n, word, drawn)
        printed = a.loc[a["org"] == d["actor_id"], "name_zh"].dropna().unique()
        assert len(printed) >= 1
        for name in printed:  # every Chinese name printed for the node's rows, each whole on one line
            assert any(name in line for line in lines), (n, name, drawn)
    # a merged node with two printed Chinese names shows both (ZTE: 中兴通讯股份有限公司 and 中兴通讯)
    both = [n for n, d in named if len(set(a.loc[a["org"] == d["actor_id"], "name_zh"].dropna())) > 1]
    assert both


def test_network_data_file_lists_every_node_and_line(tmp_path, data_dir, package):
    ch = _chapter(tmp_path, data_dir, "en")
    ch.actor_network("x9.2")
    frame = pd.read_csv(ch.params.figures_dir / "fig-x9-2.csv", keep_default_na=False)
    g = ch.actor_graph()
    assert (frame["mark"] == "node").sum() == g.number_of_nodes()
    assert (frame["mark"] == "line").sum() == g.number_of_edges()
    a = package["actors"].assign(org=_organisation(package["actors"]))
    nodes = frame[frame["kind"] == "actor"].set_index("actor_id")
    assert set(nodes.index) == set(a["org"])
    lines = frame[frame["mark"] == "line"]
    # every actor-table row is behind exactly one line
    assert lines["figure_rows"].str.split("; ").map(len).sum() == len(a)
    pairs = set(zip(a["technology_id"], a["org"]))
    assert set(zip(lines["technology_id"], lines["actor_id"])) == pairs
    huawei = nodes.loc["huawei"]
    assert huawei["label_drawn"] == "Huawei" and huawei["chapters"] == "4"
