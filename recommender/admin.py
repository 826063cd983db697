"""Admin for model versions: train a new model, watch it, compare it, activate, roll back.

Staff only (the admin site requires is_staff); each view also checks the model permission it
needs: add = train, change = activate / roll back / cancel, delete = delete, view = see.
The views are thin: every state change is a service of recommender.training.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from recommender.forms import TrainForm
from recommender.metrics_display import (
    EMPTY,
    ablation_rows,
    corpus_facts,
    evaluation_settings,
    headline,
    hyperparameter_rows,
    metric_text,
    metrics_tables,
    timing_facts,
)
from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import (
    ModelVersionRefused,
    QueueUnavailable,
    model_version_activate,
    model_version_cancel,
    model_version_create,
    model_version_delete,
    model_version_rollback,
)

Status = ModelVersion.Status

# Branded as the site (templates/base.html's "songrec"), not "Django administration".
admin.site.site_header = "songrec administration"
admin.site.site_title = "songrec admin"
admin.site.index_title = "Models and catalogue"
# The navigation sidebar repeats the index (two apps, six models) and takes 275 px from every
# list: without it the version list fits 1280 px beside its filters.
admin.site.enable_nav_sidebar = False


def _hit_rate(version: ModelVersion, recommender: str) -> str:
    return metric_text("hit_rate_at_10", version.hit_rate(recommender))


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "status_label",
        "progress",
        # One column per question (its headline figure), so that the list fits 1280 px.
        "next_hit_rate",
        "continuation_model",
        "similar_reach",
        "is_active",
        "created",
        "duration",
    )
    list_display_links = ("name",)
    list_filter = ("status", "is_active")
    ordering = ("-created_at",)
    actions = ("activate_selected", "cancel_selected", "delete_selected_versions")
    change_list_template = "admin/recommender/modelversion/change_list.html"
    change_form_template = "admin/recommender/modelversion/change_form.html"

    # --- permissions: rows change only through services, never through a form.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the "Train a new model" view replaces the add form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # read-only detail page; actions check "change" themselves

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and (obj.is_active or obj.status == Status.RUNNING):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # ours deletes artifacts too
        can_change = _may(request, "change")
        if not can_change:
            actions.pop("activate_selected", None)
            actions.pop("cancel_selected", None)
        if not _may(request, "delete"):
            actions.pop("delete_selected_versions", None)
        return actions

    # --- list columns
    @admin.display(description="version", ordering="id")
    def name(self, obj: ModelVersion) -> str:
        return f"v{obj.pk}"

    @admin.display(description="status", ordering="status")
    def status_label(self, obj: ModelVersion) -> str:
        return format_html(
            '<span class="mv-status" data-version="{}">{}</span>', obj.pk, obj.status
        )

    @admin.display(description="progress")
    def progress(self, obj: ModelVersion) -> str:
        return format_html(
            '<span class="mv-progress" data-version="{}" data-status="{}">'
            '<progress max="100" value="{}"></progress> <small>{}</small></span>',
            obj.pk,
            obj.status,
            obj.progress_percent,
            _progress_text(obj),
        )

    @admin.display(description="next HR@10 (successors)")
    def next_hit_rate(self, obj: ModelVersion) -> str:
        """The model's HR@10, bold where it matches the successor-count baseline beside it."""
        model, best = obj.hit_rate("model"), obj.hit_rate("successors")
        text = _hit_rate(obj, "model")
        if model is not None and best is not None and model >= best:
            text = format_html("<strong>{}</strong>", text)
        return format_html("{} <small>({})</small>", text, _hit_rate(obj, "successors"))

    @admin.display(description="continuation P@10")
    def continuation_model(self, obj: ModelVersion) -> str:
        return metric_text("precision_at_10", headline(obj.metrics, "continuation"))

    @admin.display(description="similar reach")
    def similar_reach(self, obj: ModelVersion) -> str:
        return metric_text("reach", headline(obj.metrics, "similar"))

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: ModelVersion) -> str:
        # ISO-like and short: the admin's default "Dec. 3, 2026, 9:28 a.m." widens the table.
        return date_format(localtime(obj.created_at), "Y-m-d H:i")

    @admin.display(description="took")
    def duration(self, obj: ModelVersion) -> str:
        if obj.started_at and obj.finished_at:
            return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s"
        return EMPTY

    # --- actions
    @admin.action(description="Activate the selected version")
    def activate_selected(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        versions = list(queryset)
        if len(versions) != 1:
            self.message_user(request, "Select exactly one version to activate.", messages.ERROR)
            return
        self._run(request, lambda: model_version_activate(version_id=versions[0].pk), "activated")

    @admin.action(description="Cancel the selected runs")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        for version in queryset:
            self._run(request, lambda v=version: model_version_cancel(version_id=v.pk), "cancelled")

    @admin.action(description="Delete the selected versions and their artifacts")
    def delete_selected_versions(
        self, request: HttpRequest, queryset: QuerySet[ModelVersion]
    ) -> None:
        for version in queryset:
            self._run(request, lambda v=version: model_version_delete(version_id=v.pk), "deleted")

    def _run(self, request: HttpRequest, call: Any, done: str) -> None:
        try:
            result = call()
        except ModelVersionRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        if isinstance(result, ModelVersion):
            self.message_user(request, f"Version v{result.pk} {done}.", messages.SUCCESS)
        else:
            self.message_user(request, f"Version {done}.", messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: ModelVersion) -> None:
        model_version_delete(version_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ModelVersion]) -> None:
        for version in queryset:
            model_version_delete(version_id=version.pk)

    # --- extra views
    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        info = "recommender_modelversion"
        return [
            path("train/", wrap(self.train_view), name=f"{info}_train"),
            path("progress.json", wrap(self.progress_view), name=f"{info}_progress"),
            path("rollback/", wrap(require_POST(self.rollback_view)), name=f"{info}_rollback"),
            path(
                "<int:version_id>/activate/",
                wrap(require_POST(self.activate_view)),
                name=f"{info}_activate",
            ),
            path(
                "<int:version_id>/cancel/",
                wrap(require_POST(self.cancel_view)),
                name=f"{info}_cancel",
            ),
            *super().get_urls(),
        ]

    def train_view(self, request: HttpRequest) -> HttpResponse:
        if not _may(request, "add"):
            raise PermissionDenied
        form = TrainForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                version = model_version_create(
                    params=form.params(),
                    created_by=request.user,
                    activate_when_done=form.cleaned_data["activate_when_done"],
                )
            except QueueUnavailable as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request, f"Version v{version.pk} is queued for training.", messages.SUCCESS
                )
                return HttpResponseRedirect(
                    reverse("admin:recommender_modelversion_change", args=[version.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Train a new model",
            "form": form,
            "defaults": Word2VecParams(),
        }
        return TemplateResponse(request, "admin/recommender/modelversion/train.html", context)

    def progress_view(self, request: HttpRequest) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        raw = request.GET.get("ids", "")
        ids = [int(part) for part in raw.split(",") if part.strip().isdigit()][:200]
        rows = ModelVersion.objects.filter(id__in=ids)
        return JsonResponse(
            {
                "versions": [
                    {
                        "id": row.pk,
                        "status": row.status,
                        "finished": row.is_finished,
                        "is_active": row.is_active,
                        "progress_epoch": row.progress_epoch,
                        "epochs": row.epochs,
                        "percent": row.progress_percent,
                        "text": _progress_text(row),
                        "error": row.error,
                    }
                    for row in rows
                ]
            }
        )

    def activate_view(self, request: HttpRequest, version_id: int) -> HttpResponse:
        if not _may(request, "change"):
            raise PermissionDenied
        get_object_or_404(ModelVersion, pk=version_id)
        self._run(request, lambda: model_version_activate(version_id=version_id), "activated")
        return _back(version_id)

    def cancel_view(self, request: HttpRequest, version_id: int) -> HttpResponse:
        if not _may(request, "change"):
            raise PermissionDenied
        get_object_or_404(ModelVersion, pk=version_id)
        self._run(request, lambda: model_version_cancel(version_id=version_id), "asked to cancel")
        return _back(version_id)

    def rollback_view(self, request: HttpRequest) -> HttpResponse:
        if not _may(request, "change"):
            raise PermissionDenied
        self._run(request, model_version_rollback, "is active again (rolled back)")
        return HttpResponseRedirect(reverse("admin:recommender_modelversion_changelist"))

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {
            "can_train": _may(request, "add"),
            "can_change": _may(request, "change"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        version = self.get_object(request, object_id)
        extra: dict[str, Any] = {
            "can_change": _may(request, "change"),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            **(extra_context or {}),
        }
        if version is not None:
            extra.update(_detail_context(version))
        return super().change_view(request, object_id, form_url, extra_context=extra)


def _may(request: HttpRequest, action: str) -> bool:
    return bool(request.user.has_perm(f"recommender.{action}_modelversion"))


def _back(version_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:recommender_modelversion_change", args=[version_id]))


def _progress_text(version: ModelVersion) -> str:
    if version.status == Status.RUNNING:
        return version.progress_message or f"epoch {version.progress_epoch} of {version.epochs}"
    if version.status == Status.QUEUED:
        return "waiting for a worker"
    if version.status == Status.FAILED:
        return "failed"
    if version.status == Status.CANCELLED:
        return "cancelled"
    return f"{version.epochs} epoch{'' if version.epochs == 1 else 's'}"


def _detail_context(version: ModelVersion) -> dict[str, Any]:
    return {
        "version": version,
        "hyperparameters": hyperparameter_rows(version.hyperparameters),
        "evaluation_settings": evaluation_settings(version.metrics),
        "metric_tables": metrics_tables(version.metrics),
        "ablation_rows": ablation_rows(version.metrics),
        "progress_text": _progress_text(version),
        "timings": timing_facts(version.timings),
        "corpus_stats": corpus_facts(version.corpus_stats),
    }
