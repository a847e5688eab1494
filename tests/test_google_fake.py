"""The fake itself rejects what Google rejects, so passing tests mean something."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from sync.google.transport import GoogleTransport
from tests.fake_google import FakeGoogle

pytest_plugins = ["tests.fake_google.fixtures"]


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "status"} <= set(body["error"])
    return body["error"]


@pytest.fixture
def sid(fake_google: FakeGoogle) -> str:
    return fake_google.sheets.new_spreadsheet("Проба", ("Лист", "Второй"))


def sheets_url(fake: FakeGoogle, sid: str, tail: str = "") -> str:
    return f"{fake.url}v4/spreadsheets/{sid}{tail}"


def test_unknown_path_is_404(fake_google: FakeGoogle, transport: GoogleTransport, sid: str) -> None:
    response = transport.request("GET", sheets_url(fake_google, sid, "/nothing"))
    assert response.status_code == 404 and error_of(response)["status"] == "NOT_FOUND"
    assert transport.request("DELETE", sheets_url(fake_google, sid)).status_code == 404


def test_unknown_body_field_is_400(fake_google: FakeGoogle, transport: GoogleTransport, sid: str) -> None:
    body = {"valueInputOption": "RAW", "data": [{"range": "Лист!A1", "values": [["x"]], "colour": 1}]}
    response = transport.request("POST", sheets_url(fake_google, sid, "/values:batchUpdate"), json=body)
    error = error_of(response)
    assert response.status_code == 400 and error["status"] == "INVALID_ARGUMENT"
    assert "Unknown name \"colour\" at 'data[0]'" in error["message"]


def test_unknown_and_badly_typed_parameters_are_400(
    fake_google: FakeGoogle, transport: GoogleTransport, sid: str
) -> None:
    url = sheets_url(fake_google, sid, "/values:batchGet")
    assert (
        "Cannot bind query parameter"
        in error_of(transport.request("GET", url, params={"sheet": "Лист"}))["message"]
    )
    bad_enum = transport.request("GET", url, params={"ranges": "Лист", "valueRenderOption": "PRETTY"})
    assert bad_enum.status_code == 400
    bad_bool = transport.request("GET", sheets_url(fake_google, sid), params={"includeGridData": "yes"})
    assert bad_bool.status_code == 400


def test_missing_required_parameter_is_400(fake_google: FakeGoogle, drive_service: Any) -> None:
    doc = fake_google.docs.add_document("Шаблон", "Текст")
    request = drive_service.files().export(fileId=doc, mimeType="application/pdf")
    request.uri = request.uri.replace("mimeType=application%2Fpdf", "")
    with pytest.raises(HttpError) as info:
        request.execute()
    assert info.value.resp.status == 400 and "mimeType" in str(info.value)


def test_ranges_are_parsed_and_checked(fake_google: FakeGoogle, transport: GoogleTransport, sid: str) -> None:
    url = sheets_url(fake_google, sid, "/values:batchGet")
    response = transport.request("GET", url, params={"ranges": ["Лист!A1", "'Нет листа'!A1:B2"]})
    assert error_of(response)["message"] == "Unable to parse range: 'Нет листа'!A1:B2"
    assert transport.request("GET", url, params={"ranges": "Лист!1A"}).status_code == 400
    ok = transport.request("GET", url, params={"ranges": ["Лист", "Второй!B2:C"]}).json()
    assert [v["range"] for v in ok["valueRanges"]] == ["'Лист'!A1:Z1000", "'Второй'!B2:C1000"]


def test_value_input_option_is_required_and_honoured(
    fake_google: FakeGoogle, transport: GoogleTransport, sid: str
) -> None:
    url = sheets_url(fake_google, sid, "/values:batchUpdate")
    data = [{"range": "Лист!A1:C1", "values": [["=SUM(1,2)", "007", "TRUE"]]}]
    missing = transport.request("POST", url, json={"data": data})
    assert "'valueInputOption' is required" in error_of(missing)["message"]
    transport.request("POST", url, json={"valueInputOption": "USER_ENTERED", "data": data})
    assert fake_google.sheets.grid(sid, "Лист") == [["#ERROR!", "7", "TRUE"]]
    transport.request("POST", url, json={"valueInputOption": "RAW", "data": data})
    assert fake_google.sheets.grid(sid, "Лист") == [["=SUM(1,2)", "007", "TRUE"]]


def test_writes_past_the_grid_fail_and_batches_are_all_or_nothing(
    fake_google: FakeGoogle, transport: GoogleTransport, sid: str
) -> None:
    url = sheets_url(fake_google, sid, "/values:batchUpdate")
    data = [
        {"range": "Лист!A1", "values": [["first"]]},
        {"range": "Лист!A1001", "values": [["past the end"]]},
    ]
    response = transport.request("POST", url, json={"valueInputOption": "RAW", "data": data})
    assert "exceeds grid limits. Max rows: 1000" in error_of(response)["message"]
    assert fake_google.sheets.grid(sid, "Лист") == []
    requests = [
        {"updateSheetProperties": {"properties": {"sheetId": 1, "title": "Новое"}, "fields": "title"}},
        {"addSheet": {"properties": {"title": "Второй"}}},
    ]
    sheet_id = fake_google.sheets.sheet(sid, "Лист").sheet_id
    requests[0]["updateSheetProperties"]["properties"]["sheetId"] = sheet_id
    response = transport.request(
        "POST", sheets_url(fake_google, sid, ":batchUpdate"), json={"requests": requests}
    )
    assert (
        'Invalid requests[1].addSheet: A sheet with the name "Второй" already exists'
        in error_of(response)["message"]
    )
    assert [s.title for s in fake_google.sheets.get(sid).sheets] == ["Лист", "Второй"]


def test_forms_filter_and_page_token_are_checked(fake_google: FakeGoogle, forms_service: Any) -> None:
    form_id = forms_service.forms().create(body={"info": {"title": "А"}}).execute()["formId"]
    responses = forms_service.forms().responses()
    with pytest.raises(HttpError, match="Invalid filter"):
        responses.list(formId=form_id, filter="timestamp > 01.09.2026").execute()
    with pytest.raises(HttpError, match="Invalid filter"):
        responses.list(formId=form_id, filter="created > 2026-09-01T00:00:00Z").execute()
    forms_service.forms().batchUpdate(
        formId=form_id,
        body={
            "requests": [
                {
                    "createItem": {
                        "item": {"title": "Q", "questionItem": {"question": {"textQuestion": {}}}},
                        "location": {"index": 0},
                    }
                }
            ]
        },
    ).execute()
    for day in (1, 2, 3):
        fake_google.forms.seed_response(form_id, {"Q": "x"}, datetime(2026, 9, day, tzinfo=UTC))
    page = responses.list(formId=form_id, pageSize=1, filter="timestamp >= 2026-09-02T00:00:00Z").execute()
    assert len(page["responses"]) == 1 and page["nextPageToken"]
    with pytest.raises(HttpError, match="does not match"):
        responses.list(formId=form_id, pageSize=1, pageToken=page["nextPageToken"]).execute()


def test_forms_create_takes_only_a_title(forms_service: Any) -> None:
    with pytest.raises(HttpError, match="Only info.title"):
        forms_service.forms().create(body={"info": {"title": "А"}, "items": []}).execute()


def test_drive_copy_docs_replace_and_export(
    fake_google: FakeGoogle, drive_service: Any, docs_service: Any
) -> None:
    template = fake_google.docs.add_document("Письмо", "Уважаемая {{ИМЯ}}!\nСпасибо, {{ИМЯ}}.")
    copy = drive_service.files().copy(fileId=template, body={"name": "Письмо Ивановой"}).execute()
    reply = (
        docs_service.documents()
        .batchUpdate(
            documentId=copy["id"],
            body={
                "requests": [
                    {
                        "replaceAllText": {
                            "containsText": {"text": "{{ИМЯ}}", "matchCase": True},
                            "replaceText": "Мария Петровна",
                        }
                    }
                ]
            },
        )
        .execute()
    )
    assert reply["replies"] == [{"replaceAllText": {"occurrencesChanged": 2}}]
    doc = docs_service.documents().get(documentId=copy["id"]).execute()
    text = "".join(
        e["textRun"]["content"]
        for c in doc["body"]["content"]
        for e in c.get("paragraph", {}).get("elements", [])
    )
    assert text == "Уважаемая Мария Петровна!\nСпасибо, Мария Петровна.\n"
    assert fake_google.docs.get(template).text.startswith("Уважаемая {{ИМЯ}}")
    pdf = drive_service.files().export(fileId=copy["id"], mimeType="application/pdf").execute()
    assert pdf.startswith(b"%PDF") and "Мария Петровна".encode() in pdf
    listed = drive_service.files().list(q="name = 'Письмо Ивановой' and trashed = false").execute()
    assert [f["id"] for f in listed["files"]] == [copy["id"]]
    with pytest.raises(HttpError):
        docs_service.documents().batchUpdate(
            documentId=copy["id"],
            body={
                "requests": [
                    {"replaceAllText": {"containsText": {"text": "x"}, "replaceText": "y", "extra": 1}}
                ]
            },
        ).execute()


def test_the_call_log_records_names_and_params(
    fake_google: FakeGoogle, transport: GoogleTransport, sid: str
) -> None:
    transport.request(
        "GET", sheets_url(fake_google, sid, "/values:batchGet"), params={"ranges": ["Лист", "Второй"]}
    )
    (call,) = fake_google.calls
    assert call.name == "sheets.values.batchGet" and call.params["ranges"] == ["Лист", "Второй"]
    assert call.status == 200 and json.dumps(call.params, ensure_ascii=False)
    assert fake_google.count("sheets.values.batchGet") == 1


def test_spreadsheets_get_honours_the_field_mask(fake_google: FakeGoogle, gspread_fake: Any) -> None:
    """Google answers only what ``fields`` names, and a mask naming grid data returns it."""
    sid = fake_google.sheets.new_spreadsheet("П", ("Лист",))
    fake_google.sheets.set_values(sid, "Лист", [["a"]])
    meta = gspread_fake.http_client.fetch_sheet_metadata(sid, params={"fields": "sheets.properties.title"})
    assert meta == {"sheets": [{"properties": {"title": "Лист"}}]}
    masked = gspread_fake.http_client.fetch_sheet_metadata(
        sid, params={"fields": "sheets/data/rowData/values/formattedValue"}
    )
    assert masked == {"sheets": [{"data": [{"rowData": [{"values": [{"formattedValue": "a"}]}]}]}]}
