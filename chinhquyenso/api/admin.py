"""Administration of connected systems; every change goes through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.services import (
    api_client_create,
    api_client_revoke,
    api_client_rotate_key,
    api_client_update,
)


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Quyền"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "units"]


def _show_key(request: HttpRequest, client: ApiClient, key: str) -> TemplateResponse:
    """The one page that ever shows the key; never cached."""
    response = TemplateResponse(
        request,
        "admin/api/apiclient/key_shown.html",
        {
            "title": _("Khóa API của “%s”") % client.name,
            "client": client,
            "key": key,
            "opts": ApiClient._meta,
            **admin.site.each_context(request),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "key_prefix", "scope_list", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix"]
    filter_horizontal = ["units"]
    readonly_fields = ["key_prefix", "is_active", "created_at", "last_used_at"]
    actions = ["revoke", "rotate_key"]

    @admin.display(description=gettext_lazy("Quyền"))
    def scope_list(self, obj: ApiClient) -> str:
        return ", ".join(obj.scopes)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The name identifies the system in the audit log; it is set once.
        return [*self.readonly_fields, "name"] if obj else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["name", "scopes", "units"] if obj is None else super().get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            api_client_update(
                client=obj, scopes=data["scopes"], units=data["units"], by=request.user
            )
            return
        client, key = api_client_create(
            name=data["name"], scopes=data["scopes"], units=data["units"], by=request.user
        )
        obj.pk = client.pk
        request._api_key_shown = (client, key)  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Units were saved by the service, with the audit row."""

    def response_add(
        self, request: HttpRequest, obj: ApiClient, post_url_continue: Any = None
    ) -> HttpResponse:
        client, key = request._api_key_shown  # type: ignore[attr-defined]
        return _show_key(request, client, key)

    @admin.action(description=gettext_lazy("Thu hồi khóa API đã chọn"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            try:
                api_client_revoke(client=client, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
            else:
                self.message_user(request, _("Đã thu hồi khóa của “%s”.") % client.name)

    @admin.action(description=gettext_lazy("Cấp khóa mới (khóa cũ hết hiệu lực ngay)"))
    def rotate_key(
        self, request: HttpRequest, queryset: QuerySet[ApiClient]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Chọn đúng một hệ thống để cấp khóa mới."), messages.ERROR)
            return None
        try:
            client, key = api_client_rotate_key(client=queryset.get(), by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return None
        return _show_key(request, client, key)
