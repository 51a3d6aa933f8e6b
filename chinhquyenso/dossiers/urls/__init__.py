"""Dossier URLs, one module per audience: citizens and the public look-up, officials."""

from chinhquyenso.dossiers.urls import citizen, staff

app_name = "dossiers"

urlpatterns = [*citizen.urlpatterns, *staff.urlpatterns]
