"""Models, in dependency order. Schema changes go through ``models/migrations`` only."""
from .audit import AuditEntry
from .base import BaseModel, db, utcnow
from .organisation import Organisation
from .users import LoginFailure, PasswordToken, Role, User

#: Every table, parents before children (create_tables in tests, schema comparison).
ALL_MODELS = [Organisation, User, LoginFailure, PasswordToken, AuditEntry]

__all__ = [
    "ALL_MODELS",
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
