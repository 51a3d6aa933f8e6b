"""Language choice: Vietnamese unless the visitor picked English with the language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

#: Paths of machine clients, which may ask for a language with the Accept-Language header.
API_PREFIX = "/api/"


class PortalLocaleMiddleware(LocaleMiddleware):
    """Like Django's, but web pages ignore the browser's Accept-Language header.

    The portal is Vietnamese first: a phone set to English still gets the Vietnamese pages,
    and only the language switch (the ``django_language`` cookie) changes that. API clients
    keep Django's usual negotiation.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(API_PREFIX):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
