from django.urls import path

from chinhquyenso.procedures import views

app_name = "procedures"

urlpatterns = [
    path("dich-vu-cong/", views.procedure_search, name="search"),
    path("dich-vu-cong/thu-tuc/<str:code>/", views.procedure_detail, name="detail"),
]
