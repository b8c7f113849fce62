"""Notebook-facing methods, one mixin per family of outputs, each standing on :class:`base.Base`
(parameters, data access, showing and saving); :class:`osa_utils.notebook.Chapter` combines them."""
