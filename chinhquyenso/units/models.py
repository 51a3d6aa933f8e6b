from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from chinhquyenso.core.search import SearchableMixin


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/thành phố")
    PROVINCIAL_COMMITTEE = "provincial_committee", _("UBND tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    OPERATIONS_CENTRE = "operations_centre", _("Trung tâm điều hành")
    DISTRICT = "district", _("Huyện/quận/thị xã (trước 01/7/2025)")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    FRONT_COMMITTEE = "front_committee", _("Ủy ban MTTQ Việt Nam")
    OTHER = "other", _("Đơn vị khác")


#: Kinds that are commune-level local governments after the 2025 reform.
COMMUNE_LEVEL_KINDS = (UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE)


class Unit(SearchableMixin, MP_Node):
    """An administrative unit or agency, in a tree of any depth.

    Units are never deleted: a unit that merges or dissolves gets ``valid_to`` and a
    ``successor``, so older records keep pointing at the unit they were made under.
    """

    kind = models.CharField(_("loại đơn vị"), max_length=30, choices=UnitKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(
        _("tên viết tắt"),
        max_length=30,
        blank=True,
        help_text=_("Dùng trong ký hiệu văn bản, ví dụ UBND, SNV."),
    )
    code = models.CharField(
        _("mã đơn vị hành chính"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Mã theo danh mục đơn vị hành chính quốc gia (xã, tỉnh) hoặc mã nội bộ."),
    )
    agency_code = models.CharField(
        _("mã định danh điện tử"),
        max_length=30,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Mã định danh điện tử cơ quan (QCVN 102:2016), dùng trong mã hồ sơ."),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    # Declared again (MP_Node sets both) for the type checker, which cannot see into treebeard.
    objects: models.Manager[Unit] = MP_NodeManager()
    _default_manager: ClassVar[models.Manager[Unit]]

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        """In force on *day*: ``valid_from`` and ``valid_to`` are both inclusive."""
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_to is None or self.valid_to >= day)

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())
