from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_ledger')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ClaimEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=64)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'claim_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A decision event already applied: the webhook refuses one replayed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Dependent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('certificate', fields.ForeignKeyField('models.Certificate', source_field='certificate_id', db_constraint=True, to_field='id', related_name='dependents', on_delete=OnDelete.RESTRICT)),
                ('first_name', fields.CharField(max_length=100)),
                ('first_name_key', fields.CharField(description='the first name folded: what identifies the person on import', max_length=100)),
                ('last_name', fields.CharField(max_length=100)),
                ('date_of_birth', fields.DateField()),
                ('relationship', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'dependent', 'app': 'models', 'unique_together': (('certificate', 'first_name_key', 'date_of_birth'),), 'pk_attr': 'id', 'table_description': 'A spouse or child the certificate covers: a patient a member may claim for.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Claim',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('public_id', fields.CharField(unique=True, description="a UUID: the claims system's idempotency key", max_length=36)),
                ('reference', fields.CharField(unique=True, description='quoted by the member', max_length=16)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.RESTRICT)),
                ('certificate', fields.ForeignKeyField('models.Certificate', source_field='certificate_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.RESTRICT)),
                ('dependent', fields.ForeignKeyField('models.Dependent', source_field='dependent_id', null=True, db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.RESTRICT)),
                ('session_id', fields.IntField(null=True, description='the session that submitted it')),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('content_digest', fields.CharField(description='SHA-256 of what was submitted: a retry must match it', max_length=64)),
                ('category', fields.CharField(max_length=8)),
                ('status', fields.CharField(max_length=12)),
                ('provider_name', fields.CharField(max_length=120)),
                ('total_cents', fields.BigIntField()),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('received_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('eligible_cents', fields.BigIntField(null=True)),
                ('paid_cents', fields.BigIntField(null=True)),
                ('reason_fr', fields.TextField(null=True, unique=False)),
                ('reason_en', fields.TextField(null=True, unique=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'claim', 'app': 'models', 'unique_together': (('account', 'idempotency_key'),), 'indexes': [Index(fields=['certificate_id', 'submitted_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClaimFingerprint',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('claim', fields.ForeignKeyField('models.Claim', source_field='claim_id', db_constraint=True, to_field='id', related_name='fingerprints', on_delete=OnDelete.CASCADE)),
                ('digest', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'claim_fingerprint', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row per (patient, service, date, provider, amount) of a claim not refused: the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClaimLine',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('claim', fields.ForeignKeyField('models.Claim', source_field='claim_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('service_type', fields.CharField(max_length=24)),
                ('service_date', fields.DateField()),
                ('amount_cents', fields.BigIntField()),
                ('other_plan_paid_cents', fields.BigIntField()),
            ],
            options={'table': 'claim_line', 'app': 'models', 'unique_together': (('claim', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DirectDeposit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.OneToOneField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='direct_deposit', on_delete=OnDelete.CASCADE)),
                ('institution_number', fields.CharField(max_length=3)),
                ('transit_number', fields.CharField(max_length=5)),
                ('account_number_sealed', fields.CharField(description='AES-GCM under the data key: key id, nonce, ciphertext', max_length=200)),
                ('account_number_last3', fields.CharField(max_length=3)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'direct_deposit', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('claim', fields.OneToOneField('models.Claim', source_field='claim_id', db_constraint=True, to_field='id', related_name='outbox', on_delete=OnDelete.CASCADE)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_ms', fields.BigIntField(description='not sent before this time')),
                ('leased_until_ms', fields.BigIntField(default=0, description="a worker is sending it until then (SQLite's SKIP LOCKED)")),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=200)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['delivered_at', 'next_attempt_ms'])], 'pk_attr': 'id', 'table_description': 'A claim waiting to reach the claims system: written with the claim, in its transaction,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Receipt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('public_id', fields.CharField(unique=True, description="the object's key", max_length=36)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.RESTRICT)),
                ('claim', fields.ForeignKeyField('models.Claim', source_field='claim_id', null=True, db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.RESTRICT)),
                ('content_type', fields.CharField(max_length=32)),
                ('size_bytes', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'receipt', 'app': 'models', 'indexes': [Index(fields=['account_id', 'claim_id']), Index(fields=['uploaded_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceiptBlob',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('content_type', fields.CharField(max_length=32)),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'receipt_blob', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The bytes of a receipt when the database is the receipt store (the default).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReferencePayment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('claim_public_id', fields.CharField(unique=True, max_length=36)),
                ('patient_key', fields.CharField(max_length=64)),
                ('decision', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('paid_by_line', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reference_payment', 'app': 'models', 'indexes': [Index(fields=['patient_key'])], 'pk_attr': 'id', 'table_description': "The reference claims system's own books (demo and tests): what it paid, per person,"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Contract',
            name='claim_rules',
            field=fields.JSONField(default=list, description="the plan's reimbursement table (registry-format.md)", encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
