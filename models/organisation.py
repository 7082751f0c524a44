"""The organisation using this instance of the portal, and the country profile in force."""
from peewee import CharField, IntegerField

from .base import BaseModel, Prepared, once_per_request
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

        Loaded once per request, since the layout, the locale and the time zone all ask
        for it.
        """
        return once_per_request("organisation", lambda: _FIRST_ORGANISATION.first() or cls.create(name="Opora"))

    @property
    def profile(self):
        """The :class:`~models.jurisdiction.CountryProfile` in force."""
        return profile(self.country)


#: The organisation is read by every request: its query is compiled once.
_FIRST_ORGANISATION = Prepared(lambda: Organisation.select().order_by(Organisation.id).limit(1))
