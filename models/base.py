"""The database handle and the base class every model derives from."""
import datetime

from peewee import DateTimeField, Model, SqliteDatabase

# Initialised by create_app() with the configured file. The pragmas are applied on every
# connection: WAL lets readers work while one writer writes, foreign keys are off in SQLite
# unless asked for, and the busy timeout makes a second writer wait instead of failing.
db = SqliteDatabase(
    None,
    pragmas={
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "synchronous": "normal",
    },
)


def utcnow():
    """The current time in UTC as a naive datetime (how every timestamp is stored)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class BaseModel(Model):
    """Common table naming (``care_plan``, not ``careplan``) and creation/update stamps."""

    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        database = db
        legacy_table_names = False

    def save(self, *args, **kwargs):
        self.updated_at = utcnow()
        return super().save(*args, **kwargs)

    def save_if_version(self, expected):
        """Save only if the stored row is still at version ``expected`` (compare-and-set).

        For models with a ``version`` field edited by several people: returns False, and
        writes nothing, when someone else saved in between, so no update is lost silently.
        """
        cls = type(self)
        self.version = expected + 1
        self.updated_at = utcnow()
        data = {f: getattr(self, f.name) for f in self._meta.sorted_fields if not f.primary_key}
        pk = self._meta.primary_key
        changed = cls.update(data).where((pk == self._pk) & (cls.version == expected)).execute()
        return changed == 1
