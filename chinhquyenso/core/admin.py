import json
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.models import AuditEntry, CalendarDay
from chinhquyenso.core.services import calendar_day_remove, calendar_day_set


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Days off and swapped working days decided each year, overriding the default calendar.

    Every write goes through :mod:`chinhquyenso.core.services`, so it is audited.
    """

    list_display = ["date", "weekday", "kind", "reason", "legal_basis"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["reason", "legal_basis"]
    search_help_text = _("Tìm theo lý do hoặc căn cứ.")
    ordering = ["-date"]
    fields = ["date", "kind", "reason", "legal_basis"]
    help_texts = {
        "date": _("Mỗi ngày chỉ có một dòng. Muốn đổi ngày thì xóa dòng cũ và thêm dòng mới."),
        "kind": _(
            "«Ngày nghỉ»: nghỉ cả ngày dù là ngày thường. «Ngày làm việc bù»: làm việc cả ngày "
            "dù là thứ Bảy, Chủ nhật hoặc ngày lễ trong lịch mặc định."
        ),
        "legal_basis": _("Văn bản quyết định, ví dụ: Công văn số 2450/VPCP-KGVX ngày 12/4/2024."),
    }
    weekday_names = [
        _("Thứ Hai"),
        _("Thứ Ba"),
        _("Thứ Tư"),
        _("Thứ Năm"),
        _("Thứ Sáu"),
        _("Thứ Bảy"),
        _("Chủ nhật"),
    ]

    @admin.display(description=_("thứ"), ordering="date")
    def weekday(self, day: CalendarDay) -> str:
        return str(self.weekday_names[day.date.weekday()])

    def get_form(
        self,
        request: HttpRequest,
        obj: CalendarDay | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        kwargs.setdefault("help_texts", self.help_texts)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarDay | None = None
    ) -> list[str] | tuple[str, ...]:
        # The date identifies the entry (one row per date).
        return ["date"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        saved = calendar_day_set(
            date=obj.date,
            kind=obj.kind,
            reason=obj.reason,
            legal_basis=obj.legal_basis,
            by=request.user,
        )
        obj.pk, obj.reason, obj.legal_basis = saved.pk, saved.reason, saved.legal_basis

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_remove(date=obj.date, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        with transaction.atomic():
            for day in queryset:
                calendar_day_remove(date=day.date, by=request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read-only: rows are only ever appended by ``audit_record()``."""

    list_display = [
        "sequence",
        "occurred_at",
        "actor_label",
        "action",
        "object_type",
        "object_repr",
        "ip_address",
        "source",
    ]
    list_filter = ["action", "object_type", ("occurred_at", admin.DateFieldListFilter)]
    date_hierarchy = "occurred_at"
    # "sequence__exact" compares as text, so a search for words never fails on the number.
    search_fields = ["sequence__exact", "actor_label", "action", "object_repr", "=object_id"]
    search_help_text = _(
        "Tìm theo số thứ tự, người thực hiện, hành động, đối tượng hoặc mã đối tượng."
    )
    ordering = ["-sequence"]
    list_per_page = 50
    show_full_result_count = False
    fieldsets = [
        (_("Sự kiện"), {"fields": ["sequence", "occurred_at", "action"]}),
        (_("Người thực hiện"), {"fields": ["actor_label", "actor", "ip_address", "source"]}),
        (_("Đối tượng"), {"fields": ["object_type", "object_id", "object_repr", "changes_table"]}),
        (_("Chuỗi băm"), {"fields": ["previous_hash", "entry_hash"]}),
    ]
    readonly_fields = [
        "sequence",
        "occurred_at",
        "action",
        "actor_label",
        "actor",
        "ip_address",
        "source",
        "object_type",
        "object_id",
        "object_repr",
        "changes_table",
        "previous_hash",
        "entry_hash",
    ]

    @admin.display(description=_("thay đổi (trước → sau)"))
    def changes_table(self, entry: AuditEntry) -> str:
        changes = entry.changes or {}
        pairs = [v for v in changes.values() if isinstance(v, list) and len(v) == 2]
        if not changes or len(pairs) != len(changes):
            return format_html("<pre>{}</pre>", json.dumps(changes, ensure_ascii=False, indent=2))
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
            (
                (
                    field,
                    json.dumps(before, ensure_ascii=False),
                    json.dumps(after, ensure_ascii=False),
                )
                for field, (before, after) in changes.items()
            ),
        )
        return format_html(
            '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("Trường"),
            _("Trước"),
            _("Sau"),
            rows,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
