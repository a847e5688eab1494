"""Google Forms: creating forms from the questionnaires, checking them, reading responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from forms.answers import parse_response
from forms.google_setup import check_form, create_form, ensure_forms, form_problems
from forms.google_source import GoogleFormsSource, parse_rfc3339, rfc3339
from forms.questionnaires import MEETING_REPORT, MENTOR_APPLICATION, QUESTIONNAIRES
from forms.responses import SourceError
from tests.fake_google import FakeGoogle

pytest_plugins = ["tests.fake_google.fixtures"]
T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)

MENTOR_ANSWERS: dict[str, str | list[str]] = {
    "ФИО": "Иванова Мария Петровна",
    "Пол": "ж",
    "Телефон": "+7 912 345-67-89",
    "Должность": "педагог дополнительного образования",
    "Направленность": "техническая",
    "Компетенции, которыми готовы делиться": ["ИКТ", "проектная деятельность"],
    "Педагогический стаж, лет": "12",
    "Сколько наставляемых готовы вести": "2",
    "Готовы вести группу": "да",
    "Форматы встреч": ["очно"],
    "Удобные дни": ["пн", "ср"],
}


@pytest.fixture
def mentor_form(forms_service: Any, fake_google: FakeGoogle) -> str:
    form_id = create_form(forms_service, MENTOR_APPLICATION)
    fake_google.clear_calls()
    return form_id


def source(forms_service: Any, form_id: str, **kw: Any) -> GoogleFormsSource:
    return GoogleFormsSource(forms_service, {MENTOR_APPLICATION.code: form_id}, **kw)


# --- creating and checking -------------------------------------------------------------------


def test_create_form_is_three_calls_and_matches_the_spec(forms_service: Any, fake_google: FakeGoogle) -> None:
    form_id = create_form(forms_service, MENTOR_APPLICATION)
    assert fake_google.names() == ["forms.create", "forms.batchUpdate", "forms.setPublishSettings"]
    assert fake_google.calls[0].params["unpublished"] == "true"  # published only once complete
    form = fake_google.forms.get(form_id).resource
    assert form["info"]["title"] == "Анкета наставника"
    assert form["info"]["description"] == MENTOR_APPLICATION.description
    assert [i["title"] for i in form["items"]] == [q.title for q in MENTOR_APPLICATION.questions]
    kinds = {i["title"]: i["questionItem"]["question"] for i in form["items"]}
    assert kinds["Удобные дни"]["choiceQuestion"]["type"] == "CHECKBOX"
    assert kinds["Пол"]["choiceQuestion"]["type"] == "RADIO"
    assert kinds["Сколько наставляемых готовы вести"]["scaleQuestion"] == {"low": 1, "high": 5}
    assert {"isOther": True} in kinds["Компетенции, которыми готовы делиться"]["choiceQuestion"]["options"]
    assert kinds["Телефон"]["required"] is False and kinds["ФИО"]["required"] is True
    assert form["settings"]["emailCollectionType"] == "RESPONDER_INPUT"
    assert form["publishSettings"]["publishState"] == {"isPublished": True, "isAcceptingResponses": True}
    assert check_form(forms_service, MENTOR_APPLICATION, form_id) == []


def test_every_questionnaire_can_be_created(forms_service: Any) -> None:
    for spec in QUESTIONNAIRES:
        form_id = create_form(forms_service, spec)
        assert check_form(forms_service, spec, form_id) == [], spec.code


def test_check_form_names_what_staff_changed(
    forms_service: Any, fake_google: FakeGoogle, mentor_form: str
) -> None:
    fake_google.forms.rename_question(mentor_form, "Должность", "Ваша должность")
    items = fake_google.forms.get(mentor_form).items
    days = next(i for i in items if i["title"] == "Удобные дни")["questionItem"]["question"]
    days["choiceQuestion"]["options"] = [{"value": d} for d in ("пн", "вт", "ср", "чт", "пт", "вс")]
    scale = next(i for i in items if i["title"] == "Сколько наставляемых готовы вести")
    scale["questionItem"]["question"]["scaleQuestion"]["high"] = 10
    problems = check_form(forms_service, MENTOR_APPLICATION, mentor_form)
    assert problems == [
        "форма «Анкета наставника»: нет вопроса «Должность» (переименован или удален?)",
        "форма «Анкета наставника», вопрос «Сколько наставляемых готовы вести»: шкала 1–10, а нужна 1–5",
        "форма «Анкета наставника», вопрос «Удобные дни»: нет вариантов «сб»",
        "форма «Анкета наставника», вопрос «Удобные дни»: лишние варианты, программа их не примет: «вс»",
    ]


def test_form_problems_catch_type_email_and_publishing() -> None:
    form = {
        "items": [
            {"title": "Дата встречи", "questionItem": {"question": {"required": True, "textQuestion": {}}}}
        ],
        "settings": {"emailCollectionType": "DO_NOT_COLLECT"},
        "publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": False}},
    }
    problems = form_problems(MEETING_REPORT, form)
    assert "форма «Отчет о встрече», вопрос «Дата встречи»: тип «текст», а нужен «дата»" in problems
    assert "форма «Отчет о встрече»: не собирает адреса электронной почты (включите в настройках)" in problems
    assert "форма «Отчет о встрече»: не опубликована или не принимает ответы" in problems


def test_ensure_forms_twice_creates_nothing_the_second_time(
    forms_service: Any, fake_google: FakeGoogle
) -> None:
    first = ensure_forms(forms_service, QUESTIONNAIRES, {})
    assert first.created == [s.code for s in QUESTIONNAIRES] and first.problems == []
    fake_google.clear_calls()
    second = ensure_forms(forms_service, QUESTIONNAIRES, first.form_ids)
    assert second.created == [] and second.problems == [] and second.form_ids == first.form_ids
    assert fake_google.names() == ["forms.get"] * len(QUESTIONNAIRES)
    assert len(fake_google.forms.forms) == len(QUESTIONNAIRES)


def test_unknown_form_is_a_problem_not_a_crash(forms_service: Any) -> None:
    problems = check_form(forms_service, MENTOR_APPLICATION, "no-such-form")
    assert problems == [
        "анкета «Анкета наставника»: форма не найдена — проверьте ее id в разделе [google.forms] "
        "файла nastavnik.toml"
    ]


# --- reading responses -----------------------------------------------------------------------


def test_responses_keyed_by_title_oldest_first(
    forms_service: Any, fake_google: FakeGoogle, mentor_form: str
) -> None:
    late = fake_google.forms.seed_response(
        mentor_form, MENTOR_ANSWERS, T0 + timedelta(hours=2), "b@school.example"
    )
    early = fake_google.forms.seed_response(
        mentor_form,
        {**MENTOR_ANSWERS, "ФИО": "Петров Иван"},
        T0 + timedelta(microseconds=250),
        "a@school.example",
    )
    got = source(forms_service, mentor_form).responses(MENTOR_APPLICATION, None)
    assert [r.response_id.split(":")[0] for r in got] == [early, late]
    first = got[0]
    assert first.response_id == f"{early}:2026-09-01T09:00:00.000250Z"
    assert first.submitted_at == T0 + timedelta(microseconds=250)
    assert first.email == "a@school.example"
    assert first.form == "mentor_application" and first.raw_timestamp.endswith("Z")
    assert first.answers["ФИО"] == "Петров Иван"
    assert first.answers["Удобные дни"] == ["пн", "ср"]
    assert first.answers["Педагогический стаж, лет"] == "12"
    parsed = parse_response(MENTOR_APPLICATION, first)
    assert parsed.problems == []
    assert parsed.values["days"] == "пн; ср"


def test_unanswered_questions_are_empty(
    forms_service: Any, fake_google: FakeGoogle, mentor_form: str
) -> None:
    fake_google.forms.seed_response(mentor_form, {"ФИО": "Иванова"}, T0)
    (got,) = source(forms_service, mentor_form).responses(MENTOR_APPLICATION, None)
    assert got.answers["Телефон"] == "" and got.answers["Удобные дни"] == [] and got.email == ""


def test_watermark_becomes_the_timestamp_filter(
    forms_service: Any, fake_google: FakeGoogle, mentor_form: str
) -> None:
    fake_google.forms.seed_response(mentor_form, MENTOR_ANSWERS, T0)
    newer = fake_google.forms.seed_response(mentor_form, MENTOR_ANSWERS, T0 + timedelta(seconds=1))
    got = source(forms_service, mentor_form).responses(MENTOR_APPLICATION, T0)
    assert [r.response_id.split(":")[0] for r in got] == [newer]
    lists = [c for c in fake_google.calls if c.name == "forms.responses.list"]
    assert lists[-1].params["filter"] == "timestamp > 2026-09-01T09:00:00.000000Z"


def test_paging_keeps_the_filter(forms_service: Any, fake_google: FakeGoogle, mentor_form: str) -> None:
    for i in range(5):
        fake_google.forms.seed_response(mentor_form, MENTOR_ANSWERS, T0 + timedelta(minutes=i + 1))
    got = source(forms_service, mentor_form, page_size=2).responses(MENTOR_APPLICATION, T0)
    assert len(got) == 5 and [r.submitted_at for r in got] == sorted(r.submitted_at for r in got)
    lists = [c for c in fake_google.calls if c.name == "forms.responses.list"]
    assert len(lists) == 3
    assert all(c.params["filter"] == lists[0].params["filter"] for c in lists)
    assert "pageToken" not in lists[0].params and all("pageToken" in c.params for c in lists[1:])


def test_an_edited_response_comes_back_as_a_new_one(
    forms_service: Any, fake_google: FakeGoogle, mentor_form: str
) -> None:
    rid = fake_google.forms.seed_response(mentor_form, MENTOR_ANSWERS, T0)
    src = source(forms_service, mentor_form)
    (first,) = src.responses(MENTOR_APPLICATION, None)
    fake_google.forms.edit_response(mentor_form, rid, {"Удобные дни": ["пт"]}, T0 + timedelta(days=3))
    (edited,) = src.responses(MENTOR_APPLICATION, first.submitted_at)
    assert edited.response_id != first.response_id
    assert edited.response_id.startswith(rid + ":")
    assert edited.answers["Удобные дни"] == ["пт"] and edited.answers["ФИО"] == MENTOR_ANSWERS["ФИО"]


def test_forms_get_once_per_form_per_run_and_only_when_something_is_new(
    forms_service: Any, fake_google: FakeGoogle, mentor_form: str
) -> None:
    src = source(forms_service, mentor_form)
    src.responses(MENTOR_APPLICATION, None)
    assert fake_google.names() == ["forms.responses.list"]
    fake_google.forms.seed_response(mentor_form, MENTOR_ANSWERS, T0 + timedelta(seconds=1))
    src.responses(MENTOR_APPLICATION, T0)
    src.responses(MENTOR_APPLICATION, T0)
    assert fake_google.names() == [
        "forms.responses.list", "forms.responses.list", "forms.get", "forms.responses.list"
    ]


def test_a_renamed_question_stops_the_form_with_its_name(
    forms_service: Any, fake_google: FakeGoogle, mentor_form: str
) -> None:
    fake_google.forms.seed_response(mentor_form, MENTOR_ANSWERS, T0)
    fake_google.forms.rename_question(mentor_form, "Удобные дни", "Дни недели")
    with pytest.raises(SourceError) as info:
        source(forms_service, mentor_form).responses(MENTOR_APPLICATION, None)
    assert str(info.value) == (
        "в форме «Анкета наставника» нет вопросов: «Удобные дни» (вопрос переименован или удален в форме?)"
    )


def test_unknown_form_and_unconfigured_form(forms_service: Any) -> None:
    with pytest.raises(SourceError, match="форма не найдена"):
        source(forms_service, "no-such-form").responses(MENTOR_APPLICATION, None)
    assert GoogleFormsSource(forms_service, {}).responses(MENTOR_APPLICATION, None) == []


def test_timestamps() -> None:
    assert (
        rfc3339(datetime(2026, 9, 1, 15, 0, tzinfo=timezone(timedelta(hours=3))))
        == "2026-09-01T12:00:00.000000Z"
    )
    assert parse_rfc3339("2026-09-01T12:00:00.123456789Z") == datetime(
        2026, 9, 1, 12, 0, 0, 123456, tzinfo=UTC
    )
    assert parse_rfc3339("2026-09-01T12:00:00Z") == datetime(2026, 9, 1, 12, tzinfo=UTC)
    assert parse_rfc3339("01.09.2026") is None
    with pytest.raises(ValueError):
        rfc3339(datetime(2026, 9, 1))
