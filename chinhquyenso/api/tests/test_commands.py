import pytest
from django.core.management import CommandError, call_command

from chinhquyenso.api.models import ApiClient
from chinhquyenso.api.selectors import api_client_by_key
from chinhquyenso.core.context import audit_origin
from chinhquyenso.core.models import AuditEntry


def test_create_api_key_prints_the_key_once(capsys, province, commune):
    # The console script names the command for the audit log (see test_cli_names_the_command).
    with audit_origin("command create-api-key"):
        call_command(
            "create-api-key",
            "--name",
            "Hệ thống một cửa",
            "--scope",
            "units:read",
            "--scope",
            "calendar:read",
            "--unit-code",
            "16681",
        )
    out = capsys.readouterr().out
    assert "Đã tạo khóa API cho “Hệ thống một cửa”." in out
    key = out.strip().splitlines()[-1]
    client = api_client_by_key(key)
    assert client is not None and client.name == "Hệ thống một cửa"
    assert client.scopes == ["units:read", "calendar:read"]
    assert list(client.units.all()) == [commune]
    assert AuditEntry.objects.get(action="api_client.create").source == "command create-api-key"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "units:delete"], "Quyền không hợp lệ: units:delete."),
        ([], "Cần ít nhất một --scope."),
        (["--scope", "units:read", "--unit-code", "99"], "Không có đơn vị mã: 99."),
    ],
)
def test_create_api_key_refuses_bad_input_and_writes_nothing(province, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create-api-key", "--name", "Hệ thống", *args)
    assert not ApiClient.objects.exists()


def test_create_api_key_refuses_a_name_already_used(db):
    call_command("create-api-key", "--name", "Hệ thống", "--scope", "units:read")
    with pytest.raises(CommandError, match="Đã có hệ thống kết nối tên “Hệ thống”"):
        call_command("create-api-key", "--name", "Hệ thống", "--scope", "units:read")
    assert ApiClient.objects.count() == 1
