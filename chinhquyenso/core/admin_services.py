"""Admin pages whose saves go through the service layer.

Django's admin saves a ``ModelForm`` straight into the table, which would skip the services'
checks, locks and audit rows. A :class:`ServiceModelAdmin` instead shows a plain
:class:`ServiceForm` (input only) and calls :meth:`ServiceModelAdmin.save_with_services`, so
every admin edit is the same write as anywhere else.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest


class ServiceForm(forms.Form):
    """A form that reads input for a service; it never writes the model itself."""

    model: ClassVar[type[models.Model]]

    def __init__(self, *args: Any, instance: models.Model | None = None, **kwargs: Any) -> None:
        self.instance = instance if instance is not None else self.model()
        # The admin's read-only fields look up labels and help texts here, as on a ModelForm.
        self._meta = SimpleNamespace(model=self.model, labels=None, help_texts=None)
        if instance is not None and instance.pk is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)

    def initial_from(self, instance: Any) -> dict[str, Any]:
        """The form's starting values for an existing *instance*."""
        return {}


class ServiceModelAdmin(admin.ModelAdmin):
    """An admin whose add and change forms are :class:`ServiceForm` classes."""

    add_form: type[ServiceForm]
    change_form: type[ServiceForm]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        return self.change_form if obj is not None else self.add_form

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        return form.instance

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self.save_with_services(request, form.cleaned_data, obj if change else None)
        # The admin goes on with *obj* (history entry, redirect), so give it the saved state.
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing: the service already saved everything the form holds."""

    def save_with_services(
        self, request: HttpRequest, data: dict[str, Any], obj: Any
    ) -> models.Model:
        """Create (*obj* is ``None``) or change *obj* from the form's *data*; return it."""
        raise NotImplementedError

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
