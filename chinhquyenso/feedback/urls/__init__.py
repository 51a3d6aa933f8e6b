"""Feedback URLs, one module per audience: citizens, the public pages, officials."""

from chinhquyenso.feedback.urls import citizen, public, staff

app_name = "feedback"

urlpatterns = [*citizen.urlpatterns, *public.urlpatterns, *staff.urlpatterns]
