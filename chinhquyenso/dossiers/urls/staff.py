"""Officials' dossier pages under ``/can-bo/ho-so/``: queues, counter registration, one dossier
with its actions, files and slips."""

from django.urls import URLPattern, path

from chinhquyenso.dossiers.views import staff

urlpatterns: list[URLPattern] = [
    path("can-bo/ho-so/", staff.queue, name="staff_queue"),
    path("can-bo/ho-so/hang-doi/<slug:slug>/", staff.queue, name="staff_queue"),
    path("can-bo/ho-so/tiep-nhan/", staff.register, name="staff_register"),
    path("can-bo/ho-so/<str:code>/", staff.dossier_detail, name="staff_dossier"),
    path(
        "can-bo/ho-so/<str:code>/thao-tac/<slug:action>/",
        staff.dossier_act,
        name="staff_act",
    ),
    path("can-bo/ho-so/<str:code>/tep/<int:pk>/", staff.dossier_file, name="staff_file"),
    path("can-bo/ho-so/<str:code>/phieu/<slug:kind>.pdf", staff.dossier_slip, name="staff_slip"),
]
