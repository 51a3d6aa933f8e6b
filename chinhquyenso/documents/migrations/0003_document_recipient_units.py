"""The units of the platform an outgoing document is to be sent to, chosen while drafting: each
gets a Delivery when the document is issued (outside recipients are lines of recipients_text)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0002_document_types'),
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='recipient_units',
            field=models.ManyToManyField(blank=True, related_name='+', to='units.unit', verbose_name='đơn vị nhận trong hệ thống'),
        ),
    ]
