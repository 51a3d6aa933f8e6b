from django.urls import path

from chinhquyenso.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("can-bo/", views.workspace, name="workspace"),
]
