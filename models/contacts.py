"""Assisted contacts between children and their birth families (issue #6)."""

#: The tables of this module, parents first (see models/__init__.py).
MODELS = []
