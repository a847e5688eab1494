"""The registries of a programme: sheet titles, headers, types, keys and column owners.

This is the one place where the Russian titles and headers live. The rest of the code names a
column by its canonical (English) name and asks this module for the header.

Owners decide what the job may write:
- ``JOB``: recomputed by the job on every run (statuses, derived consent columns, scores);
- ``FORM``: filled from participants' answers; rewritten only when a newer answer arrives;
- ``STAFF``: staff own it; the job fills it once, when it creates the row, and never again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Owner(StrEnum):
    JOB = "job"
    FORM = "form"
    STAFF = "staff"


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    CHOICES = "choices"  # several options joined by ", "
    BOOL = "bool"
    NUMBER = "number"  # a figure: written as a number so charts can plot it


DIRECTIONS: tuple[str, ...] = (
    "техническая",
    "естественнонаучная",
    "физкультурно-спортивная",
    "художественная",
    "туристско-краеведческая",
    "социально-гуманитарная",
)
MENTEE_CATEGORIES: tuple[str, ...] = ("молодой педагог", "педагог", "обучающийся")
FORMATS: tuple[str, ...] = ("очно", "дистанционно", "смешанный")
DAYS: tuple[str, ...] = ("пн", "вт", "ср", "чт", "пт", "сб")
YES_NO: tuple[str, ...] = ("да", "нет")

MENTOR_STATUSES: tuple[str, ...] = ("активен", "приостановлен", "выбыл")
MENTEE_STATUSES: tuple[str, ...] = (
    "ожидает согласия",
    "ожидает пары",
    "в паре",
    "завершил",
    "выбыл",
)
PAIR_STATUSES: tuple[str, ...] = (
    "предложена",
    "утверждена",
    "пробная встреча",
    "план развития",
    "работа",
    "завершена",
    "отклонена",
    "расторгнута",
    "снята",
)
MENTORING_FORMS: tuple[str, ...] = (
    "педагог – педагог",
    "руководитель – педагог",
    "педагог – обучающийся",
    "обучающийся – обучающийся",
)
ROADMAP_STATUSES: tuple[str, ...] = ("не начато", "в работе", "выполнено", "просрочено")
ATTENTION_STATUSES: tuple[str, ...] = ("открыто", "исправлено", "принято вручную")
RESOLUTIONS: tuple[str, ...] = ("исправлено вручную", "принято как есть", "не требует действий")  # closes a row
CONSENT_KINDS: tuple[str, ...] = ("обработка ПД", "распространение ПД")
CONSENT_GIVERS: tuple[str, ...] = ("сам участник", "родитель", "законный представитель")


@dataclass(frozen=True)
class Column:
    """One column of a registry sheet."""

    name: str
    header: str
    kind: Kind = Kind.TEXT
    owner: Owner = Owner.JOB
    choices: tuple[str, ...] = ()
    required: bool = True  # the header must be present for the job to write the sheet
    width: int = 18
    low: int | None = 0  # INT: the smallest number the cell may hold (None: no bound)
    high: int | None = None  # INT: the largest

    def __hash__(self) -> int:  # cheap: typed-cell readings are cached by column
        return hash((self.name, self.header))


@dataclass(frozen=True)
class SheetSchema:
    """One registry: a sheet with a Russian title, a key column and typed columns."""

    name: str
    title: str
    key: str
    columns: tuple[Column, ...]
    hidden: bool = False
    _by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})
        if self.key not in self._by_name:
            raise ValueError(f"key {self.key!r} is not a column of {self.name}")

    def column(self, name: str) -> Column:
        """The column with this canonical name."""
        return self._by_name[name]

    def header(self, name: str) -> str:
        """The Russian header of a canonical column name."""
        return self._by_name[name].header

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def key_column(self) -> Column:
        return self._by_name[self.key]

    def by_header(self) -> dict[str, Column]:
        """Header -> column, for reading a sheet by its headers."""
        return {c.header: c for c in self.columns}


def _c(name: str, header: str, kind: Kind = Kind.TEXT, owner: Owner = Owner.JOB, **kw) -> Column:
    return Column(name, header, kind, owner, **kw)


J, F, S = Owner.JOB, Owner.FORM, Owner.STAFF


def _letter_overrides() -> tuple[Column, ...]:
    """Staff's word on how a letter names a person, where the inflection library may be wrong."""
    return (_c("name_dative", "ФИО в дательном падеже", owner=S, width=32, required=False),
            _c("letter_gender", "Пол для писем", Kind.CHOICE, S, choices=("м", "ж"), width=8, required=False))


