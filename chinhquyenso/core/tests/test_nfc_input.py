"""Text typed with combining marks (NFD) reaches views and the database in NFC."""

import json
import unicodedata

import pytest
from django.http import HttpRequest, JsonResponse
from django.test import RequestFactory

from chinhquyenso.accounts.models import User
from chinhquyenso.core.middleware import NfcInputMiddleware

NAME = "Nguyễn Thị Ánh"
NFD_NAME = unicodedata.normalize("NFD", NAME)


def echo(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body) if request.content_type == "application/json" else {}
    return JsonResponse({"get": request.GET.get("q"), "post": request.POST.get("name"), **body})


middleware = NfcInputMiddleware(echo)


def test_query_string_form_and_json_are_normalised():
    rf = RequestFactory()
    assert NFD_NAME != NAME
    got = json.loads(middleware(rf.get("/", {"q": NFD_NAME})).content)
    assert got["get"] == NAME
    got = json.loads(middleware(rf.post("/", {"name": NFD_NAME})).content)
    assert got["post"] == NAME
    request = rf.post("/", json.dumps({"ten": NFD_NAME}, ensure_ascii=False), "application/json")
    assert json.loads(middleware(request).content)["ten"] == NAME


def test_undecodable_json_is_left_for_the_api_to_refuse():
    request = RequestFactory().post("/", b"\xff\xfe{", "application/json")
    NfcInputMiddleware(lambda request: JsonResponse({}))(request)
    assert request.body == b"\xff\xfe{"


@pytest.mark.django_db
def test_registration_typed_in_nfd_is_stored_in_nfc(client):
    client.post(
        "/dang-ky/",
        {
            "account_type": "citizen",
            "full_name": NFD_NAME,
            "phone": "0987654321",
            "password1": "mua-xuan-2026",
            "password2": "mua-xuan-2026",
            "consent": "on",
        },
    )
    assert User.objects.get(phone="0987654321").full_name == NAME
