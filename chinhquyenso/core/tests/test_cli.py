from chinhquyenso import cli
from chinhquyenso.core.context import request_origin


def test_cli_names_the_command_for_the_audit_log(monkeypatch):
    seen = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line",
        lambda argv: seen.append((argv, request_origin.get())),
    )
    cli.main(["create-api-key", "--name", "X"])
    assert seen == [
        (["chinhquyenso", "create-api-key", "--name", "X"], (None, "command create-api-key"))
    ]
    assert request_origin.get() == (None, "system")
