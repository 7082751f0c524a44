"""The append-only audit trail: who did what to which record, and when."""
import json

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .base import BaseModel, Prepared, db, utcnow
from .users import User


class AuditEntry(BaseModel):
    """One recorded action. Nothing in the product updates or deletes these rows."""

    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, backref="audit_entries", on_delete="SET NULL")
    action = CharField(max_length=20, index=True)  # create, update, delete, view, sign-in …
    table = CharField(max_length=60)
    record_id = IntegerField(null=True)
    summary = CharField(max_length=300, default="")
    changes = TextField(default="")  # JSON {field: [old, new]}
    # The case the record belongs to, so a case's history is one indexed query.
    case_id = IntegerField(null=True)

    class Meta:
        indexes = (
            (("table", "record_id"), False),
            # A case's history, newest first, without a sort (migration 0006).
            (("case_id", "at", "id"), False),
        )

    def save(self, *args, **kwargs):
        if self.id is not None:
            raise PermissionError("audit entries are append-only")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")

    @property
    def change_dict(self):
        return json.loads(self.changes) if self.changes else {}


_COLUMNS = ("at", "created_at", "updated_at", "actor", "action", "table", "record_id", "summary", "changes",
            "case_id")
#: The INSERT of an entry, compiled once: pages that are opened often (a family, a person,
#: a plan) write a "view" entry on every request.
_INSERT = Prepared(lambda **columns: AuditEntry.insert(**columns), *_COLUMNS)


def record(actor, action, obj=None, *, table=None, record_id=None, summary="", changes=None, case=None):
    """Write one audit entry; call it inside the same transaction as the change."""
    if obj is not None:
        table = table or obj._meta.table_name
        record_id = record_id if record_id is not None else obj.id
    now = utcnow()
    _INSERT.execute(
        at=now, created_at=now, updated_at=now,
        actor=getattr(actor, "id", None) or None,
        action=action,
        table=table or "",
        record_id=record_id,
        summary=summary[:300],
        changes=json.dumps(changes, default=str, ensure_ascii=False) if changes else "",
        case_id=getattr(case, "id", case),
    )


def diff(obj, before):
    """Fields of ``obj`` whose values differ from the ``before`` snapshot: {name: [old, new]}."""
    after = snapshot(obj)
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def snapshot(obj):
    """The audited field values of a model instance."""
    skip = {"created_at", "updated_at", "version", "password_hash", "session_token", "search_name"}
    return {
        name: getattr(obj, field.column_name if hasattr(field, "rel_model") else name)
        for name, field in obj._meta.fields.items()
        if name not in skip
    }


def delete_versioned(actor, obj, expected, *, case=None, summary="", dependants=()):
    """Delete ``obj`` only if it is still at version ``expected``, with its audit entry
    (and one for each of ``dependants``, (row, summary) pairs deleted with it by the
    database's cascade), in one transaction.

    A removal is a change like any other: True when deleted; False, with nothing written,
    when someone else saved the record after the form was drawn.
    """
    model = type(obj)
    with db.atomic():
        if not model.delete().where((model.id == obj.id) & (model.version == expected)).execute():
            return False
        for row, text in dependants:
            record(actor, "delete", row, case=case, summary=text)
        record(actor, "delete", obj, case=case, summary=summary)
    return True


def save_versioned(actor, obj, before, expected, *, case=None, summary=""):
    """Save the edited ``obj`` only if it is still at version ``expected``, together with
    its audit entry (the changes since the snapshot ``before``) in one transaction.

    The shared step of every edit form of a versioned record (see
    :meth:`models.base.BaseModel.save_if_version`): True when saved; False, with nothing
    written, when someone else saved first or the form carried no version.
    """
    with db.atomic():
        saved = expected is not None and obj.save_if_version(expected)
        if saved:
            record(actor, "update", obj, case=case, summary=summary, changes=diff(obj, before))
    return saved