MENTORS = SheetSchema(
    "mentors",
    "Наставники",
    "id",
    (
        _c("id", "ID", owner=J, width=10),
        _c("full_name", "ФИО", owner=F, width=32),
        _c("gender", "Пол", Kind.CHOICE, F, choices=("м", "ж"), width=6),
        _c("email", "Email", owner=F, width=28),
        _c("phone", "Телефон", owner=F),
        _c("position", "Должность", owner=F, width=24),
        _c("department", "Отдел / площадка", owner=F, width=22),
        _c("direction", "Направленность", Kind.CHOICE, F, choices=DIRECTIONS, width=24),
        _c("competencies", "Компетенции", Kind.CHOICES, F, width=40),
        _c("experience_years", "Стаж, лет", Kind.INT, F, width=10),
        _c("capacity", "Ёмкость", Kind.INT, F, width=10),
        _c("group_ok", "Готов вести группу", Kind.BOOL, F, choices=YES_NO, width=12),
        _c("formats", "Форматы", Kind.CHOICES, F, choices=FORMATS),
        _c("days", "Дни", Kind.CHOICES, F, choices=DAYS),
        _c("trained", "Обучение пройдено", Kind.BOOL, S, choices=YES_NO, width=12),
        _c("status", "Статус", Kind.CHOICE, S, choices=MENTOR_STATUSES, width=14),
        _c("long_term", "В долгосрочном реестре", Kind.BOOL, S, choices=YES_NO, width=12),
        _c("pd_consent", "Согласие на ПД", owner=J, width=30),  # «28.11.2026, родитель (ред. …)»: wraps
        _c("source", "Источник", owner=J, width=22),
        _c("added_on", "Дата включения", Kind.DATE, J, width=14),
        _c("updated_at", "Ответ от", Kind.DATETIME, J, width=20),
        *_letter_overrides(),
    ),
)

MENTEES = SheetSchema(
    "mentees",
    "Наставляемые",
    "id",
    (
        _c("id", "ID", owner=J, width=10),
        _c("full_name", "ФИО", owner=F, width=32),
        _c("gender", "Пол", Kind.CHOICE, F, choices=("м", "ж"), width=6),
        _c("category", "Категория", Kind.CHOICE, F, choices=MENTEE_CATEGORIES, width=18),
        _c("birth_date", "Дата рождения", Kind.DATE, F, width=14),
        _c("email", "Email", owner=F, width=28),
        _c("phone", "Телефон", owner=F),
        _c("guardian", "Законный представитель", owner=F, width=28),
        _c("department", "Отдел / площадка", owner=F, width=22),
        _c("direction", "Направленность", Kind.CHOICE, F, choices=DIRECTIONS, width=24),
        _c("needs", "Запросы", Kind.CHOICES, F, width=40),
        _c("experience_years", "Стаж, лет", Kind.INT, F, width=10),
        _c("format", "Формат", Kind.CHOICE, F, choices=FORMATS),
        _c("days", "Дни", Kind.CHOICES, F, choices=DAYS),
        _c("preferred_mentor", "Желаемый наставник", owner=F, width=28),
        _c("pd_consent", "Согласие на ПД", owner=J, width=30),
        _c("publication_consent", "Согласие на публикацию", owner=J, width=30),
        _c("status", "Статус", Kind.CHOICE, J, choices=MENTEE_STATUSES, width=18),
        _c("stage", "Этап", owner=J, width=18),
        _c("source", "Источник", owner=J, width=22),
        _c("added_on", "Дата включения", Kind.DATE, J, width=14),
        _c("updated_at", "Ответ от", Kind.DATETIME, J, width=20),
        *_letter_overrides(),
    ),
)

CONSENTS = SheetSchema(
    "consents",
    "Согласия",
    "id",
    (
        _c("id", "ID", owner=J, width=10),
        _c("kind", "Вид согласия", Kind.CHOICE, J, choices=CONSENT_KINDS, width=20),
        _c("subject_name", "ФИО субъекта", owner=F, width=32),
        _c("subject_email", "Email участника", owner=F, width=28),
        _c("participant_id", "Участник", owner=J, width=12),
        _c("given_by", "Кем дано", Kind.CHOICE, F, choices=CONSENT_GIVERS, width=20),
        _c("giver_name", "ФИО давшего согласие", owner=F, width=32),
        _c("scope", "Объем", Kind.CHOICES, F, width=30),
        _c("given_on", "Дата", Kind.DATE, F, width=14),
        _c("text_version", "Версия текста", owner=J, width=14),
        _c("withdrawn_on", "Отозвано", Kind.DATE, S, width=14, required=False),
    ),
)

