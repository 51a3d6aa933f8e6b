"""The citizen's pages under /phan-anh/ (no account needed)."""

from django.urls import URLPattern, path

from chinhquyenso.feedback.views import citizen

urlpatterns: list[URLPattern] = [
    path("phan-anh/", citizen.index, name="index"),
    path("phan-anh/gui/", citizen.report_new, name="report_new"),
    path("phan-anh/gui/xac-nhan/", citizen.report_confirm, name="report_confirm"),
    path("phan-anh/da-gui/<str:token>/", citizen.report_sent, name="report_sent"),
    path("phan-anh/tra-cuu/", citizen.lookup, name="lookup"),
    path("phan-anh/theo-doi/<str:token>/", citizen.follow, name="follow"),
    path(
        "phan-anh/theo-doi/<str:token>/bo-sung/",
        citizen.follow_supply_info,
        name="follow_supply_info",
    ),
    path(
        "phan-anh/theo-doi/<str:token>/tep/<int:attachment_id>/",
        citizen.follow_attachment,
        name="follow_attachment",
    ),
    path("phan-anh/theo-doi/<str:token>/danh-gia/", citizen.follow_rate, name="follow_rate"),
]
