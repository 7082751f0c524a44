"""Education: the organisation's education figures, training events, registrations with
attendance, external training and individual education plans (issue #5).

Frozen copies of the models; depends only on tables of 0001 and 0002 (user, person,
family_case).
"""
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
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Person(Model):
        class Meta:
            database = db
            table_name = 'person'

    class Case(Model):
        class Meta:
            database = db
            table_name = 'family_case'

    class EducationSettings(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        standard_minutes = IntegerField(null=True)
        kinship_minutes = IntegerField(null=True)
        at_risk_months = IntegerField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'education_settings'

    class TrainingEvent(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        title = CharField(max_length=200)
        topic = CharField(max_length=200, default='')
        description = TextField(default='')
        starts_at = DateTimeField(index=True)
        ends_at = DateTimeField()
        duration_minutes = IntegerField()
        place = CharField(max_length=300, default='')
        online = BooleanField(default=False)
        trainer = CharField(max_length=200, default='')
        capacity = IntegerField()
        event_format = CharField(max_length=20, default='group')
        language = CharField(max_length=10, default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'training_event'

    class Registration(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        event = ForeignKeyField(TrainingEvent, on_delete='CASCADE')
        person = ForeignKeyField(Person, index=True, on_delete='CASCADE')
        case = ForeignKeyField(Case, index=True, on_delete='CASCADE')
        status = CharField(index=True, max_length=20, default='registered')
        queued_at = DateTimeField()
        babysitting = BooleanField(default=False)
        babysitting_note = CharField(max_length=500, default='')
        attendance = CharField(max_length=20, null=True)
        attended_minutes = IntegerField(null=True)
        registered_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        cancelled_at = DateTimeField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'registration'
            indexes = ((('event', 'person'), True), (('event', 'status'), False))

    class ExternalTraining(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        person = ForeignKeyField(Person, index=True, on_delete='CASCADE')
        case = ForeignKeyField(Case, index=True, on_delete='CASCADE')
        provider = CharField(max_length=200)
        topic = CharField(max_length=200)
        date = DateField()
        minutes = IntegerField()
        note = TextField(default='')
        recorded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'external_training'

    class EducationPlan(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        person = ForeignKeyField(Person, on_delete='CASCADE')
        case = ForeignKeyField(Case, index=True, on_delete='CASCADE')
        period_start = DateField()
        topics = TextField(default='')
        agreed_on = DateField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'education_plan'
            indexes = ((('person', 'case', 'period_start'), True),)

    db.create_tables([EducationSettings, TrainingEvent, Registration, ExternalTraining, EducationPlan])
    # The one settings row (every figure empty: the country profile applies), so that
    # reading the settings never writes (and a page's query count does not depend on
    # whether it is the first request).
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    EducationSettings.insert(created_at=now, updated_at=now, version=1).execute()


def down(migrator, db):
    for table in ('education_plan', 'external_training', 'registration', 'training_event', 'education_settings'):
        migrator.migrate(migrator.drop_table(table))
