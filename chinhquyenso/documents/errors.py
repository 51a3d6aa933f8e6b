"""The one error the documents services raise: a refused write with a Vietnamese message."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class DocumentError(ValidationError):
    """A refused write, with a message meant for the person who tried it.

    ``field`` names the input it concerns (``"file"``, ``"lead"``, ``"due_on"``, …) or is
    ``None`` for the request as a whole; forms show it beside that field, the API in its error
    shape.
    """

    def __init__(self, message: Any, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field
