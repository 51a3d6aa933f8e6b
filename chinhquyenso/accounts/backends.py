"""Log in with an e-mail address or a phone number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from chinhquyenso.accounts.models import User
from chinhquyenso.accounts.phone import normalise_phone


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        identifier = (username or kwargs.get("email") or "").strip()
        if not identifier or password is None:
            return None
        condition = Q(email__iexact=identifier)
        phone = normalise_phone(identifier)
        if phone:
            condition |= Q(phone=phone)
        user = User.objects.filter(condition).first()
        if user is None:
            # Spend the same time as a real check so timing does not reveal unknown accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
