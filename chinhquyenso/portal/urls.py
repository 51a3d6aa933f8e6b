from django.urls import path

from chinhquyenso.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("tra-cuu/", views.dossier_lookup, name="dossier_lookup"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-ky/", views.register, name="register"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", views.account, name="account"),
    path("can-bo/", views.workspace, name="workspace"),
]
