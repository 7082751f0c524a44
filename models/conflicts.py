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

    @classmethod
    def at_stake_query(cls):
        """Declarations joined to the open cases they endanger: cases in which the declared
        person is a member and the declarer is key worker or on the team."""
        from peewee import JOIN

        from .cases import Case, CaseStatus, Member, TeamMember

        return (
            cls.select()
            .join(Member, on=(Member.person == cls.person))
            .join(Case, on=(Member.case == Case.id))
            .join(
                TeamMember,
                JOIN.LEFT_OUTER,
                on=((TeamMember.case == Case.id) & (TeamMember.user == cls.user)),
            )
            .where(
                (Case.status != CaseStatus.CLOSED)
                & ((Case.key_worker == cls.user) | TeamMember.id.is_null(False))
            )
        )

    @classmethod
    def cases_at_stake(cls, declarations):
        """{declaration id: [open cases]} that an administrator should hand over because of
        each declaration (see :meth:`at_stake_query`). One query for any number of them."""
        from .cases import Case

        ids = [d.id for d in declarations]
        result = {i: [] for i in ids}
        if not ids:
            return result
        rows = (
            cls.at_stake_query()
            .select(cls.id.alias("declaration_id"), Case)
            .where(cls.id.in_(ids))
            .distinct()
            .order_by(Case.search_name, Case.id)
            .objects(Case)
        )
        for case in rows:
            result[case.declaration_id].append(case)
        return result
