from django.contrib import admin
from django.urls import include, path

from chinhquyenso.api.api import api
from chinhquyenso.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("open311/v2/", include("chinhquyenso.feedback.urls.open311")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("", include("chinhquyenso.feedback.urls")),
    path("", include("chinhquyenso.procedures.urls")),
    path("", include("chinhquyenso.dossiers.urls")),
    path("", include("chinhquyenso.payments.urls")),
    path("", include("chinhquyenso.signing.urls")),
    path("", include("chinhquyenso.documents.urls")),
    path("", include("chinhquyenso.portal.urls")),
]

handler404 = "chinhquyenso.core.views.page_not_found"
handler500 = "chinhquyenso.core.views.server_error"
