# One training run at a time, enforced by the database (see ModelVersion.Meta.constraints).

from django.db import migrations, models
from django.utils import timezone


def fail_all_but_the_newest_running_run(apps, schema_editor):
    # Before this constraint several workers could each run one; the index cannot be created
    # over two "running" rows. Workers are stopped during an upgrade, so these runs are dead.
    ModelVersion = apps.get_model("recommender", "ModelVersion")
    running = ModelVersion.objects.filter(status="running").order_by("-started_at", "-id")
    for version in running[1:]:
        ModelVersion.objects.filter(id=version.id).update(
            status="failed",
            error="failed by the upgrade to one training at a time: its worker was stopped",
            progress_message="",
            finished_at=timezone.now(),
        )


class Migration(migrations.Migration):

    dependencies = [
        ("recommender", "0002_training_pipeline"),
    ]

    operations = [
        migrations.RunPython(fail_all_but_the_newest_running_run, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="modelversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "running")),
                fields=("status",),
                name="one_running_training",
            ),
        ),
    ]
