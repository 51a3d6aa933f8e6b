from django.urls import path

from chinhquyenso.feedback.views import public

urlpatterns = [
    path("phan-anh/cong-khai/", public.report_list, name="public_list"),
    path("phan-anh/cong-khai/<str:code>/", public.report_detail, name="public_detail"),
    path(
        "phan-anh/cong-khai/<str:code>/tep/<int:attachment_id>/",
        public.attachment,
        name="public_attachment",
    ),
    path("phan-anh/ban-do/", public.report_map, name="public_map"),
    path("phan-anh/ban-do.geojson", public.report_geojson, name="public_geojson"),
    path("phan-anh/thong-ke/", public.unit_stats, name="public_stats"),
]
