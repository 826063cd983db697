"""Checks every succeeded model version's folder against its manifest (after a restore, a disk
fault, or a copy to another web server), and lists folders no version owns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from recommender.artifacts import (
    ArtifactsInvalid,
    artifacts_folder_for,
    artifacts_root,
    manifest_verify,
    temp_folders,
)
from recommender.models import ModelVersion


class Command(BaseCommand):
    help = (
        "Verify the artifacts of every succeeded model version (sizes and SHA-256 of every "
        "file listed in its manifest). Exits 1 when the active version's folder is broken, "
        "2 when only inactive ones are."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        versions = ModelVersion.objects.filter(status=ModelVersion.Status.SUCCEEDED).order_by("id")
        # A running version's folder appears (by rename) just before its row says succeeded.
        owned = {
            artifacts_folder_for(pk).name
            for pk in ModelVersion.objects.filter(status=ModelVersion.Status.RUNNING).values_list(
                "id", flat=True
            )
        }
        broken: list[ModelVersion] = []
        for version in versions:
            folder = Path(version.artifacts_path or artifacts_folder_for(version.pk))
            owned.add(folder.name)
            label = f"v{version.pk}{' (active)' if version.is_active else ''}"
            try:
                manifest_verify(folder)
            except ArtifactsInvalid as exc:
                broken.append(version)
                self.stdout.write(self.style.ERROR(f"{label}: BROKEN: {exc}"))
            else:
                self.stdout.write(f"{label}: ok ({folder})")
        root = artifacts_root()
        strays = sorted(
            path.name
            for path in (root.iterdir() if root.is_dir() else [])
            if path.is_dir() and path.name.startswith("v") and path.name not in owned
        )
        for name in strays:
            self.stdout.write(f"{name}: no succeeded or running version owns this folder")
        for path in temp_folders():
            self.stdout.write(f"{path.name}: temporary folder of an unfinished write")
        if any(version.is_active for version in broken):
            raise CommandError(
                "the active version's artifacts are broken: serving keeps the version it has "
                "loaded; activate another version or restore the folder",
                returncode=1,
            )
        if broken:
            raise CommandError(
                f"{len(broken)} inactive version(s) have broken artifacts and cannot be activated",
                returncode=2,
            )
