from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_api_keys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AttemptCounter',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(description='password, recovery, identity or hint', max_length=16)),
                ('key_digest', fields.CharField(description='HMAC-SHA-256 of what was typed, under the server key', max_length=64)),
                ('failures', fields.IntField(description='since the window opened or the last success')),
                ('pending', fields.IntField(description='attempts reserved and not yet told')),
                ('pending_since_ms', fields.BigIntField(description='the last reservation')),
                ('window_ends_ms', fields.BigIntField(description='when the count starts again from zero')),
                ('locked_until_ms', fields.BigIntField(null=True)),
            ],
            options={'table': 'attempt_counter', 'app': 'models', 'unique_together': (('scope', 'key_digest'),), 'indexes': [Index(fields=['window_ends_ms'])], 'pk_attr': 'id', 'table_description': 'One row per guessed key, whether or not an account has it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServerSecret',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=32)),
                ('value', fields.CharField(max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'server_secret', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The server key when GATEWAY_SECRET_KEY does not give one: made at first start, shared'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Account',
            name='password_pepper_id',
            field=fields.CharField(null=True, description='which GATEWAY_PASSWORD_PEPPER keyed the hash', max_length=16),
        ),
        ops.RemoveField(model_name='Account', name='failed_recoveries'),
        ops.RemoveField(model_name='Account', name='failed_sign_ins'),
        ops.RemoveField(model_name='Account', name='locked_until'),
        ops.RemoveField(model_name='Account', name='recovery_locked_until'),
        ops.AlterField(
            model_name='AuditEvent',
            name='user_code',
            field=fields.CharField(null=True, description="the account's own, never what a caller typed", max_length=64),
        ),
        ops.AddField(
            model_name='AuditEvent',
            name='key_digest',
            field=fields.CharField(null=True, description="an attempt's ledger key (gateway/attempts.py)", max_length=64),
        ),
        ops.AddField(
            model_name='AuditEvent',
            name='request_id',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['key_digest', 'occurred_at']),
        ),
    ]
