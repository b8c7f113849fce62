"""Notebook-facing methods beyond the core, one mixin per family (see osa_utils.notebook.Chapter)."""
