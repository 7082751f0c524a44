"""Assisted contacts: rooms, scheduling settings, orders, series, contacts, participants,
private calendar feeds (issue #6). Frozen copies of the models, as in 0002."""
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
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Case(Model):
        class Meta:
            database = db
            table_name = 'family_case'

    class Member(Model):
        class Meta:
            database = db
            table_name = 'member'

    class Person(Model):
        class Meta:
            database = db
            table_name = 'person'

    class Room(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(max_length=100)
        address = CharField(max_length=300, default='')
        capacity = IntegerField(default=6)
        buffer_minutes = IntegerField(default=15)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'room'

    class ContactSettings(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        day_start_minutes = IntegerField(default=480)
        day_end_minutes = IntegerField(default=1080)
        working_days = CharField(max_length=7, default='12345')
        default_buffer_minutes = IntegerField(default=15)
        max_minutes = IntegerField(default=720)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'contact_settings'

    class ContactOrder(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE', index=True)
        child = ForeignKeyField(Member, on_delete='CASCADE', index=True)
        issuer = CharField(max_length=20, default='court')
        reference = CharField(max_length=200, default='')
        per_month = IntegerField(default=0)
        valid_from = DateField(null=True)
        valid_until = DateField(null=True)
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'contact_order'

    class ContactSeries(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE', index=True)
        order = ForeignKeyField(ContactOrder, null=True, on_delete='SET NULL')
        pattern = CharField(max_length=20)
        until = DateField(null=True)
        count = IntegerField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'contact_series'

    class Contact(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE', index=True)
        series = ForeignKeyField(ContactSeries, null=True, on_delete='SET NULL', index=True)
        order = ForeignKeyField(ContactOrder, null=True, on_delete='SET NULL')
        room = ForeignKeyField(Room, null=True, on_delete='SET NULL')
        place = CharField(max_length=300, default='')
        starts_at = DateTimeField(index=True)
        ends_at = DateTimeField(index=True)
        visitors_arrive_before = IntegerField(default=0)
        visitors_leave_after = IntegerField(default=0)
        span_start = DateTimeField(index=True)
        span_end = DateTimeField(index=True)
        purpose = TextField(default='')
        prep_child = TextField(default='')
        prep_caregivers = TextField(default='')
        prep_visitors = TextField(default='')
        status = CharField(max_length=30, default='planned', index=True)
        cancelled_by = CharField(max_length=20, default='')
        cancelled_at = DateTimeField(null=True)
        cancel_reason = TextField(default='')
        cancelled_late = BooleanField(default=False)
        cancel_requested_at = DateTimeField(null=True)
        cancel_requested_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        cancel_request_reason = TextField(default='')
        no_show_party = CharField(max_length=20, default='')
        ended_early_reason = CharField(max_length=20, default='')
        actual_minutes = IntegerField(null=True)
        child_reactions = TextField(default='')
        child_view = TextField(default='')
        incidents = TextField(default='')
        summary = TextField(default='')
        summary_shared = BooleanField(default=False)
        outcome_recorded_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'contact'

    class ContactParticipant(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        contact = ForeignKeyField(Contact, on_delete='CASCADE', index=True)
        kind = CharField(max_length=20)
        member = ForeignKeyField(Member, null=True, on_delete='CASCADE', index=True)
        person = ForeignKeyField(Person, null=True, on_delete='CASCADE', index=True)
        user = ForeignKeyField(User, null=True, on_delete='CASCADE', index=True)
        attended = BooleanField(null=True)
        class Meta:
            database = db
            table_name = 'contact_participant'

    class CalendarFeed(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        user = ForeignKeyField(User, unique=True, on_delete='CASCADE')
        token_hash = CharField(max_length=64, unique=True)
        created_on = DateTimeField()
        class Meta:
            database = db
            table_name = 'calendar_feed'

    db.create_tables([Room, ContactSettings, ContactOrder, ContactSeries, Contact, ContactParticipant,
                      CalendarFeed])


def down(migrator, db):
    for table in ('calendar_feed', 'contact_participant', 'contact', 'contact_series', 'contact_order',
                  'contact_settings', 'room'):
        migrator.migrate(migrator.drop_table(table))
