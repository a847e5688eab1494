"""Creating a Google Form from a questionnaire, and checking an existing form against it.

Creating costs three calls: ``forms.create`` (unpublished, with only the title: the API takes
nothing else), one ``batchUpdate`` with the description, e-mail collection and every
question, then ``setPublishSettings`` to open it to respondents once it is complete.
Checking costs one ``forms.get`` and returns Russian problems (for ``nastavnik doctor``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from googleapiclient.errors import Error as ClientError

from forms.google_source import form_error
from forms.responses import SourceError
from forms.spec import FormSpec, Question, QuestionType

_TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.EMAIL, QuestionType.PHONE, QuestionType.INTEGER)
_KIND_NAMES = {
    "text": "текст",
    "paragraph": "абзац",
    "date": "дата",
    "radio": "один из списка",
    "checkbox": "несколько из списка",
    "scale": "шкала",
    "other": "другой тип",
}
# Respondents type their address: parents and pupils may have no Google account to sign in.
EMAIL_COLLECTION = "RESPONDER_INPUT"


def question_body(q: Question) -> dict[str, Any]:
    """The Forms API Question for one of ours."""
    body: dict[str, Any] = {"required": q.required}
    if q.type in _TEXT_TYPES:
        body["textQuestion"] = {"paragraph": False}
    elif q.type is QuestionType.PARAGRAPH:
        body["textQuestion"] = {"paragraph": True}
    elif q.type is QuestionType.DATE:
        body["dateQuestion"] = {"includeYear": True, "includeTime": False}
    elif q.type in (QuestionType.CHOICE, QuestionType.CHECKBOX):
        options: list[dict[str, Any]] = [{"value": o} for o in q.options]
        if q.other_allowed:
            options.append({"isOther": True})
        kind = "CHECKBOX" if q.type is QuestionType.CHECKBOX else "RADIO"
        body["choiceQuestion"] = {"type": kind, "options": options}
    elif q.type is QuestionType.SCALE:
        body["scaleQuestion"] = {"low": q.low, "high": q.high}
    else:  # pragma: no cover - every QuestionType is handled above
        raise AssertionError(q.type)
    return body


def build_requests(spec: FormSpec) -> list[dict[str, Any]]:
    """The batchUpdate requests that turn an empty form into the questionnaire."""
    # A form made through Drive carries only its file name: the title respondents see is set here.
    info = {"title": spec.title, "description": spec.description}
    requests: list[dict[str, Any]] = [
        {"updateFormInfo": {"info": info, "updateMask": "title,description" if spec.description else "title"}}
    ]
    if spec.collects_email:
        requests.append(
            {
                "updateSettings": {
                    "settings": {"emailCollectionType": EMAIL_COLLECTION},
                    "updateMask": "emailCollectionType",
                }
            }
        )
    for index, q in enumerate(spec.questions):
        item: dict[str, Any] = {"title": q.title, "questionItem": {"question": question_body(q)}}
        if q.help:
            item["description"] = q.help
        requests.append({"createItem": {"item": item, "location": {"index": index}}})
    return requests


def create_form(forms_service: Any, spec: FormSpec, *, publish: bool = True) -> str:
    """Create the form of a questionnaire; returns its id. Three API calls."""
    forms = forms_service.forms()
    try:
        created = forms.create(
            body={"info": {"title": spec.title, "documentTitle": spec.title}}, unpublished=True
        ).execute()
        form_id = created["formId"]
        forms.batchUpdate(formId=form_id, body={"requests": build_requests(spec)}).execute()
        if publish:
            state = {"isPublished": True, "isAcceptingResponses": True}
            forms.setPublishSettings(
                formId=form_id, body={"publishSettings": {"publishState": state}}
            ).execute()
    except ClientError as exc:
        raise SourceError(form_error(spec, exc)) from None
    return form_id


PUBLISHED = {"isPublished": True, "isAcceptingResponses": True}


def fill_form(forms_service: Any, spec: FormSpec, form_id: str) -> dict[str, Any]:
    """Turn an empty form into the questionnaire (one batchUpdate); returns the form resource.

    Only for a form with no items: the caller checks, so a questionnaire is never doubled.
    """
    body = {"requests": build_requests(spec), "includeFormInResponse": True}
    try:
        reply = forms_service.forms().batchUpdate(formId=form_id, body=body).execute()
    except ClientError as exc:
        raise SourceError(form_error(spec, exc)) from None
    return dict(reply.get("form") or {})


def publish_form(forms_service: Any, spec: FormSpec, form_id: str) -> None:
    """Publish the form and let it accept responses (forms made by the API start unpublished)."""
    try:
        forms_service.forms().setPublishSettings(
            formId=form_id, body={"publishSettings": {"publishState": dict(PUBLISHED)}}
        ).execute()
    except ClientError as exc:
        raise SourceError(form_error(spec, exc)) from None


def is_published(form: Mapping[str, Any]) -> bool:
    """Published and accepting responses (a legacy form without publishSettings counts as so)."""
    state = form.get("publishSettings", {}).get("publishState")
    return state is None or bool(state.get("isPublished") and state.get("isAcceptingResponses"))


def has_questions(form: Mapping[str, Any]) -> bool:
    """Whether the form has any item (a form staff made and left empty has none)."""
    return bool(form.get("items"))


def check_form(forms_service: Any, spec: FormSpec, form_id: str) -> list[str]:
    """Problems of an existing form against the questionnaire (Russian); [] when it fits."""
    try:
        form = forms_service.forms().get(formId=form_id).execute()
    except ClientError as exc:
        return [form_error(spec, exc)]
    return form_problems(spec, form)


def form_problems(spec: FormSpec, form: Mapping[str, Any]) -> list[str]:
    """What in a Forms API Form resource stops the programme from reading its answers."""
    where = f"форма «{spec.title}»"
    problems: list[str] = []
    found: dict[str, dict[str, Any]] = {}
    for item in form.get("items", []):
        question = item.get("questionItem", {}).get("question")
        if question is not None:
            found.setdefault(str(item.get("title", "")).strip(), question)
    for q in spec.questions:
        actual = found.get(q.title)
        if actual is None:
            problems.append(f"{where}: нет вопроса «{q.title}» (переименован или удален?)")
            continue
        problems += [f"{where}, вопрос «{q.title}»: {p}" for p in _question_problems(q, actual)]
    settings = form.get("settings", {})
    if spec.collects_email and settings.get("emailCollectionType", "DO_NOT_COLLECT") in (
        "DO_NOT_COLLECT",
        "EMAIL_COLLECTION_TYPE_UNSPECIFIED",
    ):
        problems.append(f"{where}: не собирает адреса электронной почты (включите в настройках)")
    state = form.get("publishSettings", {}).get("publishState")
    if state is not None and not (state.get("isPublished") and state.get("isAcceptingResponses")):
        problems.append(f"{where}: не опубликована или не принимает ответы")
    return problems


def _kind(question: Mapping[str, Any]) -> str:
    if "textQuestion" in question:
        return "paragraph" if question["textQuestion"].get("paragraph") else "text"
    if "dateQuestion" in question:
        return "date"
    if "scaleQuestion" in question:
        return "scale"
    if "choiceQuestion" in question:
        return "checkbox" if question["choiceQuestion"].get("type") == "CHECKBOX" else "radio"
    return "other"


def _question_problems(q: Question, actual: Mapping[str, Any]) -> list[str]:
    expected = _kind(question_body(q))
    kind = _kind(actual)
    # A short answer and a paragraph read alike; only a change of nature matters.
    if kind != expected and {kind, expected} != {"text", "paragraph"}:
        return [f"тип «{_KIND_NAMES[kind]}», а нужен «{_KIND_NAMES[expected]}»"]
    problems: list[str] = []
    if q.required and not actual.get("required"):
        problems.append("необязательный в форме, а программа его требует")
    if kind in ("radio", "checkbox"):
        options = actual["choiceQuestion"].get("options", [])
        values = [o.get("value", "") for o in options if not o.get("isOther")]
        missing = [o for o in q.options if o not in values]
        extra = [v for v in values if v not in q.options]
        if missing:
            problems.append("нет вариантов " + _quoted(missing))
        if extra:
            problems.append("лишние варианты, программа их не примет: " + _quoted(extra))
        if any(o.get("isOther") for o in options) and not q.other_allowed:
            problems.append("разрешен ответ «Другое», а программа его не примет")
    if kind == "scale":
        scale = actual["scaleQuestion"]
        if (scale.get("low", 0), scale.get("high", 0)) != (q.low, q.high):
            problems.append(f"шкала {scale.get('low', 0)}–{scale.get('high', 0)}, а нужна {q.low}–{q.high}")
    return problems


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"«{v}»" for v in values)


@dataclass
class FormsSetup:
    """Result of ``ensure_forms``: every questionnaire's form id, what was made, what is wrong."""

    form_ids: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def ensure_forms(forms_service: Any, specs: Iterable[FormSpec], form_ids: Mapping[str, str]) -> FormsSetup:
    """Create the forms that have no id yet and check the others; never creates a form twice.

    Existing forms are only checked, never changed: staff may have edited them, and adding
    a question back beside a renamed one would confuse respondents.
    """
    result = FormsSetup(form_ids=dict(form_ids))
    for spec in specs:
        form_id = form_ids.get(spec.code)
        if form_id:
            result.problems += check_form(forms_service, spec, form_id)
            continue
        result.form_ids[spec.code] = create_form(forms_service, spec)
        result.created.append(spec.code)
    return result
