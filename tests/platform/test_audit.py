from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from bounty.errors import DomainError
from bounty.models import AuditEvent, Competition
from bounty.services.audit import audit_record
from tests.platform.conftest import login


@pytest.fixture
def event(competition: Competition) -> AuditEvent:
    return audit_record(action="test.event", competition=competition, payload={"n": 1})


def test_audit_events_refuse_updates(event: AuditEvent) -> None:
    event.action = "forged"
    with pytest.raises(DomainError) as error:
        event.save()
    assert error.value.code == "audit_append_only"
    with pytest.raises(DomainError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_audit_events_refuse_deletes(event: AuditEvent) -> None:
    with pytest.raises(DomainError):
        event.delete()
    with pytest.raises(DomainError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_events_are_read_only_in_the_admin(event: AuditEvent, make_user: Callable[..., User]) -> None:
    client = login(make_user("root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:bounty_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:bounty_auditevent_add")).status_code == 403
    change = client.get(reverse("admin:bounty_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    delete = client.post(reverse("admin:bounty_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_every_model_has_an_admin_page(make_user: Callable[..., User], db: None) -> None:
    client = login(make_user("root", is_staff=True, is_superuser=True))
    for model in ("competition", "team", "membership", "termsacceptance", "submission",
                  "modelversion", "auditevent"):  # fmt: skip
        assert client.get(reverse(f"admin:bounty_{model}_changelist")).status_code == 200
