"""Accounts, roles, sign-in throttling and one-time password links."""
import datetime
import enum
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from .base import BaseModel, utcnow

# Argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# A hash of a random password, verified when the e-mail is unknown so that a failed
# sign-in takes the same time whether or not the account exists.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class Role(enum.StrEnum):
    """What an account may do; the checks themselves live in ``views/permissions.py``."""

    ADMIN = "admin"
    STAFF = "staff"
    CAREGIVER = "caregiver"


class User(UserMixin, BaseModel):
    """A person who signs in: an administrator, a staff member or a caregiver."""

    email = CharField(max_length=254, unique=True)  # stored lower-cased
    full_name = CharField(max_length=200)
    role = CharField(max_length=20, choices=[(r.value, r.value) for r in Role], index=True)
    password_hash = CharField(max_length=255, null=True)
    active = BooleanField(default=True)
    language = CharField(max_length=5, null=True)  # None: follow the browser
    text_size = IntegerField(default=0)  # steps from the default size, -1 .. 3
    last_login_at = DateTimeField(null=True)
    # Set when an administrator gives out a temporary password: the user must choose
    # their own before doing anything else.
    must_change_password = BooleanField(default=False)
    # Staff: a phone number caregivers see for their key worker.
    phone = CharField(max_length=40, default="")
    # Staff: an administrator may grant reading rights to every case.
    can_read_all_cases = BooleanField(default=False)
    # Part of the session identity: changing it (new password, deactivation) signs the
    # account out everywhere.
    session_token = CharField(max_length=64, default=lambda: secrets.token_hex(16))

    TEXT_SIZE_MIN = -1
    TEXT_SIZE_MAX = 3

    def get_id(self):
        """Flask-Login identity: the id plus the session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self):
        return self.active

    def set_password(self, password):
        """Hash and store a new password; other sessions of this account end."""
        self.password_hash = _hasher.hash(password)
        self.session_token = secrets.token_hex(16)
        self.must_change_password = False

    def check_password(self, password):
        """True when ``password`` matches; rehashes when the parameters have changed."""
        if not self.password_hash:
            _verify_dummy(password)
            return False
        try:
            _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(self.password_hash):
            self.password_hash = _hasher.hash(password)
            self.save(only=[User.password_hash])
        return True

    @property
    def role_enum(self):
        return Role(self.role)

    @classmethod
    def by_email(cls, email):
        """The account with this e-mail (case-insensitive), or None."""
        return cls.get_or_none(cls.email == normalise_email(email))


def normalise_email(email):
    """E-mails are compared and stored lower-cased and trimmed."""
    return (email or "").strip().lower()


def _verify_dummy(password):
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass


def verify_unknown(password):
    """Spend the time a real verification takes (for unknown e-mails)."""
    _verify_dummy(password)


class LoginFailure(BaseModel):
    """Failed sign-ins counted per key (an e-mail or a client address)."""

    key = CharField(max_length=300, unique=True)
    count = IntegerField(default=0)
    last_failure_at = DateTimeField(default=utcnow)

    # After FREE_ATTEMPTS failures each further attempt must wait BASE_DELAY * 2**n seconds,
    # at most MAX_DELAY; a success or QUIET_RESET without failures clears the count.
    FREE_ATTEMPTS = 3
    # A client address is often shared (an office behind one router), so it gets more free
    # failures than one account before everyone behind it has to wait.
    IP_FREE_ATTEMPTS = 10
    BASE_DELAY = 2
    MAX_DELAY = 15 * 60
    QUIET_RESET = datetime.timedelta(hours=1)

    def wait_seconds(self, now=None):
        """Seconds left before another attempt is accepted for this key (0: go ahead)."""
        now = now or utcnow()
        if now - self.last_failure_at > self.QUIET_RESET:
            return 0
        free = self.IP_FREE_ATTEMPTS if self.key.startswith("ip:") else self.FREE_ATTEMPTS
        over = self.count - free
        if over < 0:
            return 0
        delay = min(self.BASE_DELAY * 2**over, self.MAX_DELAY)
        remaining = (self.last_failure_at + datetime.timedelta(seconds=delay)) - now
        return max(0, int(remaining.total_seconds() + 0.999))

    @classmethod
    def wait_for(cls, keys, now=None):
        """The longest wait among ``keys``."""
        rows = cls.select().where(cls.key.in_(list(keys)))
        return max((row.wait_seconds(now) for row in rows), default=0)

    @classmethod
    def record(cls, keys, now=None):
        """Count one more failure for each key."""
        now = now or utcnow()
        for key in keys:
            row, created = cls.get_or_create(key=key, defaults={"count": 0, "last_failure_at": now})
            if not created and now - row.last_failure_at > cls.QUIET_RESET:
                row.count = 0
            row.count += 1
            row.last_failure_at = now
            row.save()

    @classmethod
    def clear(cls, keys):
        cls.delete().where(cls.key.in_(list(keys))).execute()


class PasswordToken(BaseModel):
    """A one-time link to set a password (account invitation or reset by an admin).

    Only a hash of the token is stored, so a copy of the database cannot be used to take
    over an account.
    """

    user = ForeignKeyField(User, backref="password_tokens", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    LIFETIME = datetime.timedelta(days=3)

    @staticmethod
    def _hash(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user):
        """Create a token for ``user`` and return its clear text (shown once)."""
        token = secrets.token_urlsafe(32)
        # Older unused links of this account stop working when a new one is issued.
        cls.update(used_at=utcnow()).where((cls.user == user) & cls.used_at.is_null()).execute()
        cls.create(user=user, token_hash=cls._hash(token), expires_at=utcnow() + cls.LIFETIME)
        return token

    @classmethod
    def find_valid(cls, token):
        """The unused, unexpired token row for ``token``, or None."""
        return (
            cls.select()
            .where(
                (cls.token_hash == cls._hash(token or ""))
                & cls.used_at.is_null()
                & (cls.expires_at > utcnow())
            )
            .first()
        )
