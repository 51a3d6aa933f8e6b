"""Payment URLs: the payer's pages under ``/thanh-toan/``, the reconciliation under ``/can-bo/``."""

from django.urls import path

from chinhquyenso.payments import views

app_name = "payments"

urlpatterns = [
    path("thanh-toan/ket-qua/", views.payment_return, name="return"),
    path("thanh-toan/ipn/", views.ipn, name="ipn"),
    path("thanh-toan/mo-phong/", views.simulator_page, name="simulator"),
    path("thanh-toan/bien-lai/<str:txn_ref>/", views.receipt, name="receipt"),
    path("thanh-toan/giao-dich/<str:txn_ref>/", views.pay, name="pay"),
    path("can-bo/thanh-toan/", views.reconciliation, name="reconciliation"),
    path("can-bo/thanh-toan/doi-soat.csv", views.reconciliation_csv, name="reconciliation_csv"),
]
