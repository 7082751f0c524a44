"""Individual education plans and training events (issue #5)."""

#: The tables of this module, parents first (see models/__init__.py).
MODELS = []
