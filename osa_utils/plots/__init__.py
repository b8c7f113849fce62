"""Chart families, one module each: matrix, risk, actors, diagrams, keyfigures, timeline, network.

Every function takes DataFrames and returns a matplotlib Figure without caption;
:mod:`osa_utils.notebook` adds the caption and source line and saves it.
"""
