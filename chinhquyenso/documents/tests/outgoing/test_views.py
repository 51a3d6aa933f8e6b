"""The outgoing pages: who may open what (the standard cast), and the chain through the forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chinhquyenso.accounts.models import User
from chinhquyenso.documents import outgoing
from chinhquyenso.documents.models import (
    DeliveryStatus,
    Document,
    DocumentFile,
    DocumentType,
    Status,
)
from chinhquyenso.documents.selectors import current_file
from chinhquyenso.documents.tests.outgoing.conftest import (
    decision_pdf,
    draft,
    issued,
    reply_docx,
    upload,
)

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def document(issuing: dict[str, Any], decision_type: DocumentType) -> Document:
    return draft(
        issuing,
        decision_type,
        data=reply_docx() if _has_soffice() else decision_pdf(),
        name="du-thao.docx" if _has_soffice() else "du-thao.pdf",
        recipients_text="Sở Tài chính tỉnh Hà Tĩnh (000.00.12.H30)",
    )


def _has_soffice() -> bool:
    from chinhquyenso.documents.convert import soffice_path

    return soffice_path() is not None


def _addresses(document: Document) -> dict[str, str]:
    version = current_file(document)
    assert version is not None
    pk = document.pk
    return {
        "queue": reverse("documents:outgoing_queue"),
        "create": reverse("documents:outgoing_create"),
        "detail": reverse("documents:outgoing_detail", kwargs={"pk": pk}),
        "act": reverse("documents:outgoing_act", kwargs={"pk": pk, "action": "gop-y"}),
        "sign": reverse("documents:outgoing_sign", kwargs={"pk": pk}),
        "preview": reverse(
            "documents:outgoing_preview", kwargs={"pk": pk, "file_pk": version.pk, "page": 1}
        ),
        "source": reverse("documents:outgoing_source", kwargs={"pk": pk, "file_pk": version.pk}),
        "edxml": reverse("documents:outgoing_edxml", kwargs={"pk": pk, "delivery_pk": 1}),
        "recalls": reverse("documents:outgoing_recalls"),
        "recall_answer": reverse("documents:outgoing_recall_answer", kwargs={"pk": 1}),
    }


POSTS = {"act", "recall_answer"}


def _open(client: Client, name: str, address: str) -> Any:
    if name in POSTS:
        return client.post(address, {"gop-y-text": "Góp ý"})
    return client.get(address)


def test_anonymous_visitors_are_sent_to_log_in(document: Document) -> None:
    for name, address in _addresses(document).items():
        response = _open(client_for(None), name, address)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/dang-nhap/"), name


def test_citizens_find_nothing(document: Document, charlie: User) -> None:
    for name, address in _addresses(document).items():
        assert _open(client_for(charlie), name, address).status_code == 404, name


def test_officials_of_another_unit_find_nothing_of_this_unit(document: Document, bob: User) -> None:
    client = client_for(bob)
    for name, address in _addresses(document).items():
        expected = 200 if name in ("queue", "create") else 404
        assert _open(client, name, address).status_code == expected, name
    assert document.subject not in client.get(reverse("documents:outgoing_queue")).content.decode()


def test_officials_of_the_unit_see_what_their_role_allows(
    document: Document, alice: User, mayor: User, clerk: User
) -> None:
    addresses = _addresses(document)
    alice_client = client_for(alice)
    for name in ("queue", "create", "detail", "preview"):
        assert alice_client.get(addresses[name]).status_code == 200, name
    assert alice_client.get(addresses["sign"]).status_code == 404  # signing is for leaders
    assert alice_client.get(addresses["edxml"]).status_code == 404  # packages are the clerk's
    assert alice_client.get(addresses["recalls"]).status_code == 404
    preview = alice_client.get(addresses["preview"])
    assert preview["Content-Type"] == "image/png" and preview.content.startswith(b"\x89PNG")
    if _has_soffice():
        source = alice_client.get(addresses["source"])
        assert source.status_code == 200 and source.getvalue().startswith(b"PK")
    # An action not allowed now (approving a draft not submitted) is refused with a message.
    response = client_for(mayor).post(
        reverse("documents:outgoing_act", kwargs={"pk": document.pk, "action": "duyet"}),
        {"approve-version": current_file(document).pk},  # type: ignore[union-attr]
        follow=True,
    )
    assert "không thực hiện được" in response.content.decode()
    assert client_for(clerk).get(addresses["recalls"]).status_code == 200
    assert client_for(clerk).get(addresses["create"]).status_code == 404  # clerks do not draft


def test_the_chain_through_the_pages(
    issuing: dict[str, Any], decision_type: DocumentType, alice: User, mayor: User, clerk: User
) -> None:
    alice_client = client_for(alice)
    form = alice_client.get(reverse("documents:outgoing_create"))
    assert "Nơi nhận trong hệ thống" in form.content.decode()
    response = alice_client.post(
        reverse("documents:outgoing_create"),
        {
            "document_type": decision_type.pk,
            "subject": "Quyết định thành lập tổ công tác chuyển đổi số",
            "urgency": "urgent",
            "secrecy": "none",
            "signer": mayor.pk,
            "recipient_units": [issuing["recipient"].pk],
            "file": upload(decision_pdf(placeholders=False), "quyet-dinh.pdf"),
        },
    )
    document = Document.objects.get()
    detail = reverse("documents:outgoing_detail", kwargs={"pk": document.pk})
    assert response.status_code == 302 and response["Location"] == detail
    act = lambda slug: reverse(  # noqa: E731
        "documents:outgoing_act", kwargs={"pk": document.pk, "action": slug}
    )
    assert (
        alice_client.post(act("trinh"), {"submit_for_review-note": "Kính trình."}).status_code
        == 302
    )

    mayor_client = client_for(mayor)
    page = mayor_client.get(detail).content.decode()
    assert "Duyệt phiên bản này" in page and "Trả lại" in page
    version = current_file(document)
    assert version is not None
    mayor_client.post(act("duyet"), {"approve-version": version.pk})
    document.refresh_from_db()
    assert document.status == Status.APPROVED

    sign_page = mayor_client.get(reverse("documents:outgoing_sign", kwargs={"pk": document.pk}))
    content = sign_page.content.decode()
    assert sign_page.status_code == 200
    assert (
        reverse(
            "documents:outgoing_preview",
            kwargs={"pk": document.pk, "file_pk": version.pk, "page": 1},
        )
        in content
    )
    outside = mayor_client.post(
        reverse("documents:outgoing_sign", kwargs={"pk": document.pk}),
        {
            "version": version.pk,
            "placement": "box",
            "page": 1,
            "left_mm": 180,
            "top_mm": 150,
            "width_mm": 50,
            "height_mm": 22,
        },
    )
    assert outside.status_code == 400
    assert "vượt ra ngoài trang 1" in outside.content.decode()
    signed = mayor_client.post(
        reverse("documents:outgoing_sign", kwargs={"pk": document.pk}),
        {
            "version": version.pk,
            "placement": "box",
            "page": 1,
            "left_mm": 110,
            "top_mm": 105,
            "width_mm": 50,
            "height_mm": 22,
        },
    )
    assert signed.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.SIGNED

    clerk_client = client_for(clerk)
    clerk_client.post(act("cap-so"), {})
    clerk_client.post(act("ban-hanh"), {})
    document.refresh_from_db()
    assert document.status == Status.ISSUED and document.reference == "01/QĐ-UBND"
    page = alice_client.get(detail).content.decode()
    assert "Tình trạng ở nơi nhận" in page and "Xã Anh Sơn" in page and "Đã đến" in page
    assert document.files.filter(kind=DocumentFile.Kind.ISSUED).exists()


def test_the_draft_form_shows_the_service_refusal_beside_the_field(
    issuing: dict[str, Any], decision_type: DocumentType, alice: User, mayor: User
) -> None:
    response = client_for(alice).post(
        reverse("documents:outgoing_create"),
        {
            "document_type": decision_type.pk,
            "subject": "Thiếu nơi nhận",
            "urgency": "normal",
            "secrecy": "none",
            "signer": mayor.pk,
            "file": upload(decision_pdf(), "quyet-dinh.pdf"),
        },
    )
    assert response.status_code == 400
    assert "Cần chọn ít nhất một nơi nhận" in response.content.decode()
    assert not Document.objects.exists()


def test_recall_through_the_pages(
    issuing: dict[str, Any], decision_type: DocumentType, clerk: User, other_clerk: User
) -> None:
    document = issued(issuing, decision_type)
    detail = reverse("documents:outgoing_detail", kwargs={"pk": document.pk})
    client_for(clerk).post(
        reverse("documents:outgoing_act", kwargs={"pk": document.pk, "action": "thu-hoi"}),
        {"recall-reason": "Sai thể thức."},
    )
    [delivery] = document.deliveries.all()
    recipient = client_for(other_clerk)
    listing = recipient.get(reverse("documents:outgoing_recalls")).content.decode()
    assert "Sai thể thức." in listing and "01/QĐ-UBND" in listing
    answer = reverse("documents:outgoing_recall_answer", kwargs={"pk": delivery.pk})
    prefix = f"thu-hoi-{delivery.pk}"
    refused = recipient.post(answer, {f"{prefix}-answer": "tu-choi"})
    assert refused.status_code == 400
    assert "Cần nêu lý do từ chối thu hồi." in refused.content.decode()
    assert recipient.post(answer, {f"{prefix}-answer": "dong-y"}).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RECALL_ACCEPTED
    page = client_for(clerk).get(detail).content.decode()
    assert "Đồng ý thu hồi" in page


def test_the_clerk_downloads_the_edxml_package_of_an_outside_recipient(
    issuing: dict[str, Any], decision_type: DocumentType, clerk: User, alice: User
) -> None:
    document = issued(
        issuing, decision_type, recipients_text="Sở Tài chính tỉnh Hà Tĩnh (000.00.12.H30)"
    )
    external = document.deliveries.get(recipient_unit__isnull=True)
    address = reverse(
        "documents:outgoing_edxml", kwargs={"pk": document.pk, "delivery_pk": external.pk}
    )
    response = client_for(clerk).get(address)
    assert response.status_code == 200 and b"QCVN_102_2016" in response.content
    assert client_for(alice).get(address).status_code == 404
    assert outgoing.parse_external_recipients(document.recipients_text)[0].code == "000.00.12.H30"


def test_the_signing_page_refuses_a_version_that_is_not_the_approved_one(
    issuing: dict[str, Any], decision_type: DocumentType, mayor: User
) -> None:
    from chinhquyenso.documents.tests.outgoing.conftest import approved

    document = draft(issuing, decision_type)
    first = current_file(document)
    assert first is not None
    outgoing.outgoing_submit(document=document, by=issuing["drafter"])
    outgoing.outgoing_return(document=document, by=mayor, comment="Sửa lại trích yếu.")
    outgoing.outgoing_upload_version(
        document=document, by=issuing["drafter"], upload=upload(decision_pdf(), "v2.pdf")
    )
    second = approved(issuing, document)
    response = client_for(mayor).post(
        reverse("documents:outgoing_sign", kwargs={"pk": document.pk}),
        {"version": first.pk, "placement": "placeholder", "page": 1},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Chỉ ký được phiên bản đã được duyệt. Phiên bản 1 chưa được duyệt" in content
    document.refresh_from_db()
    assert document.status == Status.APPROVED
    assert second.approved
