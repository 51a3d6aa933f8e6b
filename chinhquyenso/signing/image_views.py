"""Staff pages for the images a signature carries: an official's handwritten signature and a
unit's seal.

An official keeps their own signature image (and sees the certificates the system holds for
them); a unit's clerk, who keeps the seal under Decree 30/2020, or its leader keeps the unit's
seal image and its real diameter; a system administrator may do so for any unit they see. The
images are never public: they are served only to those who may change them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.permissions import has_role, role_required, units_visible_to
from chinhquyenso.signing.forms import SealImageForm, SignatureImageForm
from chinhquyenso.signing.models import SealImage, SignatureImage, SigningCredential
from chinhquyenso.signing.services import seal_image_upload, signature_image_upload
from chinhquyenso.units.models import Unit

#: Roles that keep a unit's seal image.
SEAL_KEEPERS = (Role.CLERK, Role.UNIT_LEADER, Role.SYSTEM_ADMIN)


def _official(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _image_response(stored: Any) -> Any:  # a FileResponse
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- an official's own signature image -------------------------------------------------------


@role_required()
@require_http_methods(["GET", "POST"])
def my_signature(request: HttpRequest) -> HttpResponse:
    official = _official(request)
    form = SignatureImageForm()
    status = 200
    if request.method == "POST":
        form = SignatureImageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                signature_image_upload(
                    official=official, file=form.cleaned_data["image"], by=official
                )
            except ValidationError as exc:
                form.add_error("image", exc)
            else:
                messages.success(request, _("Đã lưu ảnh chữ ký mới."))
                return redirect("signing:my_signature")
        status = 400
    image = SignatureImage.objects.filter(official=official).first()
    credentials = SigningCredential.objects.filter(official=official).order_by(
        "-is_active", "-valid_to"
    )
    return render(
        request,
        "signing/my_signature.html",
        {"form": form, "image": image, "credentials": credentials},
        status=status,
    )


@role_required()
@require_GET
def my_signature_image(request: HttpRequest) -> Any:  # a FileResponse
    image = SignatureImage.objects.filter(official=_official(request)).first()
    if image is None:
        raise Http404
    return _image_response(image.image)


# --- a unit's seal ---------------------------------------------------------------------------


def seal_units_for(user: User) -> QuerySet[Unit]:
    """Units whose seal image *user* keeps: every unit they see for a system administrator,
    their own unit for its clerk or leader."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return units_visible_to(user)
    if user.unit_id is not None and has_role(user, Role.CLERK, Role.UNIT_LEADER):
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def _seal_unit(user: User, unit_id: str | None) -> Unit:
    units = seal_units_for(user)
    try:
        if unit_id:
            return units.get(pk=int(unit_id))
        if user.unit_id is not None:
            return units.get(pk=user.unit_id)
    except (Unit.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404 from exc
    raise Http404


@role_required(*SEAL_KEEPERS)
@require_http_methods(["GET", "POST"])
def seal(request: HttpRequest) -> HttpResponse:
    official = _official(request)
    unit = _seal_unit(official, request.GET.get("don-vi"))
    current = SealImage.objects.filter(unit=unit).first()
    form = SealImageForm(initial={"diameter_mm": current.diameter_mm if current else None})
    status = 200
    if request.method == "POST":
        form = SealImageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                seal_image_upload(
                    unit=unit,
                    file=form.cleaned_data["image"],
                    diameter_mm=form.cleaned_data["diameter_mm"],
                    by=official,
                )
            except ValidationError as exc:
                field = "diameter_mm" if exc.code == "seal_diameter" else "image"
                form.add_error(field, exc)
            else:
                messages.success(
                    request, _("Đã lưu ảnh con dấu của %(unit)s.") % {"unit": unit.name}
                )
                return redirect(_seal_url(official, unit))
        status = 400
    credentials = SigningCredential.objects.filter(unit=unit).order_by("-is_active", "-valid_to")
    return render(
        request,
        "signing/seal.html",
        {
            "form": form,
            "unit": unit,
            "image": current,
            "credentials": credentials,
            "image_url": reverse("signing:seal_image", args=[unit.pk]),
            "other_units": (
                seal_units_for(official).only("name", "depth").order_by("path")
                if has_role(official, Role.SYSTEM_ADMIN)
                else None
            ),
        },
        status=status,
    )


def _seal_url(user: User, unit: Unit) -> str:
    url = reverse("signing:seal")
    return url if unit.pk == user.unit_id else f"{url}?don-vi={unit.pk}"


@role_required(*SEAL_KEEPERS)
@require_GET
def seal_image(request: HttpRequest, unit_id: int) -> Any:  # a FileResponse
    unit = _seal_unit(_official(request), str(unit_id))
    image = SealImage.objects.filter(unit=unit).first()
    if image is None:
        raise Http404
    return _image_response(image.image)
