from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_claims')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AccountCertificate',
            index=Index(fields=['account_id']),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['occurred_at']),
        ),
        ops.AddIndex(
            model_name='Certificate',
            index=Index(fields=['contract_id', 'last_name', 'first_name', 'id', 'search_text', 'number']),
        ),
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['expires_at']),
        ),
    ]
