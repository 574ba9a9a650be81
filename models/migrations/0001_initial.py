from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_code', fields.CharField(description='as the member typed it', max_length=36)),
                ('user_code_canonical', fields.CharField(unique=True, description='lower-cased: uniqueness ignores case (R3)', max_length=36)),
                ('password_hash', fields.CharField(max_length=255)),
                ('password_hint', fields.CharField(max_length=100)),
                ('mothers_first_name_hash', fields.CharField(max_length=255)),
                ('date_of_birth', fields.DateField()),
                ('first_name', fields.CharField(max_length=100)),
                ('last_name', fields.CharField(max_length=100)),
                ('email', fields.CharField(null=True, max_length=254)),
                ('preferred_language', fields.CharField(max_length=2)),
                ('failed_sign_ins', fields.IntField(default=0)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failed_recoveries', fields.IntField(default=0)),
                ('recovery_locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'account', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('event', fields.CharField(max_length=48)),
                ('account_id', fields.IntField(null=True, description='no foreign key: the trail outlives rows')),
                ('user_code', fields.CharField(null=True, max_length=64)),
                ('actor', fields.CharField(null=True, description='API key name, or null', max_length=100)),
                ('channel', fields.CharField(null=True, max_length=8)),
                ('client_address', fields.CharField(null=True, max_length=64)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'audit_event', 'app': 'models', 'indexes': [Index(fields=['account_id', 'occurred_at']), Index(fields=['event', 'occurred_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Contract',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, description='trimmed, upper-cased', max_length=64)),
                ('product_line', fields.CharField(max_length=32)),
                ('sponsor_name', fields.CharField(max_length=200)),
                ('plan_name', fields.CharField(max_length=200)),
                ('online_features', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'contract', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contract', fields.ForeignKeyField('models.Contract', source_field='contract_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT)),
                ('number', fields.CharField(description='trimmed, upper-cased', max_length=64)),
                ('first_name', fields.CharField(max_length=100)),
                ('last_name', fields.CharField(max_length=100)),
                ('date_of_birth', fields.DateField()),
                ('status', fields.CharField(max_length=16)),
                ('effective_date', fields.DateField()),
                ('termination_date', fields.DateField(null=True)),
                ('coverages', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('search_text', fields.CharField(default='', description='names without accents, lower-case, for search', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'certificate', 'app': 'models', 'unique_together': (('contract', 'number'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccountCertificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('certificate', fields.OneToOneField('models.Certificate', source_field='certificate_id', db_constraint=True, to_field='id', related_name='link', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_certificate', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One certificate belongs to at most one user code (R2): the unique key decides races.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=8)),
                ('selected_certificate', fields.ForeignKeyField('models.Certificate', source_field='selected_certificate_id', null=True, db_constraint=True, to_field='id', on_delete=OnDelete.SET_NULL)),
                ('client_address', fields.CharField(null=True, max_length=64)),
                ('user_agent', fields.CharField(null=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(description='absolute limit, whatever the activity', auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'session', 'app': 'models', 'indexes': [Index(fields=['account_id', 'ended_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UsageAgreement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.CharField(unique=True, max_length=32)),
                ('title_fr', fields.CharField(max_length=200)),
                ('title_en', fields.CharField(max_length=200)),
                ('body_fr', fields.TextField(unique=False)),
                ('body_en', fields.TextField(unique=False)),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'usage_agreement', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgreementAcceptance',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='acceptances', on_delete=OnDelete.CASCADE)),
                ('agreement', fields.ForeignKeyField('models.UsageAgreement', source_field='agreement_id', db_constraint=True, to_field='id', related_name='acceptances', on_delete=OnDelete.RESTRICT)),
                ('accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('channel', fields.CharField(max_length=8)),
                ('client_address', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'agreement_acceptance', 'app': 'models', 'unique_together': (('account', 'agreement'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
