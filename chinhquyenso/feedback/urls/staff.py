"""Officials' pages under ``/can-bo/``: queues, one report with its actions, notifications."""

from django.urls import URLPattern, path

from chinhquyenso.feedback.views import staff

urlpatterns: list[URLPattern] = [
    path("can-bo/phan-anh/", staff.queue, name="staff_queue"),
    path("can-bo/phan-anh/hang-doi/<slug:slug>/", staff.queue, name="staff_queue"),
    path("can-bo/phan-anh/<int:pk>/", staff.report_detail, name="staff_report"),
    path("can-bo/phan-anh/<str:code>/", staff.report_detail, name="staff_report"),
    path("can-bo/phan-anh/<str:code>/thao-tac/<slug:action>/", staff.report_act, name="staff_act"),
    path("can-bo/phan-anh/<str:code>/tep/<int:pk>/", staff.attachment, name="staff_attachment"),
    path("can-bo/thong-bao/", staff.notifications, name="staff_notifications"),
    path(
        "can-bo/thong-bao/<int:pk>/da-doc/",
        staff.notification_read,
        name="staff_notification_read",
    ),
    path(
        "can-bo/thong-bao/da-doc-het/",
        staff.notifications_read_all,
        name="staff_notifications_read_all",
    ),
]
