"""Incoming documents pages, the follow-up list, the registers and document files under
``/can-bo/van-ban/``."""

from django.urls import URLPattern, path

from chinhquyenso.documents.views import incoming, registers

urlpatterns: list[URLPattern] = [
    path("can-bo/van-ban/den/", incoming.queue, name="incoming_queue"),
    path("can-bo/van-ban/den/hang-doi/<slug:slug>/", incoming.queue, name="incoming_queue_slug"),
    path("can-bo/van-ban/den/vao-so/", incoming.register, name="incoming_register"),
    path("can-bo/van-ban/den/vao-so/edxml/", incoming.register_edxml, name="incoming_edxml"),
    path("can-bo/van-ban/den/da-den/<int:pk>/", incoming.arrival_detail, name="arrival_detail"),
    path(
        "can-bo/van-ban/den/da-den/<int:pk>/tep/<int:file_pk>/",
        incoming.arrival_file,
        name="arrival_file",
    ),
    path(
        "can-bo/van-ban/den/da-den/<int:pk>/vao-so/",
        incoming.arrival_accept,
        name="arrival_accept",
    ),
    path(
        "can-bo/van-ban/den/da-den/<int:pk>/tu-choi/",
        incoming.arrival_refuse,
        name="arrival_refuse",
    ),
    path("can-bo/van-ban/den/<int:pk>/", incoming.document_detail, name="incoming_detail"),
    path(
        "can-bo/van-ban/den/<int:pk>/thao-tac/<slug:action>/",
        incoming.document_act,
        name="incoming_act",
    ),
    path("can-bo/van-ban/theo-doi/", incoming.follow_up, name="follow_up"),
    path("can-bo/van-ban/tep/<int:pk>/", incoming.document_file, name="file"),
    path("can-bo/van-ban/so/", registers.register_list, name="registers"),
    path(
        "can-bo/van-ban/so/<int:pk>/<int:year>.<str:fmt>",
        registers.register_download,
        name="register_download",
    ),
]
