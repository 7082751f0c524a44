"""Cases: the families the organisation works with, their members and their team."""
import datetime
import enum

from peewee import (
    BooleanField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from .base import BaseModel
from .people import Person
from .text import fold
from .users import User


class CaseType(enum.StrEnum):
    """Kinds of case; which ones an organisation offers comes from its country profile."""

    CZ_FOSTER = "cz_foster"  # foster family under a dohoda o výkonu pěstounské péče
    PL_ASSISTANT = "pl_assistant"  # family under a family assistant (asystent rodziny)
    PL_FOSTER = "pl_foster"  # foster family under a coordinator (koordynator)


CASE_TYPES_BY_COUNTRY = {
    "cz": (CaseType.CZ_FOSTER,),
    "pl": (CaseType.PL_ASSISTANT, CaseType.PL_FOSTER),
}

#: The legal system a kind of case belongs to.
COUNTRY_OF_CASE_TYPE = {t: country for country, types in CASE_TYPES_BY_COUNTRY.items() for t in types}


def case_profile(case_type):
    """The country profile whose rules govern a case of ``case_type``.

    The rules of a family (education hours, the plan's required fields, review intervals)
    follow the law its agreement is under, which the kind of case names; the
    organisation's own country is the fallback for an unknown kind.
    """
    from .jurisdiction import profile
    from .organisation import Organisation

    country = COUNTRY_OF_CASE_TYPE.get(case_type)
    return profile(country) if country else Organisation.current().profile


class CaseStatus(enum.StrEnum):
    ACTIVE = "active"
    MONITORING = "monitoring"  # after closure, until monitoring_until
    CLOSED = "closed"


class MemberRole(enum.StrEnum):
    CAREGIVER = "caregiver"
    CHILD = "child"
    BIRTH_PARENT = "birth_parent"
    RELATIVE = "relative"  # relatives and close persons of a child
    HOUSEHOLD = "household"


#: An active case has at most this many caregivers (one carer or a couple).
MAX_CAREGIVERS = 2


class Case(BaseModel):
    """A family the organisation works with."""

    name = CharField(max_length=200)
    search_name = CharField(max_length=200, index=True, default="")
    case_type = CharField(max_length=20, index=True)
    # No index of its own: three values, most cases active; it misled the query planner
    # away from the key worker's and the members' indexes (migration 0007).
    status = CharField(max_length=20, default=CaseStatus.ACTIVE)
    opened_on = DateField(default=datetime.date.today)
    closed_on = DateField(null=True)
    monitoring_until = DateField(null=True)
    # Czech foster-care agreement (dohoda o výkonu pěstounské péče).
    agreement_date = DateField(null=True)
    # Agreements signed before 2025 keep the old rules unless the parties switched.
    new_rules = BooleanField(default=True)
    # Mediated care (zprostředkovaná) or non-mediated, typically kinship (nezprostředkovaná).
    mediated = BooleanField(default=True)
    # Polish family assistance: the family's consent and the director's approval.
    consent_date = DateField(null=True)
    referral_approved_on = DateField(null=True)
    key_worker = ForeignKeyField(User, null=True, backref="key_cases", on_delete="SET NULL", index=True)
    notes = TextField(default="")  # staff only
    version = IntegerField(default=1)

    class Meta:
        table_name = "family_case"  # "case" is an SQL keyword

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        return super().save(*args, **kwargs)

    def save_if_version(self, expected):
        # The versioned save writes the row directly: keep the search key in step too.
        self.search_name = fold(self.name)
        return super().save_if_version(expected)

    @property
    def profile(self):
        """The country profile that governs this family (see :func:`case_profile`)."""
        return case_profile(self.case_type)

    @property
    def country(self):
        return self.profile.code

    @property
    def is_open(self):
        return self.status in (CaseStatus.ACTIVE, CaseStatus.MONITORING)

    def members_by_role(self, role):
        return [m for m in self.members if m.role == role]

    @classmethod
    def active_count_for(cls, user):
        """Active cases where ``user`` is the key worker (the caseload that counts)."""
        return cls.select().where((cls.key_worker == user) & (cls.status == CaseStatus.ACTIVE)).count()

    @classmethod
    def caseloads(cls):
        """{user_id: active cases as key worker} for every staff member, in one query."""
        rows = (
            cls.select(cls.key_worker, fn.COUNT(cls.id).alias("n"))
            .where(cls.status == CaseStatus.ACTIVE)
            .group_by(cls.key_worker)
            .tuples()
        )
        return {user_id: n for user_id, n in rows if user_id}


class KeyWorkerAssignment(BaseModel):
    """The history of hand-overs: who was key worker from when to when."""

    case = ForeignKeyField(Case, backref="key_worker_history", on_delete="CASCADE", index=True)
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    started_on = DateField(default=datetime.date.today)
    ended_on = DateField(null=True)
    assigned_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # Set when an administrator assigned it above the country's caseload limit.
    override_reason = TextField(default="")


class TeamMember(BaseModel):
    """Other staff on the case's team."""

    case = ForeignKeyField(Case, backref="team", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="team_memberships", on_delete="CASCADE", index=True)

    class Meta:
        indexes = ((("case", "user"), True),)


class Member(BaseModel):
    """A person's role in a case."""

    case = ForeignKeyField(Case, backref="members", on_delete="CASCADE", index=True)
    person = ForeignKeyField(Person, backref="memberships", on_delete="CASCADE", index=True)
    # No index of its own: a handful of values; it misled the query planner away from the
    # person's or the case's index (migration 0006).
    role = CharField(max_length=20)
    # For relatives, close persons and birth parents: which child and how related.
    child = ForeignKeyField("self", null=True, backref="relatives", on_delete="CASCADE")
    relation = CharField(max_length=100, default="")
    placed_on = DateField(null=True)  # children: since when placed in the family
    # Children: contact restrictions ordered by a court or the OSPOD.
    restriction_text = TextField(default="")
    restriction_source = CharField(max_length=200, default="")
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("case", "person", "role"), True),)


class ExcludedPerson(BaseModel):
    """A person who may not be present at a child's contacts (court or OSPOD order)."""

    child = ForeignKeyField(Member, backref="excluded_persons", on_delete="CASCADE")
    person = ForeignKeyField(Person, backref="+", on_delete="CASCADE")

    class Meta:
        indexes = ((("child", "person"), True),)
