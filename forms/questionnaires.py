"""The programme's questionnaires: applications, consents, feedback, final survey, meeting report.

Options are the registry's own values (a test checks they match ``sheets.schema``), so an answer
goes into the registry as it is.
"""

from __future__ import annotations

from forms.spec import FormSpec, Question
from forms.spec import QuestionType as T

DIRECTIONS = (
    "техническая",
    "естественнонаучная",
    "физкультурно-спортивная",
    "художественная",
    "туристско-краеведческая",
    "социально-гуманитарная",
)
DAYS = ("пн", "вт", "ср", "чт", "пт", "сб")
FORMATS = ("очно", "дистанционно", "смешанный")
GENDERS = ("м", "ж")
YES_NO = ("да", "нет")
COMPETENCIES = (
    "ИКТ",
    "проектная деятельность",
    "работа с родителями",
    "методика занятия",
    "дисциплина и мотивация, вовлечение",
    "работа с одаренными детьми",
    "инклюзивное образование",
    "подготовка к конкурсам",
    "разработка программ",
    "исследовательская деятельность",
)
CONSENT_TEXT_VERSION = "ПД-2025-09"
PUBLICATION_TEXT_VERSION = "РПД-2025-09"

_FIO = Question("ФИО", T.SHORT_TEXT, "full_name", help="Фамилия Имя Отчество полностью")
_GENDER = Question("Пол", T.CHOICE, "gender", options=GENDERS)
_PHONE = Question("Телефон", T.PHONE, "phone", required=False)
_DEPARTMENT = Question("Отдел / площадка", T.SHORT_TEXT, "department", required=False)
_DIRECTION = Question("Направленность", T.CHOICE, "direction", options=DIRECTIONS)
_DAYS = Question("Удобные дни", T.CHECKBOX, "days", options=DAYS)

MENTOR_APPLICATION = FormSpec(
    code="mentor_application",
    title="Анкета наставника",
    target="mentors",
    description="Заявка педагога на участие в программе наставничества в роли наставника.",
    questions=(
        _FIO,
        _GENDER,
        _PHONE,
        Question("Должность", T.SHORT_TEXT, "position"),
        _DEPARTMENT,
        _DIRECTION,
        Question("Компетенции, которыми готовы делиться", T.CHECKBOX, "competencies",
                 options=COMPETENCIES, other_allowed=True),
        Question("Педагогический стаж, лет", T.INTEGER, "experience_years"),
        Question("Сколько наставляемых готовы вести", T.SCALE, "capacity", low=1, high=5),
        Question("Готовы вести группу", T.CHOICE, "group_ok", options=YES_NO),
        Question("Форматы встреч", T.CHECKBOX, "formats", options=FORMATS),
        _DAYS,
    ),
)

MENTEE_APPLICATION = FormSpec(
    code="mentee_application",
    title="Анкета наставляемого",
    target="mentees",
    description=(
        "Заявка на участие в программе в роли наставляемого и анализ потребностей в развитии. "
        "За обучающегося до 18 лет анкету заполняет родитель или законный представитель."
    ),
    questions=(
        _FIO,
        _GENDER,
        Question("Категория", T.CHOICE, "category",
                 options=("молодой педагог", "педагог", "обучающийся")),
        Question("Дата рождения", T.DATE, "birth_date"),
        _PHONE,
        Question("ФИО родителя (законного представителя)", T.SHORT_TEXT, "guardian",
                 required=False, help="Только для обучающихся до 18 лет"),
        _DEPARTMENT,
        _DIRECTION,
        Question("Запросы: в чем нужна помощь наставника", T.CHECKBOX, "needs",
                 options=COMPETENCIES, other_allowed=True),
        Question("Педагогический стаж, лет (для педагогов)", T.INTEGER, "experience_years", required=False),
        Question("Предпочтительный формат", T.CHOICE, "format", options=FORMATS),
        _DAYS,
        Question("Желаемый наставник (если есть)", T.SHORT_TEXT, "preferred_mentor",
                 required=False),
    ),
)

_CONSENT_IDENTITY = (
    Question("ФИО участника программы", T.SHORT_TEXT, "subject_name"),
    Question("Email, указанный в анкете участника", T.EMAIL, "subject_email"),
    Question("Кем дано согласие", T.CHOICE, "given_by",
             options=("сам участник", "родитель", "законный представитель")),
    Question("ФИО давшего согласие", T.SHORT_TEXT, "giver_name"),
)

PD_CONSENT = FormSpec(
    code="pd_consent",
    title="Согласие на обработку персональных данных",
    target="consents",
    description=(
        "Отдельное согласие на обработку персональных данных участника программы наставничества "
        "(152-ФЗ, ст. 9, в редакции с 01.09.2025). За несовершеннолетнего согласие дает родитель "
        "или законный представитель."
    ),
    text_version=CONSENT_TEXT_VERSION,
    questions=(
        *_CONSENT_IDENTITY,
        Question("Подтверждение", T.CHECKBOX, "agreed",
                 options=("Даю согласие на обработку персональных данных",)),
    ),
)

