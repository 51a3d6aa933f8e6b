"""The citizen's dossier pages: online submission under the catalogue, own dossiers under the
account. The public look-up by code is the portal's ``/tra-cuu/``."""

from django.urls import path

from chinhquyenso.dossiers.views import citizen

urlpatterns = [
    path("dich-vu-cong/thu-tuc/<str:code>/nop-ho-so/", citizen.start, name="start"),
    path("tai-khoan/ho-so/", citizen.my_dossiers, name="my_dossiers"),
    path("tai-khoan/ho-so/nhap/<int:pk>/", citizen.draft, name="draft"),
    path("tai-khoan/ho-so/tep/<int:pk>/", citizen.dossier_file, name="my_file"),
    path("tai-khoan/ho-so/<str:code>/", citizen.my_dossier, name="my_dossier"),
    path("tai-khoan/ho-so/<str:code>/bo-sung/", citizen.supply, name="supply"),
    path("tai-khoan/ho-so/<str:code>/rut/", citizen.withdraw, name="withdraw"),
    path("tai-khoan/ho-so/<str:code>/danh-gia/", citizen.rate, name="rate"),
    path("tai-khoan/ho-so/<str:code>/nop-phi/", citizen.pay, name="pay"),
    path("tai-khoan/ho-so/<str:code>/phieu/<str:kind>/", citizen.slip, name="my_slip"),
]
