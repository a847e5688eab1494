"""Documents on Google: the lived demo's registries in a fake spreadsheet, documents as Google Docs.

The real google-api-python-client uploads each .docx with conversion (one ``files.create``)
and exports its PDF (one ``files.export``), through the project's transport, against the fake.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from sheets.google import GoogleSheetsStore
from sheets.xlsx import XlsxStore
from sync import clock
from sync.cli import main
from sync.config import Config, load_config
from sync.documents.google_sink import file_id_of
from sync.google.provision import provision
from sync.google.setup import GoogleServices, connect
from sync.google.transport import Endpoints
from sync.registry import Registries
from tests.fake_google import FakeGoogle
from tests.fake_google.drive_docs import Document as FakeDocument
from tests.test_documents import ALL, THROUGH

pytest_plugins = ["tests.fake_google.fixtures"]
DOC = "application/vnd.google-apps.document"
PDF = "application/pdf"


@pytest.fixture
def services(fake_google: FakeGoogle, sleeps: list[float]) -> GoogleServices:
    return connect(None, Endpoints.single(fake_google.url), timeout=5.0, max_retries=2, sleep=sleeps.append)


@pytest.fixture
def google_lived(lived_demo: Path, tmp_path: Path, fake_google: FakeGoogle, services: GoogleServices) -> Config:
    """The lived programme moved to Google: a spreadsheet in the fake holding its registries."""
    folder = tmp_path / "g"
    shutil.copytree(lived_demo, folder)
    shutil.rmtree(folder / "out", ignore_errors=True)
    path = folder / "nastavnik.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'auth = "service_account"', f'auth = "none"\nendpoint = "{fake_google.url}"'), encoding="utf-8")
    with clock.frozen(THROUGH):
        assert not provision(load_config(path), services).problems
    config = load_config(path)
    local = XlsxStore(config.registry).read_all()
    store = GoogleSheetsStore(services.gspread, config.google.spreadsheet_id)
    reg = Registries(store.read_all())
    for name, frame in local.frames.items():
        if name == "documents":
            continue  # the local ИПР stay local: on Google the job makes them again, as Google Docs
        for key, row in frame.to_dict("index").items():
            reg.rows[name][key] = {k: str(v) for k, v in row.items()} | ({"plan_link": ""} if name == "pairs" else {})
    store.write(reg.changes())
    return config


def run(config: Config, *args: str) -> str:
    with clock.frozen(THROUGH):
        result = CliRunner().invoke(main, [*args, "--config", str(config.path)])
    assert result.exit_code == 0, result.output
    return result.output


def docs_made(fake: FakeGoogle) -> dict[str, dict]:
    return {fid: f for fid, f in fake.drive.files.items() if f["mimeType"] == DOC and fid in fake.drive.imported}


def pdfs_made(fake: FakeGoogle) -> dict[str, dict]:
    return {fid: f for fid, f in fake.drive.files.items() if f["mimeType"] == PDF}


def test_every_document_as_a_google_doc_and_its_pdf_beside_it(google_lived: Config, fake_google: FakeGoogle) -> None:
    fake_google.clear_calls()
    for args in ALL:
        run(google_lived, *args)
    made = docs_made(fake_google)
    pdfs = pdfs_made(fake_google)
    assert len(made) > 20 and len(pdfs) == len(made)  # every Doc, the batches' combined ones too, has its PDF
    assert fake_google.count("drive.files.create") == 2 * len(made)  # the Doc, then its PDF
    assert fake_google.count("drive.files.export") == len(made)
    kinds = {f["appProperties"]["nastavnik_doc_kind"] for f in made.values()}
    assert fake_google.count("drive.files.list") == len(kinds)  # one per batch that made something
    assert not {n for n in fake_google.names() if n.startswith("docs.")}  # nothing per placeholder
    texts = {f["name"]: fake_google.docs.get(fid).text for fid, f in made.items()}
    letter = texts["Благодарственное письмо партнеру — ПТ-0004"]
    assert "Дурново Киму Александровичу" in letter and "{{" not in letter
    combined = texts["Письма партнерам — все"]  # the batch's printing Doc holds all four letters
    assert combined.count("БЛАГОДАРСТВЕННОЕ ПИСЬМО") == 4 and "Дурново Киму Александровичу" in combined
    final = next(fid for fid, f in made.items() if f["name"] == "Отчет по итогам программы наставничества")
    assert fake_google.drive.imported[final]["pictures"] == 2  # the charts went in with the upload
    by_key = {f["appProperties"]["nastavnik_doc"]: f for f in [*made.values(), *pdfs.values()]}
    records = GoogleSheetsStore(connect(None, Endpoints.single(fake_google.url)).gspread,
                                google_lived.google.spreadsheet_id).read_all().frames["documents"]
    assert len(records) == len(made) and set(records.index) | {k + "#pdf" for k in records.index} == set(by_key)
    for key, record in records.iterrows():
        assert record["link"] == by_key[key]["webViewLink"] and record["pdf"] == by_key[key + "#pdf"]["webViewLink"]
        assert record["pdf"].startswith("https://drive.google.com/file/d/")
        assert by_key[key + "#pdf"]["parents"] == by_key[key]["parents"]  # in the programme's folder, beside the Doc
    assert fake_google.drive.get(records.loc["letter_partner:все:2026–2028", "link"].split("/")[-2])
    assert not list(google_lived.out_dir.rglob("*.pdf"))  # PDFs live in Drive, not on this machine


def test_the_job_makes_the_plans_as_google_docs(google_lived: Config, fake_google: FakeGoogle) -> None:
    sid = google_lived.google.spreadsheet_id
    grid = fake_google.sheets.grid(sid, "Пары")
    status = grid[0].index("Статус")
    # a proposal the curator rejected, approved after all (a finished pair's final survey would
    # finish it again at once)
    row = next(i for i, r in enumerate(grid) if i and r[status] == "отклонена")
    column = chr(ord("A") + status)
    fake_google.sheets.set_values(sid, "Пары", [["утверждена"]], start=f"{column}{row + 1}")
    fake_google.clear_calls()
    out = run(google_lived, "sync")
    made = docs_made(fake_google)
    assert made and all(f["name"].startswith("Индивидуальный план развития") for f in made.values())
    assert f"ИПР создано {len(made)}" in out
    pairs = GoogleSheetsStore(connect(None, Endpoints.single(fake_google.url)).gspread,
                              google_lived.google.spreadsheet_id).read_all().frames["pairs"]
    links = {link for link in pairs["plan_link"] if link}
    assert links == {f["webViewLink"] for f in made.values()}
    fake_google.clear_calls()
    run(google_lived, "sync")
    assert fake_google.count("drive.files.create") == 0


def test_a_second_run_uploads_nothing_and_force_replaces_in_place(
    google_lived: Config, fake_google: FakeGoogle
) -> None:
    run(google_lived, "letters", "partners")
    before, pdfs = set(docs_made(fake_google)), set(pdfs_made(fake_google))
    assert len(before) == len(pdfs) == 5  # four letters and their printing Doc
    fake_google.clear_calls()
    assert "создано 0, уже были 4" in run(google_lived, "letters", "partners")
    assert fake_google.count("drive.files.create") == 0 and fake_google.count("drive.files.export") == 0
    run(google_lived, "letters", "partners", "--only", "ПТ-0002", "--force")
    after = set(docs_made(fake_google))
    assert len(after) == len(before) - 1 and len(after - before) == 1
    assert len(pdfs_made(fake_google)) == 4 and len(set(pdfs_made(fake_google)) - pdfs) == 1
    # the Doc and its PDF made again, the former two deleted; one letter makes no printing Doc, and
    # the former printing Doc and its PDF, which held the old letter, are deleted too
    assert fake_google.count("drive.files.create") == 2 and fake_google.count("drive.files.delete") == 4
    assert not any(f["name"].startswith("Письма партнерам — все") for f in fake_google.drive.files.values())


def test_force_replaces_the_batch_printing_doc_and_its_pdf(google_lived: Config, fake_google: FakeGoogle) -> None:
    run(google_lived, "letters", "partners")
    combined = {fid for fid, f in fake_google.drive.files.items() if f["name"].startswith("Письма партнерам — все")}
    assert len(combined) == 2  # the Doc and its PDF
    run(google_lived, "letters", "partners", "--force")
    again = {fid for fid, f in fake_google.drive.files.items() if f["name"].startswith("Письма партнерам — все")}
    assert len(again) == 2 and not again & combined
    assert len(docs_made(fake_google)) == len(pdfs_made(fake_google)) == 5


def test_a_create_whose_answer_was_lost_is_found_by_its_tag(google_lived: Config, fake_google: FakeGoogle) -> None:
    fake_google.fail("drive.files.create", 500, skip=2, times=1, applied=True)  # the second letter's Doc
    result = CliRunner().invoke(main, ["letters", "partners", "--config", str(google_lived.path)])
    assert result.exit_code == 1  # the second upload's outcome is unknown: the run stops, nothing recorded
    assert len(docs_made(fake_google)) == 2 and len(pdfs_made(fake_google)) == 1
    run(google_lived, "letters", "partners")
    docs, pdfs = docs_made(fake_google), pdfs_made(fake_google)
    assert len(docs) == len(pdfs) == 5  # the two already made are adopted, not made again
    keys = [f["appProperties"]["nastavnik_doc"] for f in [*docs.values(), *pdfs.values()]]
    assert len(keys) == len(set(keys))


def test_a_pdf_over_the_export_limit_is_left_out_and_said(
    google_lived: Config, fake_google: FakeGoogle, sleeps: list[float], monkeypatch
) -> None:
    from tests.fake_google import uploads

    monkeypatch.setattr(uploads, "EXPORT_LIMIT", 2_500)  # one letter fits, the four of the printing Doc do not
    fake_google.clear_calls()
    out = run(google_lived, "letters", "partners")
    assert "PDF «Письма партнерам — все» не сделан" in out and "Файл → Скачать → PDF" in out
    records = GoogleSheetsStore(connect(None, Endpoints.single(fake_google.url)).gspread,
                                google_lived.google.spreadsheet_id).read_all().frames["documents"]
    batch = records.loc["letter_partner:все:2026–2028"]
    assert batch["link"].startswith("https://docs.google.com/document/d/") and batch["pdf"] == ""
    assert all(records.drop("letter_partner:все:2026–2028")["pdf"] != "")
    assert fake_google.count("drive.files.export") == 4 + 6  # Drive answered 500: the transport's 1 + 5 retries


def test_the_printing_pdf_is_not_asked_for_when_the_batch_is_sure_to_be_over_the_limit(
    google_lived: Config, fake_google: FakeGoogle, monkeypatch
) -> None:
    from sync.documents import google_sink

    monkeypatch.setattr(google_sink, "EXPORT_LIMIT", 1_000)  # the four letters' PDFs add up to more
    fake_google.clear_calls()
    out = run(google_lived, "letters", "partners")
    assert fake_google.count("drive.files.export") == 4  # no call spent on a sure refusal
    assert "PDF «Письма партнерам — все» не сделан" in out


def test_a_staff_template_kept_as_a_google_doc_is_exported_once(google_lived: Config, fake_google: FakeGoogle) -> None:
    template = Document()
    template.add_paragraph("{{ обращение }} Спасибо, {{ партнер }}! {{ дата }}")
    data = io.BytesIO()
    template.save(data)
    doc_id = fake_google.drive.add_file("Наш шаблон письма", DOC, content=data.getvalue())
    fake_google.docs.documents[doc_id] = FakeDocument(doc_id, "Наш шаблон письма", "шаблон\n")
    fake_google.drive.imported[doc_id] = {"docx": data.getvalue(), "pictures": 0}  # as if staff uploaded it
    path = google_lived.path
    path.write_text(path.read_text(encoding="utf-8").replace(
        "[documents.templates]", f'[documents.templates]\nletter_partner = "{doc_id}"'), encoding="utf-8")
    fake_google.clear_calls()
    run(load_config(path), "letters", "partners")
    exports = [c for c in fake_google.calls if c.name == "drive.files.export"]
    assert sum(1 for c in exports if doc_id in c.path) == 1
    texts = [fake_google.docs.get(fid).text for fid in docs_made(fake_google)]
    assert any("Уважаемый Ким Александрович! Спасибо, Центр молодежных инициатив «Импульс»!" in t for t in texts)


def test_the_fake_refuses_what_drive_refuses(services: GoogleServices, fake_google: FakeGoogle) -> None:
    from googleapiclient.errors import HttpError
    from googleapiclient.http import MediaIoBaseUpload

    from sync.google.transport import GoogleApiError

    drive = services.drive
    media = MediaIoBaseUpload(io.BytesIO(b"\x89PNG..."), mimetype="application/zip", resumable=False)
    with pytest.raises(HttpError) as refused:
        drive.files().create(body={"name": "x", "mimeType": DOC}, media_body=media).execute()
    assert refused.value.resp.status == 400
    sheet = fake_google.drive.add_file("таблица", "application/vnd.google-apps.spreadsheet")
    with pytest.raises(HttpError) as refused:
        drive.files().export(fileId=sheet, mimeType="application/pdf").execute()
    assert refused.value.resp.status == 400
    big = Document()
    for _ in range(6_000):
        big.add_paragraph("я" * 1_000)  # 12 MB of text, a small .docx (it compresses)
    data = io.BytesIO()
    big.save(data)
    made = drive.files().create(body={"name": "большой", "mimeType": DOC},
                                media_body=MediaIoBaseUpload(io.BytesIO(data.getvalue()),
                                                             mimetype="application/vnd.openxmlformats-officedocument"
                                                                      ".wordprocessingml.document"),
                                fields="id").execute()
    with pytest.raises(GoogleApiError) as too_big:  # the transport raises every 403 with its cause
        drive.files().export(fileId=made["id"], mimeType="text/plain").execute()
    assert too_big.value.status == 403


def test_a_withdrawal_deletes_the_persons_letter_and_plan_on_drive(
    google_lived: Config, fake_google: FakeGoogle
) -> None:
    """The same rule as locally (``sync.erasure.documents_of``): the person's letter and their
    pair's ИПР go from Drive (and their PDFs from ``out/``); the records stay, marked erased."""
    run(google_lived, "letters", "mentees")
    sid = google_lived.google.spreadsheet_id
    store = GoogleSheetsStore(connect(None, Endpoints.single(fake_google.url)).gspread, sid)
    frames = store.read_all().frames
    pairs = frames["pairs"]
    pair = next(k for k, p in pairs.iterrows() if p["status"] == "завершена" and ";" not in p["mentee_ids"])
    mentee = pairs.loc[pair, "mentee_ids"].strip()
    run(google_lived, "plans", "--only", pair)
    docs = store.read_all().frames["documents"]
    mine = docs[docs["subject_id"].isin([mentee, pair])]
    assert {k.split(":")[0] for k in mine.index} == {"letter_mentee", "plan"}
    batch = docs[(docs["subject_id"] == "все") & docs.index.str.startswith("letter_mentee:")]  # holds the letter too
    files = {file_id_of(link) for link in [*mine["link"], *mine["pdf"], *batch["link"], *batch["pdf"]] if link}
    assert files <= set(fake_google.drive.files)
    others = set(docs_made(fake_google)) - files
    consents = frames["consents"]
    grid = fake_google.sheets.grid(sid, "Согласия")
    ids, withdrawn = grid[0].index("ID"), grid[0].index("Отозвано")
    for row, cells in enumerate(grid):
        if row and cells[ids] in consents.index[consents["participant_id"] == mentee]:
            fake_google.sheets.set_values(sid, "Согласия", [["30.06.2028"]],
                                          start=f"{chr(ord('A') + withdrawn)}{row + 1}")
    out = run(google_lived, "sync")
    assert "удалено после отзыва согласия 2" in out
    assert not files & set(fake_google.drive.files) and others <= set(fake_google.drive.files)
    after = store.read_all().frames
    assert set(after["documents"].loc[mine.index, "state"]) == {"удален: отзыв согласия"}
    assert set(after["documents"].loc[mine.index, "link"]) == {""}
    assert after["pairs"].loc[pair, "plan_link"] == ""
    fake_google.clear_calls()
    run(google_lived, "sync")
    assert fake_google.count("drive.files.delete") == 0