PUBLICATION_CONSENT = FormSpec(
    code="publication_consent",
    title="Согласие на распространение персональных данных",
    target="consents",
    description=(
        "Отдельное согласие на публикацию сведений об участнике на сайте организации "
        "(152-ФЗ, ст. 10.1)."
    ),
    text_version=PUBLICATION_TEXT_VERSION,
    questions=(
        *_CONSENT_IDENTITY,
        Question("Что разрешается публиковать", T.CHECKBOX, "scope",
                 options=("ФИО", "фотография", "описание кейса")),
    ),
)

CONSENT_WITHDRAWAL = FormSpec(
    code="consent_withdrawal",
    title="Отзыв согласия на обработку персональных данных",
    target="consents",  # the withdrawal is recorded in «Отозвано» of the person's consents
    description=(
        "Отзыв согласия на обработку персональных данных участника программы наставничества "
        "(152-ФЗ, ст. 9, ч. 2). После отзыва участие в программе прекращается, персональные данные "
        "удаляются из реестров программы. За несовершеннолетнего согласие отзывает родитель или "
        "законный представитель."
    ),
    questions=(
        Question("ФИО участника программы", T.SHORT_TEXT, "subject_name"),
        Question("Email, указанный в анкете участника", T.EMAIL, "subject_email"),
        Question("Кем отзывается согласие", T.CHOICE, "given_by",
                 options=("сам участник", "родитель", "законный представитель")),
        Question("ФИО отзывающего согласие", T.SHORT_TEXT, "giver_name"),
        Question("Подтверждение", T.CHECKBOX, "agreed",
                 options=("Отзываю согласие на обработку персональных данных",)),
    ),
)

_SCALE = dict(low=1, high=10)
# Who answers and with whom they work: a parent's email may cover two children and a mentor may
# have several pairs, so the names are what links an answer to exactly one pair.
_AUTHOR = Question("Ваше ФИО (или ФИО ребенка, если отвечает родитель)", T.SHORT_TEXT, "author_name",
                   required=False, added_later=True)
_PARTNER = Question("ФИО наставника или наставляемого, с кем вы работаете в паре", T.SHORT_TEXT,
                    "partner_name", required=False, added_later=True,
                    help="Наставник с несколькими наставляемыми указывает наставляемого")

INTERIM_FEEDBACK = FormSpec(
    code="interim_feedback",
    title="Анкета обратной связи",
    target="feedback",
    description="Промежуточная оценка работы наставнической пары (шкала от 1 до 10).",
    questions=(
        Question("Ваша роль", T.CHOICE, "role", options=("наставник", "наставляемый")),
        _AUTHOR,
        _PARTNER,
        Question("Насколько вы удовлетворены встречами", T.SCALE, "satisfaction", **_SCALE),
        Question("Насколько полезна работа в паре", T.SCALE, "usefulness", **_SCALE),
        Question("Продвижение к целям плана развития", T.SCALE, "goals_progress", **_SCALE),
        Question("Оценка работы наставника (для наставляемых)", T.SCALE, "mentor_quality",
                 required=False, **_SCALE),
        Question("Комментарий", T.PARAGRAPH, "comment", required=False),
    ),
)

FINAL_SURVEY = FormSpec(
    code="final_survey",
    title="Итоговая анкета участника",
    target="feedback",
    description="Итоговая оценка участия в программе наставничества.",
    questions=(
        Question("Ваша роль", T.CHOICE, "role", options=("наставник", "наставляемый")),
        _AUTHOR,
        _PARTNER,
        Question("Удовлетворенность участием в программе", T.SCALE, "satisfaction", **_SCALE),
        Question("Польза программы для вас", T.SCALE, "usefulness", **_SCALE),
        Question("Достижение целей плана развития", T.SCALE, "goals_progress", **_SCALE),
        Question("Готовы ли вы стать наставником", T.CHOICE, "ready_to_mentor", options=YES_NO),
        Question("Комментарий", T.PARAGRAPH, "comment", required=False),
    ),
)

MEETING_REPORT = FormSpec(
    code="meeting_report",
    title="Отчет о встрече",
    target="meetings",
    description="Заполняет наставник после каждой встречи с наставляемым или группой.",
    questions=(
        Question("ФИО наставляемого или название группы", T.SHORT_TEXT, "mentee_name",
                 required=False, help="Если вы ведете несколько пар"),
        Question("Дата встречи", T.DATE, "held_on"),
        Question("Вид встречи", T.CHOICE, "kind",
                 options=("пробная встреча", "встреча планирования", "плановая встреча",
                          "итоговая встреча")),
        Question("Тема", T.SHORT_TEXT, "topic"),
        Question("Формат", T.CHOICE, "format", options=("очно", "дистанционно")),
        Question("Длительность, минут", T.INTEGER, "duration_min"),
        Question("Итоги встречи", T.PARAGRAPH, "outcome", required=False),
    ),
)

QUESTIONNAIRES: tuple[FormSpec, ...] = (
    MENTOR_APPLICATION,
    MENTEE_APPLICATION,
    PD_CONSENT,
    PUBLICATION_CONSENT,
    INTERIM_FEEDBACK,
    FINAL_SURVEY,
    MEETING_REPORT,
    CONSENT_WITHDRAWAL,
)
BY_CODE: dict[str, FormSpec] = {f.code: f for f in QUESTIONNAIRES}