PAIRS = SheetSchema(
    "pairs",
    "Пары",
    "id",
    (
        _c("id", "ID", owner=J, width=10),
        _c("mentor_id", "Наставник", owner=S, width=12),
        _c("mentee_ids", "Наставляемые", owner=S, width=20),
        _c("mentor_name", "ФИО наставника", owner=J, width=28, required=False),
        _c("mentee_names", "ФИО наставляемых", owner=J, width=32, required=False),
        _c("mentoring_form", "Форма наставничества", Kind.CHOICE, J, choices=MENTORING_FORMS, width=24),
        _c("format", "Формат", Kind.CHOICE, J, choices=FORMATS),
        _c("score", "Оценка совпадения", Kind.INT, J, width=10),
        _c("explanation", "Объяснение", owner=J, width=60),
        _c("alternatives", "Альтернативы", owner=J, width=40),
        _c("proposed_mentor", "Предложил подбор", owner=J, width=12),
        _c("status", "Статус", Kind.CHOICE, S, choices=PAIR_STATUSES, width=16),
        _c("stage", "Этап", owner=J, width=16),
        _c("plan_link", "Ссылка на ИПР", owner=S, width=30),
        _c("proposed_on", "Предложена", Kind.DATE, J, width=14),
        _c("approved_on", "Утверждена", Kind.DATE, S, width=14, required=False),
        _c("ended_on", "Завершена", Kind.DATE, S, width=14, required=False),
    ),
)

MEETINGS = SheetSchema(
    "meetings",
    "Встречи",
    "id",
    (
        _c("id", "ID", owner=J, width=10),
        _c("pair_id", "Пара", owner=S, width=10),
        _c("reporter_email", "Email автора", owner=F, width=28),
        _c("reporter_id", "Автор", owner=J, width=12),
        _c("mentee_name", "Наставляемый / группа", owner=F, width=28),
        _c("held_on", "Дата встречи", Kind.DATE, F, width=14),
        _c("kind", "Вид встречи", Kind.CHOICE, F, width=20),
        _c("topic", "Тема", owner=F, width=40),
        _c("format", "Формат", Kind.CHOICE, F, choices=FORMATS),
        _c("duration_min", "Длительность, мин", Kind.INT, F, width=10),
        _c("outcome", "Итоги", owner=F, width=50),
        _c("planned_on", "Дата по плану", Kind.DATE, S, width=14, required=False),
    ),
)

FEEDBACK = SheetSchema(
    "feedback",
    "Обратная связь",
    "id",
    (
        _c("id", "ID", owner=J, width=10),
        _c("kind", "Вид", Kind.CHOICE, J, choices=("промежуточная", "итоговая"), width=14),
        _c("pair_id", "Пара", owner=S, width=10),
        _c("participant_id", "Участник", owner=J, width=12),
        _c("author_email", "Email автора", owner=F, width=28, required=False),
        _c("author_name", "ФИО автора", owner=F, width=28, required=False),
        _c("partner_name", "ФИО второго участника", owner=F, width=28, required=False),
        _c("role", "Роль", Kind.CHOICE, F, choices=("наставник", "наставляемый"), width=14),
        _c("satisfaction", "Удовлетворенность", Kind.INT, F, width=10, low=1, high=10),
        _c("usefulness", "Польза", Kind.INT, F, width=10, low=1, high=10),
        _c("goals_progress", "Продвижение к целям", Kind.INT, F, width=10, low=1, high=10),
        _c("mentor_quality", "Оценка наставника", Kind.INT, F, width=10, low=1, high=10, required=False),
        _c("ready_to_mentor", "Готов стать наставником", Kind.BOOL, F, choices=YES_NO),
        _c("comment", "Комментарий", owner=F, width=50),
        _c("answered_on", "Дата ответа", Kind.DATE, J, width=14),
    ),
)

