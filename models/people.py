"""People: anyone the organisation keeps a record of (caregivers, children, relatives …).

One person may appear in several cases in different roles; the roles live on
:class:`models.cases.Member`.
"""
import datetime

from peewee import CharField, DateField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel
from .text import fold
from .users import User


class Person(BaseModel):
    """A person with their contact details and staff-only notes."""

    first_name = CharField(max_length=100)
    last_name = CharField(max_length=100)
    date_of_birth = DateField(null=True)
    phone = CharField(max_length=40, default="")
    email = CharField(max_length=254, default="")
    address = TextField(default="")
    staff_notes = TextField(default="")  # never shown to caregivers
    # Folded "last first" for search as you type, indexed.
    search_name = CharField(max_length=220, index=True, default="")
    # The caregiver's own account, once invited (a person has at most one).
    account = ForeignKeyField(User, null=True, unique=True, backref="persons", on_delete="SET NULL")
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("last_name", "first_name"), False),)

    def save(self, *args, **kwargs):
        self.search_name = fold(f"{self.last_name} {self.first_name}")
        return super().save(*args, **kwargs)

    def save_if_version(self, expected):
        # The versioned save writes the row directly: keep the search key in step too.
        self.search_name = fold(f"{self.last_name} {self.first_name}")
        return super().save_if_version(expected)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def for_account(cls, user):
        """The person record linked to a caregiver's account, or None."""
        return cls.get_or_none(cls.account == user)

    def age(self, today=None):
        """Age in whole years today (None without a date of birth)."""
        if not self.date_of_birth:
            return None
        today = today or datetime.date.today()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @classmethod
    def possible_duplicates(cls, first_name, last_name, date_of_birth, exclude_id=None):
        """People with the same name (ignoring case and diacritics) and date of birth."""
        # Names are stored trimmed (views.forms.copy_fields): compare them trimmed too.
        key = fold(f"{(last_name or '').strip()} {(first_name or '').strip()}")
        query = cls.select().where(cls.search_name == key)
        if date_of_birth:
            query = query.where((cls.date_of_birth == date_of_birth) | cls.date_of_birth.is_null())
        if exclude_id:
            query = query.where(cls.id != exclude_id)
        return query.limit(10)
