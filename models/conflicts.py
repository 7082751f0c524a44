"""Conflict-of-interest declarations of staff members."""
import datetime
import enum

from peewee import CharField, DateField, ForeignKeyField, TextField

from .base import BaseModel
from .people import Person
from .users import User


class ConflictKind(enum.StrEnum):
    FAMILY = "family"
    PERSONAL = "personal"
    WORKING = "working"
    PROPERTY = "property"


class ConflictDeclaration(BaseModel):
    """A staff member declares a relationship with a person: they may then not be key
    worker or team member of a case in which that person is a member."""

    user = ForeignKeyField(User, backref="conflicts", on_delete="CASCADE", index=True)
    person = ForeignKeyField(Person, backref="conflicts", on_delete="CASCADE", index=True)
    kind = CharField(max_length=20)
    note = TextField(default="")
    declared_on = DateField(default=datetime.date.today)

    @classmethod
    def blocking(cls, user, case):
        """Declarations of ``user`` about any member of ``case`` (empty: no conflict)."""
        from .cases import Member

        return list(
            cls.select(cls, Person)
            .join(Person)
            .where(
                (cls.user == user)
                & cls.person.in_(Member.select(Member.person).where(Member.case == case))
            )
        )

    @classmethod
    def blocking_person(cls, person, case):
        """Declarations by staff of ``case`` (key worker or team) about ``person``."""
        from .cases import TeamMember

        staff = [case.key_worker_id] if case.key_worker_id else []
        staff += [t.user_id for t in TeamMember.select(TeamMember.user).where(TeamMember.case == case)]
        if not staff:
            return []
        return list(cls.select(cls, User).join(User).where((cls.person == person) & cls.user.in_(staff)))
