"""A database where every admin URL has something to act on, and requests that would act.

The world holds two trained versions (one active, one active before it, so activate and
roll back would both change something), a queued run (cancel would), a failed run (delete
would), a small catalogue with a tag, another staff account and a group. `hostile_posts`
builds, for every admin URL, POST bodies that would change rows if the server obeyed them;
the access and CSRF tests send them and check that nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from playlists.models import Song, SongTag, Tag
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS, model_version_activate
from tests.config.admin_urls import AdminRoute, admin_routes
from tests.playlists.catalogue_snapshot import catalogue_snapshot
from tests.recommender.helpers import catalogue_create, small_params, version_train_in_process

# Pages every staff member may open whatever their permissions: their own account.
OWN_ACCOUNT = frozenset(
    {"index", "login", "logout", "password_change", "password_change_done", "jsi18n"}
)
# Views that only take POST (require_POST: GET answers 405).
POST_ONLY = frozenset(
    {
        "recommender_modelversion_activate",
        "recommender_modelversion_cancel",
        "recommender_modelversion_rollback",
    }
)


# Rows per model whose pages are visited: two are enough to catch a per-row check.
ROWS_PER_MODEL = 2


@dataclass(frozen=True)
class AdminWorld:
    previous: ModelVersion  # trained, was active before `active`
    active: ModelVersion
    queued: ModelVersion
    failed: ModelVersion
    victim: User  # another staff account
    group: Group

    def ids(self, model: type[Model] | None) -> list[Any]:
        """Primary keys of every row of `model` (Song for the site's view-on-site route)."""
        model = model or Song
        return list(model._default_manager.order_by("pk").values_list("pk", flat=True))


def admin_world_create() -> AdminWorld:
    catalogue_create(songs=20)
    tag = Tag.objects.create(id=0, name="rock")
    SongTag.objects.create(song_id=0, tag=tag, rank=0)
    # Two epochs: these versions only need to exist and be activatable.
    previous, active = (version_train_in_process(params=small_params(epochs=2)) for _ in "ab")
    model_version_activate(version_id=previous.pk)
    model_version_activate(version_id=active.pk)
    queued = ModelVersion.objects.create(status=ModelVersion.Status.QUEUED)
    failed = ModelVersion.objects.create(status=ModelVersion.Status.FAILED, error="boom")
    victim = User.objects.create_user("victim", password="victim-pw-1", is_staff=True)
    return AdminWorld(
        previous=previous,
        active=active,
        queued=queued,
        failed=failed,
        victim=victim,
        group=Group.objects.create(name="editors"),
    )


def admin_urls(world: AdminWorld, route: AdminRoute) -> Iterator[str]:
    """Concrete URLs of one route: one per row of its model for object routes."""
    if not route.placeholders:
        yield route.url()
        return
    song_type = ContentType.objects.get_for_model(Song).pk
    values: dict[str, list[Any]] = {
        # Every version (each is in a different state); a couple of rows of other models.
        "object_id": world.ids(route.model)
        if route.model is ModelVersion
        else world.ids(route.model)[:ROWS_PER_MODEL],
        "version_id": world.ids(ModelVersion),
        "id": world.ids(User),  # auth's "change this user's password"
        "content_type_id": [song_type],
        "app_label": sorted({model._meta.app_label for model in admin.site._registry}),
        "url": ["no-such-page/"],
    }
    unknown = set(route.placeholders) - set(values)
    assert not unknown, f"teach admin_urls() to fill {unknown} of the route {route.route!r}"
    if len(route.placeholders) == 1:
        (name,) = route.placeholders
        for value in values[name]:
            yield route.url(**{name: value})
    else:
        yield route.url(**{name: values[name][0] for name in route.placeholders})


def every_admin_url(world: AdminWorld) -> list[tuple[AdminRoute, str]]:
    return [(route, url) for route in admin_routes() for url in admin_urls(world, route)]


def train_form_data() -> dict[str, str]:
    from recommender.ml.embeddings import Word2VecParams

    defaults = Word2VecParams()
    data = {name: str(getattr(defaults, name)) for name in PARAM_FIELDS}
    data.update(sg="1" if defaults.sg else "0", activate_when_done="always", epochs="1")
    return data


def hostile_posts(world: AdminWorld, route: AdminRoute) -> list[dict[str, Any]]:
    """POST bodies that change rows if obeyed: every action of a changelist on every row, a
    confirmed delete, a filled-in train form, a new superuser, a password change."""
    common: dict[str, Any] = {
        "post": "yes",  # "Yes, I'm sure" on delete pages
        **train_form_data(),
        "username": "mallory",
        "password": "mallory-pw-1",
        "password1": "Mallory-Pw-12345",
        "password2": "Mallory-Pw-12345",
        "usable_password": "true",
        "old_password": "victim-pw-1",
        "new_password1": "Mallory-Pw-12345",
        "new_password2": "Mallory-Pw-12345",
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "name": "hacked",
        "title": "hacked",
        "artist": "hacked",
    }
    if route.model is None or not route.name.endswith("_changelist"):
        return [common]
    model_admin = admin.site._registry[route.model]
    return [
        {**common, "action": name, "index": "0", "_selected_action": world.ids(route.model)}
        for _, name, _ in model_admin._get_base_actions()  # type: ignore[attr-defined]  # private, not in the stubs
    ]


def database_state() -> dict[str, list[Any]]:
    """Every row a request could change: catalogue, versions, accounts, the admin's log."""
    return {
        **catalogue_snapshot(),
        "versions": list(ModelVersion.objects.order_by("id").values()),
        "users": list(User.objects.order_by("id").values()),
        "user_permissions": list(
            User.user_permissions.through.objects.order_by("id").values_list(
                "user_id", "permission_id"
            )
        ),
        "groups": list(Group.objects.order_by("id").values()),
        "group_permissions": list(
            Group.permissions.through.objects.order_by("id").values_list(
                "group_id", "permission_id"
            )
        ),
        "log": list(LogEntry.objects.order_by("id").values()),
    }


def model_permissions(*models: type[Model], actions: tuple[str, ...]) -> list[Permission]:
    return [
        Permission.objects.get(
            content_type=ContentType.objects.get_for_model(model),
            codename=f"{action}_{model._meta.model_name}",
        )
        for model in models
        for action in actions
    ]