ROADMAP = SheetSchema(
    "roadmap",
    "Дорожная карта",
    "id",
    (
        _c("id", "№", owner=J, width=6),
        _c("stage", "Этап", owner=J, width=30),
        _c("activity", "Мероприятие", owner=J, width=60),
        _c("documents", "Документы", owner=J, width=40),
        _c("responsible", "Ответственный", owner=J, width=28),
        _c("deadline_text", "Срок исполнения", owner=J, width=22),
        _c("deadline", "Срок (даты)", owner=S, width=24),
        _c("status", "Статус", Kind.CHOICE, J, choices=ROADMAP_STATUSES, width=14),
        _c("progress", "Прогресс, %", Kind.INT, J, width=10),
        _c("evidence", "Основание", owner=J, width=60),
        _c("manual_status", "Статус вручную", Kind.CHOICE, S, choices=ROADMAP_STATUSES),
        _c("document_link", "Ссылка на документ", owner=S, width=30),
    ),
)

PRACTICES = SheetSchema(
    "practices",
    "Лучшие практики",
    "id",
    (
        _c("id", "ID", owner=J, width=10),
        _c("pair_id", "Пара", owner=S, width=10),
        _c("title", "Название кейса", owner=S, width=40),
        _c("summary", "Описание", owner=S, width=60),
        _c("publication_ok", "Согласие на публикацию", Kind.BOOL, J, choices=YES_NO),
        _c("published_link", "Ссылка на сайте", owner=S, width=30),
        # For the public «Лучшие практики»; empty direction and form are taken from the pair.
        _c("direction", "Направленность", Kind.CHOICE, S, choices=DIRECTIONS, width=24, required=False),
        _c("mentoring_form", "Форма наставничества", Kind.CHOICE, S, choices=MENTORING_FORMS, required=False),
        _c("result", "Результат", owner=S, width=60, required=False),
    ),
)

PARTNERS = SheetSchema(
    "partners",
    "Партнеры",
    "id",
    (
        _c("id", "ID", owner=J, width=10),
        _c("organisation", "Организация", owner=S, width=40),
        _c("head", "Руководитель (ФИО)", owner=S, width=32),
        _c("position", "Должность руководителя", owner=S, width=24),
        _c("position_dative", "Должность (кому)", owner=S, width=28, required=False),  # sync.documents.positions
        _c("contacts", "Контакты", owner=S, width=30),
        _c("contribution", "Что сделано для программы", owner=S, width=50),
        *_letter_overrides(),
    ),
)

DOCUMENT_STATES: tuple[str, ...] = ("создан", "заменен", "удален: отзыв согласия", "удален: в нем прежняя версия")

DOCUMENTS = SheetSchema(
    "documents",
    "Документы",
    "id",
    (
        _c("id", "Ключ", owner=J, width=36),
        _c("kind", "Вид документа", owner=J, width=34),
        _c("subject_id", "Участник / пара", owner=J, width=14),
        _c("cycle", "Цикл", owner=J, width=12),
        _c("title", "Название", owner=J, width=40),
        _c("link", "Файл или ссылка", owner=J, width=40),
        _c("pdf", "PDF", owner=J, width=30),
        _c("made_at", "Создан", Kind.DATETIME, J, width=20),
        _c("template", "Шаблон (версия)", owner=J, width=24),
        _c("state", "Состояние", Kind.CHOICE, J, choices=DOCUMENT_STATES, width=16),
    ),
)

ATTENTION = SheetSchema(
    "attention",
    "Требует внимания",
    "id",
    (
        _c("id", "Код", owner=J, width=22),
        _c("found_at", "Обнаружено", Kind.DATETIME, J, width=20),
        _c("form", "Анкета", owner=J, width=28),
        _c("response", "Ответ", owner=J, width=22),
        _c("submitted_at", "Отметка времени", Kind.DATETIME, J, width=20),
        _c("question", "Вопрос", owner=J, width=30),
        _c("value", "Значение", owner=J, width=30),
        _c("reason", "Причина", owner=J, width=60),
        _c("status", "Статус", Kind.CHOICE, J, choices=ATTENTION_STATUSES, width=14),
        _c("answers", "Ответ целиком", owner=J, width=60),
        _c("resolution", "Решение куратора", Kind.CHOICE, S, choices=RESOLUTIONS, width=30, required=False),
    ),
)

