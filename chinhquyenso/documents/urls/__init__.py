"""Documents URLs under ``/can-bo/van-ban/``, one module per side: incoming (with the registers
and the follow-up list) and outgoing."""

from chinhquyenso.documents.urls import incoming, outgoing

app_name = "documents"

urlpatterns = [*incoming.urlpatterns, *outgoing.urlpatterns]
