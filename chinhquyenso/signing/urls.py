from django.urls import path

from chinhquyenso.signing import views

app_name = "signing"

urlpatterns = [
    path("ky-so/kiem-tra/", views.verify, name="verify"),
    path("ky-so/pki/ocsp", views.ocsp, name="pki_ocsp"),
    path("ky-so/pki/<str:name>", views.pki_file, name="pki_file"),
]
