from django.db import migrations, models

import instructors.models


def give_every_cohort_a_code(apps, schema_editor):
    Cohort = apps.get_model("instructors", "Cohort")
    for cohort in Cohort.objects.filter(join_code__isnull=True):
        cohort.join_code = instructors.models.new_join_code()
        cohort.save(update_fields=["join_code"])


class Migration(migrations.Migration):
    dependencies = [("instructors", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="cohort",
            name="join_code",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(give_every_cohort_a_code, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="cohort",
            name="join_code",
            field=models.CharField(
                default=instructors.models.new_join_code,
                editable=False,
                help_text="Students join with this code or its link; rotate it to stop old links working.",
                max_length=16,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="cohort",
            name="join_open",
            field=models.BooleanField(default=True, help_text="Whether students may join with the code now."),
        ),
        migrations.AlterModelOptions(
            name="cohort",
            options={
                "ordering": ["name"],
                "permissions": [("enrol_any_student", "Can enrol any student account in a cohort they teach")],
            },
        ),
    ]
