"""Public portal pages, login, the citizen's account page and the officials' workspace."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.permissions import (
    has_role,
    role_required,
    roles_of,
    units_visible_to,
)
from chinhquyenso.accounts.services import applicant_register
from chinhquyenso.dossiers.api_public import public_dossier
from chinhquyenso.dossiers.codes import normalise_code
from chinhquyenso.portal.forms import DossierLookupForm, LoginForm, RegistrationForm
from chinhquyenso.portal.selectors import site_province, unit_chain, units_in_tree_order


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"province": site_province(), "lookup_form": DossierLookupForm(auto_id="home_%s")},
    )


@never_cache
@require_GET
def dossier_lookup(request: HttpRequest) -> HttpResponse:
    """Anyone may follow a dossier by its code: status, dates and history, no personal data."""
    form = DossierLookupForm(request.GET or None)
    code = ""
    record = None
    if form.is_valid():
        code = form.cleaned_data["ma"].strip()
        if normalise_code(code) is None:
            form.add_error(
                "ma",
                _(
                    "Mã hồ sơ không đúng dạng. Mã gồm mã cơ quan, ngày nộp (năm, tháng, ngày) "
                    "và số thứ tự, cách nhau bởi dấu gạch ngang, ví dụ 000.00.01.H40-260105-0001."
                ),
            )
            code = ""
        else:
            record = public_dossier(code)
    status = 400 if form.errors else 404 if code and record is None else 200
    return render(
        request,
        "portal/lookup.html",
        {"form": form, "code": code, "record": record},
        status=status,
    )


def landing_url(user: User) -> str:
    """Where a user lands after logging in: officials at work, applicants on their account."""
    if user.is_official and roles_of(user):
        return resolve_url("portal:workspace")
    if user.is_staff:
        return resolve_url("admin:index")
    return resolve_url("portal:account")


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        assert isinstance(user, User)
        return landing_url(user)


class LogoutView(auth_views.LogoutView):
    pass


def register(request: HttpRequest) -> HttpResponse:
    """A citizen or business opens an account; works without JavaScript."""
    if request.user.is_authenticated:
        return redirect("portal:account")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = applicant_register(
                full_name=data["full_name"],
                password=data["password1"],
                email=data["email"] or None,
                phone=data["phone"] or None,
                account_type=data["account_type"],
                organisation_name=data["organisation_name"],
                consent_given=data["consent"],
            )
        except ValidationError as exc:
            # Duplicate contact, malformed phone: shown beside the field it concerns.
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            login(request, user, backend="chinhquyenso.accounts.backends.EmailOrPhoneBackend")
            return redirect("portal:account")
    return render(request, "portal/register.html", {"form": form})


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/account.html", {"account": request.user})


@role_required()
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    held = roles_of(user)
    visible = units_in_tree_order(units_visible_to(user))
    return render(
        request,
        "portal/workspace.html",
        {
            "official": user,
            "unit_chain": unit_chain(user.unit) if user.unit else [],
            "role_labels": [role.label for role in Role if role in held],
            "visible_units": list(visible),
            "is_system_admin": has_role(user, Role.SYSTEM_ADMIN),
            "keeps_seal": user.unit_id is not None
            and has_role(user, Role.CLERK, Role.UNIT_LEADER, Role.SYSTEM_ADMIN),
        },
    )
