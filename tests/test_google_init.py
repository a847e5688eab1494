"""A school's first `init --google`, as Google behaves today: who owns the files, forms open to
respondents, staff let in, links given, and an init stopped at any step that converges.

The service account is real google-auth credentials signing JWTs to the fake's token endpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from google.oauth2.credentials import Credentials as UserCredentials

from forms.questionnaires import QUESTIONNAIRES
from forms.responses import SourceError
from sheets.store import StoreError
from sync.cli import main
from sync.config import Config, load_config
from sync.google import GoogleError
from sync.google.auth import SCOPES, service_account_credentials
from sync.google.causes import THREE_WAYS
from sync.google.provision import provision
from sync.google.setup import GoogleServices, SetupError, connect
from sync.google.transport import NON_IDEMPOTENT, Endpoints
from tests.fake_google import FakeGoogle
from tests.fake_google.drive import FORM_MIME, SHEET_MIME
from tests.fake_google.keys import ROBOT, service_account_key
from tests.test_google_sync import google_config

pytest_plugins = ["tests.fake_google.fixtures"]

STAFF = ["curator@school.example", "zavuch@mail.ru"]  # the second has no Google account
CREATES = ("sheets.create", "forms.create", "drive.files.create", "drive.files.copy")


def programme(tmp_path: Path, fake: FakeGoogle, folder: str = "", share: list[str] = STAFF) -> Config:
    path = google_config(tmp_path / "g", fake.url)
    text = path.read_text(encoding="utf-8").replace('drive_folder_id = ""', f'drive_folder_id = "{folder}"')
    text = text.replace("share_with = []", "share_with = [" + ", ".join(f'"{e}"' for e in share) + "]")
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def robot(tmp_path: Path, fake: FakeGoogle, pem: str, sleeps: list[float]) -> GoogleServices:
    creds = service_account_credentials(service_account_key(tmp_path, fake, pem))
    return connect(creds, Endpoints.single(fake.url), timeout=10.0, max_retries=2, sleep=sleeps.append)


def shared_drive_folder(fake: FakeGoogle) -> str:
    drive_id = fake.drive.add_shared_drive("Школа", {ROBOT: "fileOrganizer", "curator@school.example": "organizer"})
    return fake.drive.add_file("Наставничество", "application/vnd.google-apps.folder", parents=[drive_id],
                               owner="curator@school.example")


def files(fake: FakeGoogle, mime: str) -> list[dict[str, Any]]:
    return [f for f in fake.drive.files.values() if f["mimeType"] == mime]


def assert_complete(fake: FakeGoogle, config: Config, staff: list[str] = STAFF, specs: Any = QUESTIONNAIRES) -> None:
    """Exactly one spreadsheet and a form per questionnaire; forms filled, open to respondents,
    shared with staff; links saved."""
    config = load_config(config.path)
    assert len(fake.sheets.spreadsheets) == 1 and len(files(fake, SHEET_MIME)) == 1
    assert len(fake.forms.forms) == len(specs) and len(files(fake, FORM_MIME)) == len(specs)
    assert set(config.google.form_ids) == {q.code for q in specs}
    assert config.backend == "google" and config.google.spreadsheet_id in fake.sheets.spreadsheets
    for spec in specs:
        form_id = config.google.form_ids[spec.code]
        form = fake.forms.get(form_id)
        assert [i["title"] for i in form.items] == [q.title for q in spec.questions]
        assert form.resource["info"]["title"] == spec.title
        assert fake.respondent_can_open(form_id), spec.code
        assert config.google.links[spec.code] == form.resource["responderUri"]
    service = {r[0]: r[1] for r in fake.sheets.grid(config.google.spreadsheet_id, "Служебное")[1:] if len(r) > 1}
    assert {c: service.get(f"ссылка для ответов {c}") for c in config.google.links} == config.google.links
    for file_id in [config.google.spreadsheet_id, *config.google.form_ids.values()]:
        granted = {p.get("emailAddress"): p["role"] for p in fake.drive.permissions.get(file_id, [])}
        assert all(granted.get(e) == "writer" for e in staff), (file_id, granted)


def test_a_service_account_without_a_shared_drive_stops_with_the_three_ways(
    tmp_path: Path, fake_google: FakeGoogle, private_key_pem: str, sleeps: list[float]
) -> None:
    config = programme(tmp_path, fake_google)
    with pytest.raises(SetupError) as info:
        provision(config, robot(tmp_path, fake_google, private_key_pem, sleeps))
    assert THREE_WAYS in str(info.value)
    assert fake_google.drive.files == {} and fake_google.forms.forms == {}
    assert sum(fake_google.count(n) for n in CREATES) == 0
    assert load_config(config.path).backend == "local"


def test_a_service_account_with_a_folder_in_my_drive_is_refused_by_google_with_the_three_ways(
    tmp_path: Path, fake_google: FakeGoogle, private_key_pem: str, sleeps: list[float]
) -> None:
    folder = fake_google.drive.add_folder("Наставничество", owner="curator@school.example")
    fake_google.drive.share(folder, ROBOT, "writer")  # shared with the robot: still not enough
    config = programme(tmp_path, fake_google, folder)
    with pytest.raises(GoogleError) as info:
        provision(config, robot(tmp_path, fake_google, private_key_pem, sleeps))
    assert THREE_WAYS in str(info.value)
    assert fake_google.count("drive.files.create") == 1 and fake_google.sheets.spreadsheets == {}


def test_a_service_account_on_a_shared_drive_sets_everything_up(
    tmp_path: Path, fake_google: FakeGoogle, private_key_pem: str, sleeps: list[float]
) -> None:
    folder = shared_drive_folder(fake_google)
    config = programme(tmp_path, fake_google, folder)
    report = provision(config, robot(tmp_path, fake_google, private_key_pem, sleeps))
    assert report.problems == []
    assert_complete(fake_google, config)
    created = [f for f in fake_google.drive.files.values() if f["mimeType"] in (SHEET_MIME, FORM_MIME)]
    assert all(f["parents"] == [folder] and "owners" not in f and f.get("driveId") for f in created)
    assert all(c.params.get("supportsAllDrives") == "true" for c in fake_google.calls if c.name.startswith("drive."))
    assert any("общем диске" in line for line in report.lines)
    assert sum(1 for line in report.lines if line.startswith("Ссылка для ответов")) == len(QUESTIONNAIRES)
    folder_access = {p.get("emailAddress"): p["role"] for p in fake_google.drive.permissions[folder]}
    assert folder_access == {e: "writer" for e in STAFF}
    # the address without a Google account was invited with the notification, the other silently
    notified = [c.params.get("sendNotificationEmail") == "true" for c in fake_google.calls
                if c.name == "drive.permissions.create" and c.status == 200 and (c.body or {}).get("type") == "user"]
    assert True in notified and False in notified


def test_oauth_as_a_staff_member_owns_the_files(tmp_path: Path, fake_google: FakeGoogle, sleeps: list[float]) -> None:
    refresh = fake_google.auth.login("curator@school.example", SCOPES)
    creds = UserCredentials(None, refresh_token=refresh, token_uri=fake_google.url + "token",
                            client_id="c", client_secret="s", scopes=list(SCOPES))
    services = connect(creds, Endpoints.single(fake_google.url), timeout=10.0, sleep=sleeps.append)
    config = programme(tmp_path, fake_google, share=["zavuch@mail.ru"])
    report = provision(config, services)
    assert report.problems == []
    assert_complete(fake_google, config, ["zavuch@mail.ru"])
    saved = load_config(config.path).google
    owners = {fake_google.drive.owner(f) for f in [saved.spreadsheet_id, *saved.form_ids.values()]}
    assert owners == {"curator@school.example"}


def test_adopted_files_made_by_staff_are_filled_and_opened(
    tmp_path: Path, fake_google: FakeGoogle, private_key_pem: str, sleeps: list[float]
) -> None:
    sid = fake_google.sheets.new_spreadsheet("Наставничество", ("Лист1",))  # made by the curator
    forms = {q.code: fake_google.forms.create({"info": {"title": q.title}}, False)["formId"] for q in QUESTIONNAIRES}
    for file_id in [sid, *forms.values()]:
        fake_google.drive.share(file_id, ROBOT, "writer")
    config = programme(tmp_path, fake_google, share=["curator@school.example"])
    args = ["init", str(config.root), "--google", "--spreadsheet", sid] + [f"--form={c}={f}" for c, f in forms.items()]
    services = robot(tmp_path, fake_google, private_key_pem, sleeps)
    from unittest import mock

    with mock.patch("sync.google.wiring.google_services", return_value=services):
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "созданы сотрудниками и открыты сервисному аккаунту" in result.output
    assert result.output.count("Ссылка для ответов") == len(QUESTIONNAIRES)
    assert_complete(fake_google, load_config(config.path), ["curator@school.example"])
    assert sum(fake_google.count(n) for n in CREATES) == 0


def test_a_bad_form_option_is_a_russian_usage_error(tmp_path: Path, fake_google: FakeGoogle) -> None:
    config = programme(tmp_path, fake_google)
    result = CliRunner().invoke(main, ["init", str(config.root), "--google", "--form", "anketa=1"])
    assert result.exit_code == 1 and "--form anketa=1: нужно КОД=ID" in result.output


def test_init_stopped_at_any_step_and_run_again_converges(
    tmp_path: Path, fake_google: FakeGoogle, private_key_pem: str, sleeps: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every call of a first init fails for good in turn (refused, and for creates also «done but
    the answer lost»); the next init ends complete with nothing doubled. One questionnaire
    stands for seven (every form takes the same steps; all seven are set up in the tests
    above), one staff address without a Google account (its invitation takes two calls)."""
    specs = QUESTIONNAIRES[:1]
    monkeypatch.setattr("sync.google.provision.QUESTIONNAIRES", specs)
    staff = ["zavuch@mail.ru"]

    template = programme(tmp_path / "template", fake_google, "FOLDER", staff).path.read_text(encoding="utf-8")

    def first_init(where: Path) -> tuple[Config, GoogleServices]:
        # only nastavnik.toml: init --google needs no workbook, and making one per case is slow
        where.mkdir()
        path = where / "nastavnik.toml"
        path.write_text(template.replace("FOLDER", shared_drive_folder(fake_google)), encoding="utf-8")
        return load_config(path), services

    services = robot(tmp_path, fake_google, private_key_pem, sleeps)  # its token is renewed after reset

    config, _ = first_init(tmp_path / "probe")
    provision(config, services)
    steps = [c.name for c in fake_google.calls if c.name != "oauth2.token"]
    cases = [(i, n, False) for i, n in enumerate(steps)]
    cases += [(i, n, True) for i, n in enumerate(steps) if n in NON_IDEMPOTENT]
    for step, name, applied in cases:
        fake_google.reset()
        config, _ = first_init(tmp_path / f"step{step}-{applied}")
        fake_google.fail(name, 503, skip=steps[:step].count(name), times=10, applied=applied)
        with pytest.raises((GoogleError, SourceError, StoreError)):
            provision(config, services)
        fake_google.faults.clear()
        provision(load_config(config.path), services)
        assert_complete(fake_google, config, staff, specs)
    assert len(cases) > 20
