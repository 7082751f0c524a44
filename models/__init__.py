"""Models, in dependency order. Schema changes go through ``models/migrations`` only."""
from .audit import AuditEntry
from .base import BaseModel, db, utcnow
from .cases import (
    Case,
    CaseStatus,
    CaseType,
    ExcludedPerson,
    KeyWorkerAssignment,
    Member,
    MemberRole,
    TeamMember,
)
from .conflicts import ConflictDeclaration, ConflictKind
from .notifications import Notification
from .organisation import Organisation
from .people import Person
from .users import LoginFailure, PasswordToken, Role, User

from . import contacts, education, plans  # noqa: E402  (feature areas, after the core)

#: Every table, parents before children (create_tables in tests, schema comparison).
ALL_MODELS = [
    Organisation,
    User,
    LoginFailure,
    PasswordToken,
    AuditEntry,
    Person,
    Case,
    KeyWorkerAssignment,
    TeamMember,
    Member,
    ExcludedPerson,
    ConflictDeclaration,
    Notification,
    # Feature areas list their own tables, parents first.
    *plans.MODELS,
    *education.MODELS,
    *contacts.MODELS,
]

__all__ = [
    "ALL_MODELS",
    "Case",
    "CaseStatus",
    "CaseType",
    "ConflictDeclaration",
    "ConflictKind",
    "ExcludedPerson",
    "KeyWorkerAssignment",
    "Member",
    "MemberRole",
    "Notification",
    "Person",
    "TeamMember",
    "AuditEntry",
    "BaseModel",
    "LoginFailure",
    "Organisation",
    "PasswordToken",
    "Role",
    "User",
    "db",
    "utcnow",
]
