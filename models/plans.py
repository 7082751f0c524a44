"""Care plans (issue #4): goals, actions, reviews and approved versions."""

#: The tables of this module, parents first (see models/__init__.py).
MODELS = []
