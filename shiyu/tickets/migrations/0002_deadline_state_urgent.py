from django.db import migrations, models

COLUMNS = ("deadline_state", "urgent", "callback_tries", "callback_unreachable")


def add_columns(apps, schema_editor):
    """On SQLite, ALTER TABLE ADD COLUMN with a constant default, which takes no time:
    Django's SQLite backend would copy the whole ticket table for each NOT NULL column
    (a minute or two for a million tickets)."""
    ticket = apps.get_model("tickets", "Ticket")
    quote = schema_editor.quote_name
    for name in COLUMNS:
        field = ticket._meta.get_field(name)
        if schema_editor.connection.vendor == "sqlite":
            definition, params = schema_editor.column_sql(ticket, field, include_default=True)
            schema_editor.execute(f"ALTER TABLE {quote(ticket._meta.db_table)} ADD COLUMN {quote(field.column)} "
                                  f"{definition}", params)
        else:
            schema_editor.add_field(ticket, field)


def remove_columns(apps, schema_editor):
    ticket = apps.get_model("tickets", "Ticket")
    for name in COLUMNS:
        schema_editor.remove_field(ticket, ticket._meta.get_field(name))


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AddField(
                model_name='ticket',
                name='deadline_state',
                field=models.CharField(choices=[('on_time', 'On time'), ('due_soon', 'Due soon'), ('overdue', 'Overdue')], default='on_time', max_length=8, verbose_name='deadline state'),
            ),
            migrations.AddField(
                model_name='ticket',
                name='urgent',
                field=models.BooleanField(default=False, verbose_name='urgent'),
            ),
            migrations.AddField(
                model_name='ticket',
                name='callback_tries',
                field=models.PositiveSmallIntegerField(default=0, verbose_name='callback tries that reached nobody'),
            ),
            migrations.AddField(
                model_name='ticket',
                name='callback_unreachable',
                field=models.BooleanField(default=False, verbose_name='resident unreachable at callback'),
            ),
        ]),
        migrations.RunPython(add_columns, remove_columns),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('deadline_state', 'on_time'), _negated=True), fields=['lead_unit', 'deadline_state'], name='ticket_alert_idx'),
        ),
    ]
