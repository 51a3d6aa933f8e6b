"""The e-form engine: Vietnamese messages naming the field, and the Django form built from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.template.loader import render_to_string

from chinhquyenso.procedures.eforms import schema_problems, schema_to_form, validate_form_data

SCHEMA = {
    "type": "object",
    "required": ["ho_ten", "ngay_sinh", "so_dinh_danh", "gioi_tinh", "cam_doan"],
    "properties": {
        "ho_ten": {
            "type": "string",
            "title": "Họ và tên",
            "description": "Ghi bằng chữ in hoa có dấu.",
            "minLength": 2,
            "maxLength": 20,
        },
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "so_dinh_danh": {
            "type": "string",
            "title": "Số định danh cá nhân",
            "pattern": "^[0-9]{12}$",
            "x-message": "Số định danh cá nhân gồm đúng 12 chữ số.",
        },
        "gioi_tinh": {"type": "string", "title": "Giới tính", "enum": ["Nam", "Nữ"]},
        "so_ban": {"type": "integer", "title": "Số bản sao", "minimum": 1, "maximum": 10},
        "email": {"type": "string", "format": "email", "title": "Thư điện tử"},
        "noi_cap": {
            "type": "string",
            "title": "Nơi cấp",
            "oneOf": [{"const": "xa", "title": "UBND xã"}, {"const": "tinh", "title": "UBND tỉnh"}],
        },
        "cam_doan": {"type": "boolean", "title": "Tôi cam đoan khai đúng sự thật", "const": True},
    },
    "additionalProperties": False,
}

GOOD = {
    "ho_ten": "Nguyễn Văn An",
    "ngay_sinh": "2026-03-15",
    "so_dinh_danh": "040123456789",
    "gioi_tinh": "Nam",
    "so_ban": 2,
    "email": "an@example.vn",
    "cam_doan": True,
}


def test_good_data_has_no_errors():
    assert validate_form_data(SCHEMA, GOOD) == {}


def test_missing_required_fields_are_named_by_their_title():
    errors = validate_form_data(SCHEMA, {"gioi_tinh": "Nam", "cam_doan": True})
    assert errors == {
        "ho_ten": ["Cần nhập “Họ và tên”."],
        "ngay_sinh": ["Cần nhập “Ngày sinh”."],
        "so_dinh_danh": ["Cần nhập “Số định danh cá nhân”."],
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ho_ten", "A", "“Họ và tên” phải có ít nhất 2 ký tự."),
        ("ho_ten", "A" * 21, "“Họ và tên” không được dài quá 20 ký tự."),
        ("ho_ten", 12, "“Họ và tên” phải là chuỗi ký tự."),
        ("so_dinh_danh", "04012345678", "Số định danh cá nhân gồm đúng 12 chữ số."),
        ("gioi_tinh", "Khác", "“Giới tính” phải là một trong: Nam, Nữ."),
        ("noi_cap", "huyen", "“Nơi cấp” phải là một trong: UBND xã, UBND tỉnh."),
        ("ngay_sinh", "2026-02-30", "“Ngày sinh” phải là ngày hợp lệ, ví dụ 31/12/2026."),
        ("ngay_sinh", "15/03/2026", "“Ngày sinh” phải là ngày hợp lệ, ví dụ 31/12/2026."),
        ("email", "an@", "“Thư điện tử” phải là địa chỉ thư điện tử hợp lệ."),
        ("so_ban", 0, "“Số bản sao” phải lớn hơn hoặc bằng 1."),
        ("so_ban", 11, "“Số bản sao” phải nhỏ hơn hoặc bằng 10."),
        ("so_ban", "2", "“Số bản sao” phải là số nguyên."),
        ("cam_doan", False, "Cần đánh dấu “Tôi cam đoan khai đúng sự thật”."),
    ],
)
def test_each_rule_has_its_vietnamese_message(field, value, message):
    assert validate_form_data(SCHEMA, {**GOOD, field: value}) == {field: [message]}


def test_a_field_the_form_does_not_have_is_a_form_error():
    errors = validate_form_data(SCHEMA, {**GOOD, "la": "x"})
    assert errors == {"__all__": ["Tờ khai không có trường “la”."]}


def test_custom_message_per_keyword():
    schema = {
        "type": "object",
        "properties": {
            "tuoi": {
                "type": "integer",
                "title": "Tuổi",
                "minimum": 18,
                "x-messages": {"minimum": "Phải đủ 18 tuổi."},
            }
        },
    }
    assert validate_form_data(schema, {"tuoi": 17}) == {"tuoi": ["Phải đủ 18 tuổi."]}


def test_empty_schema_accepts_anything_and_bad_data_is_reported():
    assert validate_form_data({}, {"x": 1}) == {}
    assert validate_form_data(SCHEMA, ["not", "an", "object"]) == {  # type: ignore[arg-type]
        "__all__": ["Nội dung tờ khai phải là một đối tượng JSON."]
    }


def test_schema_problems_in_vietnamese():
    assert schema_problems(SCHEMA) == []
    assert schema_problems({}) == []
    assert schema_problems({"type": "object", "properties": {"x": {"type": "strin"}}})[
        0
    ].startswith("Biểu mẫu điện tử không phải JSON Schema hợp lệ")
    problems = schema_problems(
        {
            "type": "object",
            "required": ["thieu"],
            "properties": {"Họ tên": {"type": "array"}, "b": {"type": "string", "format": "uri"}},
        }
    )
    assert "Tên trường “Họ tên” chỉ được gồm chữ không dấu, số và dấu gạch dưới." in problems
    assert 'Trường “Họ tên” cần có nhãn ("title").' in problems
    assert any("định dạng “uri” không được hỗ trợ" in p for p in problems)
    assert 'Trường bắt buộc “thieu” không có trong "properties".' in problems


# --- the Django form ---------------------------------------------------------------------------


def test_form_fields_follow_the_schema():
    form = schema_to_form(SCHEMA)
    assert list(form.fields) == list(SCHEMA["properties"])
    kinds = {name: type(field) for name, field in form.fields.items()}
    assert kinds["ho_ten"] is forms.CharField
    assert kinds["ngay_sinh"] is forms.DateField
    assert kinds["gioi_tinh"] is forms.TypedChoiceField
    assert kinds["so_ban"] is forms.IntegerField
    assert kinds["email"] is forms.EmailField
    assert kinds["cam_doan"] is forms.BooleanField
    assert form.fields["ho_ten"].label == "Họ và tên"
    assert form.fields["ho_ten"].help_text == "Ghi bằng chữ in hoa có dấu."
    assert form.fields["ho_ten"].required
    assert not form.fields["so_ban"].required
    assert form.fields["cam_doan"].required  # must be ticked
    assert [c for c, _label in form.fields["noi_cap"].choices] == ["", "xa", "tinh"]


def test_form_renders_accessibly_with_the_portal_field_include():
    form = schema_to_form(SCHEMA, {"so_dinh_danh": "123"})
    form.is_valid()
    html = render_to_string("portal/_field.html", {"field": form["so_dinh_danh"]})
    assert '<label for="id_so_dinh_danh">Số định danh cá nhân</label>' in html
    assert 'inputmode="numeric"' in html
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in html
    assert 'aria-describedby="id_so_dinh_danh_error"' in html
    html = render_to_string("portal/_field.html", {"field": form["ho_ten"]})
    assert 'aria-describedby="id_ho_ten_helptext id_ho_ten_error"' in html
    assert "Cần nhập “Họ và tên”." in html
    assert 'maxlength="20"' in html


def test_bound_form_gives_json_form_data():
    form = schema_to_form(
        SCHEMA,
        {
            "ho_ten": "  Nguyễn Văn An ",
            "ngay_sinh": "15/03/2026",
            "so_dinh_danh": "040123456789",
            "gioi_tinh": "Nam",
            "so_ban": "2",
            "email": "",
            "cam_doan": "on",
        },
    )
    assert form.is_valid(), form.errors
    assert form.form_data() == {
        "ho_ten": "Nguyễn Văn An",
        "ngay_sinh": "2026-03-15",
        "so_dinh_danh": "040123456789",
        "gioi_tinh": "Nam",
        "so_ban": 2,
        "cam_doan": True,
    }
    assert validate_form_data(SCHEMA, form.form_data()) == {}


def test_form_shows_the_same_messages_as_the_api():
    form = schema_to_form(
        SCHEMA,
        {
            "ho_ten": "A",
            "ngay_sinh": "30/02/2026",
            "so_dinh_danh": "12",
            "gioi_tinh": "Khác",
            "so_ban": "abc",
        },
    )
    assert not form.is_valid()
    assert form.errors == {
        "ho_ten": ["“Họ và tên” phải có ít nhất 2 ký tự."],
        "ngay_sinh": ["“Ngày sinh” phải là ngày hợp lệ, ví dụ 31/12/2026."],
        "so_dinh_danh": ["Số định danh cá nhân gồm đúng 12 chữ số."],
        "gioi_tinh": ["“Giới tính” phải là một trong: Nam, Nữ."],
        "so_ban": ["“Số bản sao” phải là số nguyên."],
        "cam_doan": ["Cần đánh dấu “Tôi cam đoan khai đúng sự thật”."],
    }


def test_stored_data_fills_an_unbound_form():
    form = schema_to_form(SCHEMA, initial={"ngay_sinh": "2026-03-15", "ho_ten": "An", "khac": 1})
    assert not form.is_bound
    assert form["ngay_sinh"].value() == dt.date(2026, 3, 15)
    assert 'value="15/03/2026"' in str(form["ngay_sinh"])
    assert form["ho_ten"].value() == "An"
