"""The organisation using this instance of the portal, and the country profile in force."""
from flask import g, has_app_context
from peewee import CharField, IntegerField

from .base import BaseModel, Prepared
from .jurisdiction import profile


class Organisation(BaseModel):
    """The single organisation this instance serves (one row)."""

    name = CharField(max_length=200)
    country = CharField(max_length=2, default="cz")  # key of jurisdiction.PROFILES
    default_language = CharField(max_length=5, default="cs")
    timezone = CharField(max_length=40, default="Europe/Prague")
    # Incremented on every save; a form carries the value it was loaded with so that a
    # second administrator's stale save is detected instead of overwriting the first.
    version = IntegerField(default=1)

    @classmethod
    def current(cls):
        """The organisation row, created with neutral defaults on first use.

        Cached for the length of a request, since the layout, the locale and the time zone
        all ask for it.
        """
        cached = g.get("organisation") if has_app_context() else None
        if cached is not None:
            return cached
        org = _FIRST_ORGANISATION.first()
        if org is None:
            org = cls.create(name="Opora")
        if has_app_context():
            g.organisation = org
        return org

    @property
    def profile(self):
        """The :class:`~models.jurisdiction.CountryProfile` in force."""
        return profile(self.country)


#: The organisation is read by every request: its query is compiled once.
_FIRST_ORGANISATION = Prepared(lambda: Organisation.select().order_by(Organisation.id).limit(1))