JOURNAL = SheetSchema(
    "journal",
    "Журнал синхронизации",
    "id",
    (
        _c("id", "Запуск", owner=J, width=22),
        _c("started_at", "Начало", Kind.DATETIME, J, width=20),
        _c("finished_at", "Окончание", Kind.DATETIME, J, width=20),
        _c("backend", "Хранилище", owner=J, width=12),
        _c("responses", "Новых ответов", Kind.INT, J, width=10),
        _c("changes", "Изменения", owner=J, width=60),
        _c("api_calls", "Обращения к API", owner=J, width=40),
        _c("errors", "Ошибки", owner=J, width=60),
    ),
)

# «Сводка»: the dashboard. Every row is the job's: a block's title row names its series (the
# charts read them as headers), the rows below hold the figures. Charts point at these rows by
# position, so the job never reorders them (see sync/dashboard/).
DASHBOARD = SheetSchema(
    "dashboard",
    "Сводка",
    "id",
    (
        _c("id", "Код", owner=J, width=26),
        _c("label", "Показатель", owner=J, width=52),
        _c("value", "Значение", Kind.NUMBER, J, width=16),
        _c("value2", "Значение 2", Kind.NUMBER, J, width=16),
        _c("value3", "Значение 3", Kind.NUMBER, J, width=16),
        _c("value4", "Значение 4", Kind.NUMBER, J, width=16),
    ),
)

PROCESSED = SheetSchema(
    "processed",
    "Обработанные ответы",
    "id",
    (
        _c("id", "Ответ", owner=J, width=22),
        _c("form", "Анкета", owner=J, width=20),
        _c("submitted_at", "Отметка времени", Kind.DATETIME, J, width=20),
        _c("participant_id", "Участник", owner=J, width=12),
        _c("result", "Результат", owner=J, width=20),
        _c("processed_at", "Обработан", Kind.DATETIME, J, width=20),
    ),
    hidden=True,
)

SERVICE = SheetSchema(
    "service",
    "Служебное",
    "id",
    (
        _c("id", "Параметр", owner=J, width=24),
        _c("value", "Значение", owner=J, width=30),
    ),
    hidden=True,
)

# Dropdowns refuse a value outside the list (xlsx data validation, Google strict validation);
# the message says what the list is. Excel shows at most 255 characters of it.
DROPDOWN_TITLE = "Значение не из списка"


def dropdown_message(column: Column) -> str:
    """What a dropdown says when someone types a value it does not list (Russian, <= 255 chars)."""
    text = f"«{column.header}»: выберите значение из списка: " + ", ".join(column.choices)
    return text if len(text) <= 255 else text[:254] + "…"


def has_dropdown(column: Column) -> bool:
    """Whether the column's cells are a dropdown of its choices; never one the job writes (it would invite typing)."""
    return column.kind in (Kind.CHOICE, Kind.BOOL) and bool(column.choices) and column.owner is not Owner.JOB


# Columns holding personal data: never shown in logs, plans or public outputs.
PII_COLUMNS = frozenset({
    "full_name", "email", "phone", "birth_date", "guardian", "subject_name", "subject_email", "giver_name",
    "reporter_email", "mentee_name", "value", "answers", "name_dative", "head", "contacts", "mentor_name",
    "mentee_names", "author_email", "author_name", "partner_name", "preferred_mentor", "topic", "outcome",
    "comment", "summary"})

# Job columns that can quote what a participant wrote (an answer «Другое», the whole response).
QUOTING_COLUMNS = frozenset({"value", "answers", "reason"})


def shown_in_plans(column: Column) -> bool:
    """Whether plans, ``-v`` and messages may show a column's text: never a participant's own
    words (form-owned columns), personal data, or a job column that quotes them."""
    return column.owner is not Owner.FORM and column.name not in PII_COLUMNS | QUOTING_COLUMNS


REGISTRIES: tuple[SheetSchema, ...] = (
    MENTORS,
    MENTEES,
    CONSENTS,
    PAIRS,
    MEETINGS,
    FEEDBACK,
    ROADMAP,
    PRACTICES,
    PARTNERS,
    DOCUMENTS,
    ATTENTION,
    JOURNAL,
    DASHBOARD,
    PROCESSED,
    SERVICE,
)
BY_NAME: dict[str, SheetSchema] = {s.name: s for s in REGISTRIES}
BY_TITLE: dict[str, SheetSchema] = {s.title: s for s in REGISTRIES}
