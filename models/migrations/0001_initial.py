"""Initial schema: organisation, accounts, sign-in throttling, password links, audit trail.

Frozen copies of the models (as the migration runner expects); Python-side defaults such
as timestamps are not part of the SQLite schema.
"""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


def up(migrator, db):
    class User(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        email = CharField(unique=True, max_length=254)
        full_name = CharField(max_length=200)
        role = CharField(index=True, max_length=20)
        password_hash = CharField(null=True)
        active = BooleanField(default=True)
        language = CharField(null=True, max_length=5)
        text_size = IntegerField(default=0)
        last_login_at = DateTimeField(null=True)
        must_change_password = BooleanField(default=False)
        session_token = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class AuditEntry(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(index=True, max_length=20)
        table = CharField(max_length=60)
        record_id = IntegerField(null=True)
        summary = CharField(max_length=300, default='')
        changes = TextField(default='')
        class Meta:
            database = db
            table_name = 'audit_entry'
            indexes = ((('table', 'record_id'), False),)
    db.create_tables([AuditEntry])

    class LoginFailure(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        key = CharField(unique=True, max_length=300)
        count = IntegerField(default=0)
        last_failure_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'login_failure'
    db.create_tables([LoginFailure])

    class Organisation(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(max_length=200)
        country = CharField(max_length=2, default='cz')
        default_language = CharField(max_length=5, default='cs')
        timezone = CharField(max_length=40, default='Europe/Prague')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'organisation'
    db.create_tables([Organisation])

    class PasswordToken(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        token_hash = CharField(unique=True, max_length=64)
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'password_token'
    db.create_tables([PasswordToken])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('password_token'))
    migrator.migrate(migrator.drop_table('organisation'))
    migrator.migrate(migrator.drop_table('login_failure'))
    migrator.migrate(migrator.drop_table('audit_entry'))
    migrator.migrate(migrator.drop_table('user'))
