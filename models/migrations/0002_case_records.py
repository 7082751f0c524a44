"""Case records: people, cases, members, key workers and team, conflicts of interest,
notifications; the case link on audit entries; staff phone and read-all rights."""
import datetime

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("user", "phone", CharField(max_length=40, default="")),
        migrator.add_column("user", "can_read_all_cases", BooleanField(default=False)),
        migrator.add_column("audit_entry", "case_id", IntegerField(null=True)),
        migrator.add_index("audit_entry", ("case_id",), False),
    )

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Case(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(max_length=200)
        search_name = CharField(index=True, max_length=200, default='')
        case_type = CharField(index=True, max_length=20)
        status = CharField(index=True, max_length=20, default='active')
        opened_on = DateField(default=datetime.date.today)
        closed_on = DateField(null=True)
        monitoring_until = DateField(null=True)
        agreement_date = DateField(null=True)
        new_rules = BooleanField(default=True)
        mediated = BooleanField(default=True)
        consent_date = DateField(null=True)
        referral_approved_on = DateField(null=True)
        key_worker = ForeignKeyField(User, null=True, on_delete='SET NULL')
        notes = TextField(default='')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'family_case'
    db.create_tables([Case])

    class Person(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        first_name = CharField(max_length=100)
        last_name = CharField(max_length=100)
        date_of_birth = DateField(null=True)
        phone = CharField(max_length=40, default='')
        email = CharField(max_length=254, default='')
        address = TextField(default='')
        staff_notes = TextField(default='')
        search_name = CharField(index=True, max_length=220, default='')
        account = ForeignKeyField(User, unique=True, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'person'
            indexes = ((('last_name', 'first_name'), False),)
    db.create_tables([Person])

    class ConflictDeclaration(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='CASCADE')
        kind = CharField(max_length=20)
        note = TextField(default='')
        declared_on = DateField(default=datetime.date.today)
        class Meta:
            database = db
            table_name = 'conflict_declaration'
    db.create_tables([ConflictDeclaration])

    class Member(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='CASCADE')
        role = CharField(index=True, max_length=20)
        child = ForeignKeyField('self', null=True, on_delete='CASCADE')
        relation = CharField(max_length=100, default='')
        placed_on = DateField(null=True)
        restriction_text = TextField(default='')
        restriction_source = CharField(max_length=200, default='')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'member'
            indexes = ((('case', 'person', 'role'), True),)
    db.create_tables([Member])

    class ExcludedPerson(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        child = ForeignKeyField(Member, on_delete='CASCADE')
        person = ForeignKeyField(Person, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'excluded_person'
            indexes = ((('child', 'person'), True),)
    db.create_tables([ExcludedPerson])

    class KeyWorkerAssignment(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        started_on = DateField(default=datetime.date.today)
        ended_on = DateField(null=True)
        assigned_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        override_reason = TextField(default='')
        class Meta:
            database = db
            table_name = 'key_worker_assignment'
    db.create_tables([KeyWorkerAssignment])

    class Notification(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=40)
        params = TextField(default='{}')
        link = CharField(max_length=300, default='')
        read_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'notification'
            indexes = ((('user', 'read_at'), False),)
    db.create_tables([Notification])

    class TeamMember(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'team_member'
            indexes = ((('case', 'user'), True),)
    db.create_tables([TeamMember])


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("audit_entry", "audit_entry_case_id"),
        migrator.drop_column("audit_entry", "case_id"),
        migrator.drop_column("user", "can_read_all_cases"),
        migrator.drop_column("user", "phone"),
    )
    migrator.migrate(migrator.drop_table('team_member'))
    migrator.migrate(migrator.drop_table('notification'))
    migrator.migrate(migrator.drop_table('key_worker_assignment'))
    migrator.migrate(migrator.drop_table('excluded_person'))
    migrator.migrate(migrator.drop_table('member'))
    migrator.migrate(migrator.drop_table('conflict_declaration'))
    migrator.migrate(migrator.drop_table('person'))
    migrator.migrate(migrator.drop_table('family_case'))
