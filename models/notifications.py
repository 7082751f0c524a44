"""In-app notifications for staff (and later caregivers), with an unread count."""
import json

from peewee import CharField, DateTimeField, ForeignKeyField, TextField, fn

from .base import BaseModel, Prepared, utcnow
from .users import User


class Notification(BaseModel):
    """A message for one user. The text is rendered in the reader's language from ``kind``
    and ``params`` (see ``views/notifications``), not stored translated."""

    user = ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    kind = CharField(max_length=40)
    params = TextField(default="{}")
    link = CharField(max_length=300, default="")
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at"), False),)

    @property
    def data(self):
        return json.loads(self.params or "{}")

    @classmethod
    def send(cls, user, kind, link="", **params):
        """Notify ``user``; ``params`` fill the message template of ``kind``."""
        if user is None:
            return None
        return cls.create(user=user, kind=kind, link=link, params=json.dumps(params, ensure_ascii=False, default=str))

    @classmethod
    def unread_count(cls, user):
        """How many notifications ``user`` has not read (the badge on every page)."""
        return _UNREAD_COUNT.scalar(user_id=user.id if hasattr(user, "id") else user)

    def mark_read(self):
        if self.read_at is None:
            self.read_at = utcnow()
            self.save()


_UNREAD_COUNT = Prepared(
    lambda user_id: Notification.select(fn.COUNT(Notification.id)).where(
        (Notification.user == user_id) & Notification.read_at.is_null()),
    "user_id",
)
