"""Responses from the Google Forms API (v1), for the Google backend.

Per form and run: ``forms.responses.list`` pages filtered by ``timestamp > <watermark>``, then,
only when there is something new, one ``forms.get`` (question ids -> our questions, by title). The filter is on the
last submission time, so an edited response comes back; its id carries that time
(``responseId:lastSubmittedTime``), so the job takes an edit as a new answer to process.

The Forms service is injected (``sync.google`` builds it over its transport): this module
never imports ``sync``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from googleapiclient.errors import Error as ClientError
from googleapiclient.errors import HttpError

from forms.responses import Response, SourceError, require_questions
from forms.spec import FormSpec, Question, QuestionType

PAGE_SIZE = 1000


def rfc3339(when: datetime) -> str:
    """A moment as the Forms filter wants it: RFC 3339 in UTC, «Zulu» («...T10:00:00.5Z»)."""
    if when.tzinfo is None:
        raise ValueError("the watermark must be timezone-aware")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_rfc3339(text: str) -> datetime | None:
    """Parse a Forms timestamp («2025-09-01T10:00:00.123456789Z»); None if it is not one."""
    text = text.strip()
    if not text.endswith("Z"):
        return None
    main, _, fraction = text[:-1].partition(".")
    try:
        when = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    if fraction:
        if not fraction.isdecimal():
            return None
        when = when.replace(microsecond=int((fraction + "000000")[:6]))  # nanoseconds dropped
    return when


def response_id(item: Mapping[str, Any]) -> str:
    """responseId plus lastSubmittedTime: an edited response is a new answer to process."""
    return f"{item.get('responseId', '')}:{item.get('lastSubmittedTime', '')}"


class GoogleFormsSource:
    """ResponseSource over the Forms API: ``form_ids`` maps a FormSpec code to its form id.

    ``full_read_daily``: Google documents the filter as «submitted after» without saying
    whether an edit counts (``lastSubmittedTime``) or only the first submission
    (``createTime``); the job therefore reads each form unfiltered once a day, and what that
    finds beyond the filter (edits) is taken then.
    """

    full_read_daily = True

    def __init__(
        self, forms_service: Any, form_ids: Mapping[str, str], *, page_size: int = PAGE_SIZE
    ) -> None:
        self.service = forms_service
        self.form_ids = dict(form_ids)
        self.page_size = page_size
        self._questions: dict[str, dict[str, Question]] = {}  # code -> questionId -> question

    def responses(
        self, spec: FormSpec, since: datetime | None, seen: Collection[str] = frozenset()
    ) -> list[Response]:
        """Responses submitted or edited after ``since``, oldest first.

        A form with no id configured has no responses (as a missing CSV export). Raises
        SourceError when a question of the spec is missing from the form, or the API refuses.
        """
        form_id = self.form_ids.get(spec.code)
        if not form_id:
            return []
        query: dict[str, Any] = {"formId": form_id, "pageSize": self.page_size}
        if since is not None:
            query["filter"] = f"timestamp > {rfc3339(since)}"
        items: list[dict[str, Any]] = []
        while True:
            page = self._execute(spec, self.service.forms().responses().list(**query))
            items += page.get("responses", [])
            token = page.get("nextPageToken")
            if not token:
                break
            query["pageToken"] = token  # same filter: the API requires it with the token
        items = [item for item in items if response_id(item) not in seen]
        if not items:
            return []  # nothing new: no forms.get, so a quiet run costs one call per form
        questions = self.questions(spec, form_id)
        out = [self._response(spec, questions, item) for item in items]
        out.sort(key=lambda r: (r.submitted_at or datetime.min.replace(tzinfo=UTC), r.response_id))
        return out

    def questions(self, spec: FormSpec, form_id: str) -> dict[str, Question]:
        """questionId -> question of the spec, from one forms.get per form per run."""
        if spec.code in self._questions:
            return self._questions[spec.code]
        form = self._execute(spec, self.service.forms().get(formId=form_id))
        by_title: dict[str, str] = {}
        for item in form.get("items", []):
            question = item.get("questionItem", {}).get("question")
            title = str(item.get("title", "")).strip()
            if question and title and title not in by_title:
                by_title[title] = question["questionId"]
        require_questions(spec, by_title, f"в форме «{spec.title}»")
        mapping = {by_title[q.title]: q for q in spec.questions if q.title in by_title}
        self._questions[spec.code] = mapping
        return mapping

    def _response(self, spec: FormSpec, questions: dict[str, Question], item: dict[str, Any]) -> Response:
        submitted = str(item.get("lastSubmittedTime", ""))
        answers: dict[str, str | list[str]] = {
            q.title: [] if q.type is QuestionType.CHECKBOX else "" for q in spec.questions
        }
        for question_id, answer in (item.get("answers") or {}).items():
            question = questions.get(question_id)
            if question is None:
                continue  # a question the programme does not use
            values = [str(a.get("value", "")) for a in answer.get("textAnswers", {}).get("answers", [])]
            if question.type is QuestionType.CHECKBOX:
                answers[question.title] = values
            else:
                answers[question.title] = ", ".join(values)
        return Response(
            form=spec.code,
            response_id=response_id(item),
            submitted_at=parse_rfc3339(submitted),
            raw_timestamp=submitted,
            email=str(item.get("respondentEmail", "")),
            answers=answers,
        )

    def _execute(self, spec: FormSpec, request: Any) -> dict[str, Any]:
        try:
            return request.execute()
        except ClientError as exc:
            # HttpError from the library, or the transport's own error (retries exhausted, no
            # connection, a refusal explained by cause): either way this form is reported and
            # the other forms are still read.
            raise SourceError(form_error(spec, exc)) from None


def form_error(spec: FormSpec, exc: ClientError) -> str:
    """A Russian message for a Forms API refusal (no URL: it may carry a key)."""
    if not isinstance(exc, HttpError):
        return f"анкета «{spec.title}»: {exc}"  # already Russian and explained by the transport
    status = exc.resp.status if exc.resp is not None else 0
    if status == 404:
        why = "форма не найдена — проверьте ее id в разделе [google.forms] файла nastavnik.toml"
    elif status in (401, 403):
        why = "нет доступа к форме — откройте ее для сервисного аккаунта (роль «Редактор»)"
    else:
        reason = str(exc.reason or "")[:200] if hasattr(exc, "reason") else ""
        why = f"Google Формы ответили ошибкой {status}" + (f": {reason}" if reason else "")
    return f"анкета «{spec.title}»: {why}"
