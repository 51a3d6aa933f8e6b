"""The public verification page, and the demo PKI's CRLs, certificates and OCSP responder."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from chinhquyenso.signing.errors import PdfRefused
from chinhquyenso.signing.forms import VerifyForm
from chinhquyenso.signing.trust import demo_pki
from chinhquyenso.signing.verification import VerificationReport, verify_pdf


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone uploads a PDF and reads, in Vietnamese, what its signatures are worth."""
    report: VerificationReport | None = None
    status = 200
    if request.method != "POST":
        form = VerifyForm()
    else:
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = verify_pdf(form.cleaned_data["file"].read())
            except PdfRefused as refused:
                form.add_error("file", refused.message)
        if not form.is_valid():
            status = 400
    return render(request, "signing/verify.html", {"form": form, "report": report}, status=status)


_PKI_FILES = {
    "ca.crl": ("crl", "application/pkix-crl"),
    "root.crl": ("root_crl", "application/pkix-crl"),
    "root.crt": ("root", "application/pkix-cert"),
    "ca.crt": ("ca", "application/pkix-cert"),
}


def pki_file(request: HttpRequest, name: str) -> HttpResponse:
    """The demo PKI's CRLs and CA certificates (the addresses written in its certificates)."""
    pki = demo_pki()
    if pki is None or name not in _PKI_FILES:
        raise Http404
    what, content_type = _PKI_FILES[name]
    if what == "crl":
        data = pki.crl()
    elif what == "root_crl":
        data = pki.root_crl()
    else:
        from cryptography.hazmat.primitives.serialization import Encoding

        data = pki.certificate(what).public_bytes(Encoding.DER)
    return HttpResponse(data, content_type=content_type)


@csrf_exempt  # OCSP clients post DER requests, not forms
@require_POST
def ocsp(request: HttpRequest) -> HttpResponse:
    """The demo PKI's OCSP responder (RFC 6960, POST)."""
    pki = demo_pki()
    if pki is None:
        raise Http404
    return HttpResponse(
        pki.ocsp_response(request.body[:65536]), content_type="application/ocsp-response"
    )
