from django.urls import path

from chinhquyenso.signing import image_views, views

app_name = "signing"

urlpatterns = [
    path("ky-so/kiem-tra/", views.verify, name="verify"),
    path("ky-so/chu-ky-cua-toi/", image_views.my_signature, name="my_signature"),
    path("ky-so/chu-ky-cua-toi/anh.png", image_views.my_signature_image, name="my_signature_image"),
    path("ky-so/con-dau/", image_views.seal, name="seal"),
    path("ky-so/con-dau/<int:unit_id>/anh.png", image_views.seal_image, name="seal_image"),
    path("ky-so/pki/ocsp", views.ocsp, name="pki_ocsp"),
    path("ky-so/pki/<str:name>", views.pki_file, name="pki_file"),
]
