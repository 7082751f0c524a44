"""Panels that feature areas contribute to pages they do not own.

The case page, the staff home and the caregiver home show a section for each feature (care
plan, education, contacts). Rather than each feature editing those views, a feature
registers a :class:`Panel` here when its blueprint module is imported; the owning view calls
:func:`collect` and its template includes each panel's template with the loaded data as
``panel``. A loader returns ``None`` to show nothing. Loaders must run a fixed number of
queries (no query per row), so a page's query count does not grow with the organisation.
"""
from dataclasses import dataclass
from typing import Callable

#: Where panels can go.
CASE = "case"  # loader(case, user) -> data; the case page (staff)
STAFF_HOME = "staff_home"  # loader(user) -> data; the staff home page
CAREGIVER_HOME = "caregiver_home"  # loader(user) -> data; "My family" (caregivers)

SLOTS = (CASE, STAFF_HOME, CAREGIVER_HOME)


@dataclass(frozen=True)
class Panel:
    """One feature's section on a page: its template, loader and place in the order."""

    name: str
    template: str
    loader: Callable
    order: int = 100
    #: For the case page: the label of the link in the section menu (lazy string) and the
    #: anchor it points to; None for no link.
    link_label: object = None
    anchor: str | None = None


@dataclass(frozen=True)
class Loaded:
    """A panel with the data its loader returned, as the template receives it."""

    panel: Panel
    data: object

    @property
    def template(self):
        return self.panel.template


_REGISTRY = {slot: [] for slot in SLOTS}


def register(slot, panel):
    """Add ``panel`` to ``slot`` (once per name; re-registering replaces it)."""
    if slot not in _REGISTRY:
        raise ValueError(slot)
    entries = [p for p in _REGISTRY[slot] if p.name != panel.name]
    entries.append(panel)
    entries.sort(key=lambda p: (p.order, p.name))
    _REGISTRY[slot] = entries


def panels(slot):
    """The panels registered for ``slot``, in order."""
    return list(_REGISTRY[slot])


def collect(slot, *args):
    """Run each panel's loader for ``slot``; the panels that have something to show."""
    loaded = []
    for panel in _REGISTRY[slot]:
        data = panel.loader(*args)
        if data is not None:
            loaded.append(Loaded(panel, data))
    return loaded
