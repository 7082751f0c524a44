"""Care plans: areas of needs, plans, needs and risks, goals, actions, approved versions,
caregivers' acknowledgements, reviews and their per-goal outcomes."""
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

    class Case(Model):
        class Meta:
            database = db
            table_name = 'family_case'

    class Member(Model):
        class Meta:
            database = db
            table_name = 'member'

    class PlanArea(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        country = CharField(index=True, max_length=2)
        code = CharField(max_length=40, default='')
        name = CharField(max_length=200, default='')
        position = IntegerField(default=0)
        active = BooleanField(default=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'plan_area'

    class CarePlan(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, unique=True, on_delete='CASCADE')
        starts_on = DateField(default=datetime.date.today)
        child_view = TextField(default='')
        summary = TextField(default='')
        external_body = CharField(max_length=200, default='')
        external_date = DateField(null=True)
        external_reference = CharField(max_length=100, default='')
        staff_notes = TextField(default='')
        next_review_on = DateField(null=True, index=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'care_plan'

    class PlanNeed(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        plan = ForeignKeyField(CarePlan, on_delete='CASCADE')
        area = ForeignKeyField(PlanArea, null=True, on_delete='SET NULL')
        kind = CharField(max_length=10, default='need')
        description = TextField()
        position = IntegerField(default=0)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'plan_need'

    class PlanGoal(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        plan = ForeignKeyField(CarePlan, on_delete='CASCADE')
        area = ForeignKeyField(PlanArea, null=True, on_delete='SET NULL')
        title = TextField()
        client_proposed = BooleanField(default=False)
        position = IntegerField(default=0)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'plan_goal'

    class PlanAction(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        goal = ForeignKeyField(PlanGoal, on_delete='CASCADE')
        plan = ForeignKeyField(CarePlan, on_delete='CASCADE')
        description = TextField()
        responsible_kind = CharField(max_length=20, default='staff')
        responsible_user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        responsible_member = ForeignKeyField(Member, null=True, on_delete='SET NULL')
        responsible_name = CharField(max_length=200, default='')
        deadline = DateField(null=True)
        expected_effect = TextField(default='')
        status = CharField(max_length=20, default='planned')
        progress_note = TextField(default='')
        progress_on = DateField(null=True)
        position = IntegerField(default=0)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'plan_action'
            indexes = ((('plan', 'status', 'deadline'), False),)

    class PlanVersion(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        plan = ForeignKeyField(CarePlan, on_delete='CASCADE')
        number = IntegerField()
        approved_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        approved_by_name = CharField(max_length=200, default='')
        approved_at = DateTimeField()
        snapshot = TextField()
        class Meta:
            database = db
            table_name = 'plan_version'
            indexes = ((('plan', 'number'), True),)

    class PlanAcknowledgement(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        plan_version = ForeignKeyField(PlanVersion, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        name = CharField(max_length=200, default='')
        response = CharField(max_length=10)
        comment = TextField(default='')
        at = DateTimeField()
        class Meta:
            database = db
            table_name = 'plan_acknowledgement'
            indexes = ((('plan_version', 'user'), True),)

    class PlanReview(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        plan = ForeignKeyField(CarePlan, on_delete='CASCADE')
        reviewed_on = DateField()
        participants = TextField(default='')
        child_view = TextField(default='')
        summary = TextField(default='')
        next_review_on = DateField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'plan_review'

    class PlanReviewGoal(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        review = ForeignKeyField(PlanReview, on_delete='CASCADE')
        goal = ForeignKeyField(PlanGoal, null=True, on_delete='SET NULL')
        goal_title = TextField(default='')
        outcome = CharField(max_length=20)
        comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'plan_review_goal'

    db.create_tables([PlanArea, CarePlan, PlanNeed, PlanGoal, PlanAction, PlanVersion,
                      PlanAcknowledgement, PlanReview, PlanReviewGoal])


def down(migrator, db):
    for table in ('plan_review_goal', 'plan_review', 'plan_acknowledgement', 'plan_version',
                  'plan_action', 'plan_goal', 'plan_need', 'care_plan', 'plan_area'):
        migrator.migrate(migrator.drop_table(table))
