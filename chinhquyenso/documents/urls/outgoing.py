"""Outgoing documents pages under ``/can-bo/van-ban/di/``."""

from django.urls import URLPattern, path

from chinhquyenso.documents.views import outgoing

urlpatterns: list[URLPattern] = [
    path("can-bo/van-ban/di/", outgoing.queue, name="outgoing_queue"),
    path("can-bo/van-ban/di/hang-doi/<slug:slug>/", outgoing.queue, name="outgoing_queue_slug"),
    path("can-bo/van-ban/di/soan-thao/", outgoing.create, name="outgoing_create"),
    path("can-bo/van-ban/di/thu-hoi/", outgoing.recalls, name="outgoing_recalls"),
    path(
        "can-bo/van-ban/di/thu-hoi/<int:pk>/",
        outgoing.recall_answer,
        name="outgoing_recall_answer",
    ),
    path("can-bo/van-ban/di/<int:pk>/", outgoing.detail, name="outgoing_detail"),
    path(
        "can-bo/van-ban/di/<int:pk>/thao-tac/<slug:action>/",
        outgoing.act,
        name="outgoing_act",
    ),
    path("can-bo/van-ban/di/<int:pk>/ky-so/", outgoing.sign, name="outgoing_sign"),
    path(
        "can-bo/van-ban/di/<int:pk>/tep/<int:file_pk>/trang-<int:page>.png",
        outgoing.preview,
        name="outgoing_preview",
    ),
    path(
        "can-bo/van-ban/di/<int:pk>/tep/<int:file_pk>/docx/",
        outgoing.source,
        name="outgoing_source",
    ),
    path(
        "can-bo/van-ban/di/<int:pk>/edxml/<int:delivery_pk>/",
        outgoing.edxml_package,
        name="outgoing_edxml",
    ),
]
