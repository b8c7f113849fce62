"""Chart families, one module each (split by job where one would pass 500 lines): matrix, risk, actors,
diagrams, profiles, checklist, panel, timeline, keyfigures (with keyfig_base, keyfig_labels, keyfig_box1)
and network (with network_graph, network_layout, network_check).

Every function takes DataFrames and returns a matplotlib Figure without caption;
:mod:`osa_utils.notebook` adds the caption and source line and saves it.
"""
