"""Cross-chapter network x9.2, its data: the bipartite technology–actor graph built from the actor tables.

One node per technology and per actor, one edge per (technology, actor) pair of the tables, with the
names each actor is printed under (:func:`node_label`: the name drawn per ``name_lang``) and the
printed priority symbols behind each edge. Nothing here draws; :mod:`.network_layout` places the
nodes and :mod:`.network` draws them.
"""

from __future__ import annotations

import pandas as pd

from .actors import actor_type_group

TECH = "tech"
ACTOR = "actor"
MIXED_GROUP = "differs across chapters"


def tech_node(technology_id: str) -> str:
    return f"{TECH}:{technology_id}"


def actor_node(actor_id: str) -> str:
    return f"{ACTOR}:{actor_id}"


def _symbol(value):
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _printed(value) -> str:
    s = _symbol(value)
    return "" if s is None or s in ("", "<NA>", "nan") else s


def node_label(names_en: tuple[str, ...], names_zh: tuple[str, ...], name_lang: str = "en") -> str:
    """An actor's name as drawn: the first English name ('en'); every printed Chinese name, separated
    by ' / ' ('zh', the English name where none is printed); or both, 'English (中文 / 中文)' ('en+zh')."""
    en = names_en[0] if names_en else ""
    if name_lang == "en" or not names_zh:
        return en
    zh = " / ".join(names_zh)
    return zh if name_lang == "zh" else f"{en} ({zh})"


def actor_graph(actors: pd.DataFrame, technologies: pd.DataFrame, name_lang: str = "en"):
    """The bipartite graph: one node per technology and per actor_id, one edge per actor-table row.

    Nodes are inserted in a sorted order (technologies by printed order, actors by
    actor_id). Technology nodes carry ``label`` (short_label) and ``order``; actor
    nodes carry ``names_en`` and ``names_zh`` (every distinct name printed on the
    node's rows, in table order: the rows that are the actor itself first, then rows
    marked ``unit`` (an optional column: a unit merged into its organisation, whose
    printed names are in the optional columns ``printed_name_en``/``printed_name_zh``)),
    ``label`` (:func:`node_label` per *name_lang*), ``chapters`` (number of
    technologies), ``groups`` (type groups of the printed actor types, this
    collection's reading) and ``group``. Each edge carries ``rows`` (figure, row) and
    ``symbols`` (printed priority, None when the text prints none). A repeated
    (technology, actor) pair keeps one edge with all its rows, so the edge count
    equals the row count exactly when pairs are unique (as in the data).
    """
    import networkx as nx

    techs = technologies.sort_values("order")
    order = dict(zip(techs["technology_id"], techs["order"]))
    a = actors.assign(_t=actors["technology_id"].map(order)).sort_values(["_t", "figure", "row"], kind="stable")
    unit = a["unit"].fillna(False).astype(bool) if "unit" in a.columns else pd.Series(False, index=a.index)
    printed_en = a["printed_name_en"] if "printed_name_en" in a.columns else a["name_en"]
    printed_zh = a["printed_name_zh"] if "printed_name_zh" in a.columns else a["name_zh"]
    g = nx.Graph()
    for t in techs.itertuples():
        g.add_node(
            tech_node(t.technology_id),
            kind=TECH,
            technology_id=t.technology_id,
            label=str(t.short_label),
            order=int(t.order),
        )
    for actor_id in sorted(a["actor_id"].unique()):
        mine = a["actor_id"] == actor_id
        rows = a[mine]
        own, units = mine & ~unit, mine & unit
        names_en = tuple(dict.fromkeys(n for n in map(_printed, list(printed_en[own]) + list(printed_en[units])) if n))
        names_zh = tuple(dict.fromkeys(n for n in map(_printed, list(printed_zh[own]) + list(printed_zh[units])) if n))
        if not own.any():  # only units: the organisation's own names come first (as set on the rows)
            names_en = tuple(dict.fromkeys((_printed(rows["name_en"].iloc[0]),) + names_en))
            first_zh = _printed(rows["name_zh"].iloc[0])
            names_zh = tuple(dict.fromkeys(((first_zh,) if first_zh else ()) + names_zh))
        groups = sorted({actor_type_group(x) for x in rows["actor_type"]})
        g.add_node(
            actor_node(actor_id),
            kind=ACTOR,
            actor_id=actor_id,
            names_en=names_en,
            names_zh=names_zh,
            label=node_label(names_en, names_zh, name_lang),
            chapters=int(rows["technology_id"].nunique()),
            groups=tuple(groups),
            group=groups[0] if len(groups) == 1 else MIXED_GROUP,
        )
    for r in a.itertuples():
        u, v = tech_node(r.technology_id), actor_node(r.actor_id)
        if g.has_edge(u, v):
            g[u][v]["rows"] += ((str(r.figure), int(r.row)),)
            g[u][v]["symbols"] += (_symbol(r.priority_symbol),)
        else:
            g.add_edge(u, v, rows=((str(r.figure), int(r.row)),), symbols=(_symbol(r.priority_symbol),))
    return g


def _edge_symbol(symbols) -> str | None:
    """The strongest printed symbol of an edge (● over ◐ over none)."""
    for s in ("●", "◐"):
        if s in symbols:
            return s
    return None
