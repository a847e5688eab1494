"""The roadmap's Russian texts and the status words it uses, all in one place."""

from __future__ import annotations

import re

from sheets.schema import PAIR_STATUSES, ROADMAP_STATUSES

NOT_STARTED, IN_PROGRESS, DONE, OVERDUE = ROADMAP_STATUSES
PROPOSED, APPROVED, TRIAL, PLAN, WORK, FINISHED, REJECTED, TERMINATED, WITHDRAWN = PAIR_STATUSES
WAITING_CONSENT, WAITING_PAIR = "ожидает согласия", "ожидает пары"
YES = "да"
MENTEE_LEFT = "выбыл"
MENTOR_INACTIVE = ("приостановлен", "выбыл")
INTERIM, FINAL = "промежуточная", "итоговая"
MENTEE_ROLE = "наставляемый"
# A meeting report's kind («Вид встречи») that counts as the trial or planning meeting.
TRIAL_KIND = re.compile(r"пробн|планирован")

STAGE_TEXT = "{number}. {title}"
EV_NO_RULE = "{id}: данных в реестрах нет — укажите статус вручную"
EV_MANUAL = "статус указан вручную"
EV_MANUAL_ONLY = "{id}: статус указан вручную"
EV_OVERDUE = "срок истек {end}"
EV_NO_MENTEES = "{id}: в учетной базе нет наставляемых"
EV_NO_MENTORS = "{id}: в реестре нет наставников"
EV_CONSENTS = "{id}: согласия получены у {n} из {total} {whom} ({pct}%)"
EV_NEEDS = "{id}: анкеты о потребностях заполнили {n} из {total} {whom} ({pct}%); {report}"
EV_NEEDS_REPORT = ("отчет по анализу потребностей сформирован", "отчета по анализу потребностей нет")
EV_MENTORS = "{id}: наставников в реестре: {count}"
EV_DIRECTIONS_UNKNOWN = "направленности наставляемых пока не известны"
EV_DIRECTIONS = "наставники есть по {n} из {total} {what}, нужных наставляемым ({pct}%)"
EV_DIRECTIONS_MISSING = "нет наставника: {names}"
EV_TRAINED = "{id}: обучение прошли {n} из {total} {whom} ({pct}%)"
EV_PAIRS_NONE = "{id}: пар пока нет; наставляемых с согласием: {eligible}"
EV_PAIRS = (
    "{id}: утверждено пар: {approved}, ждут утверждения: {proposed}; "
    "в утвержденных парах {n} из {total} {whom} с согласием ({pct}%)"
)
EV_PAIRS_NO_ELIGIBLE = "{id}: утверждено пар: {approved}, ждут утверждения: {proposed}; наставляемых с согласием нет"
EV_NO_APPROVED = "{id}: утвержденных пар пока нет"
EV_PLANS = "{id}: из {total} {pairs} пробная встреча проведена в {met}, план развития (ИПР) составлен в {n} ({pct}%)"
EV_NO_MEETINGS = "{id}: встреч пока не было"
EV_NO_PLAN = "{id}: проведено встреч: {held}; дат по плану в «Встречах» нет"
EV_PLAN_AHEAD = "{id}: встреч в плане: {planned}, первая по плану — {first}; проведено встреч: {held}"
EV_MEETINGS = "{id}: встреч по плану на {today}: {due}, из них проведено {n} ({pct}%); всего проведено встреч: {held}"
EV_INTERIM = "{id}: промежуточная обратная связь получена от {n} из {total} {pairs} ({pct}%)"
EV_FINAL = "{id}: итоговая обратная связь получена от {n} из {total} {pairs} ({pct}%); {report}"
EV_FINAL_NO_PAIRS = "{id}: утвержденных пар нет; {report}"
EV_FINAL_REPORT = ("итоговый отчет сформирован", "итогового отчета нет")
EV_LETTERS = "{id}: благодарственные письма: {parts}"
EV_LETTER_PART = "{whom} — {state}"
EV_LETTER_STATE = ("сформированы", "нет")
EV_PRACTICES_NONE = "{id}: в базе практик нет ни одного кейса"
EV_PRACTICES = "{id}: кейсов в базе: {count}; опубликовано на сайте {n} из {total} с согласием на публикацию ({pct}%)"
EV_PRACTICES_NO_CONSENT = "{id}: кейсов в базе: {count}; согласий на публикацию пока нет"
EV_PUBLISHED_WITHOUT_CONSENT = "опубликовано без согласия на публикацию: {n}"
EV_LONG_TERM = "{id}: в долгосрочном реестре наставников: {count}"
EV_LONG_TERM_FINISHED = "из завершивших пару наставников внесены {n} из {total} ({pct}%)"
EV_READY_MENTEES = "наставляемых, готовых стать наставниками: {n}"

PROBLEM_DEADLINE = (
    "Дорожная карта, {id}: срок «{value}» в столбце «{column}» не разобран ({reason}); "
    "действует срок из документа: {fallback}"
)
PROBLEM_NO_DEADLINE = "нет"
PROBLEM_BEFORE_START = (
    "Дорожная карта, {id}: срок {deadline} раньше начала программы ({start}) — проверьте и исправьте "
    "«{column}»; пока срок не исправлен, мероприятие не считается просроченным"
)
EV_REQUESTS = "{id}: запросы и пожелания собраны у {n} из {total} {whom} ({pct}%); анкет наставников: {mentors}"
EV_LONG_TERM_PAIRED = "внесены {n} из {total} наставников, работавших в паре ({pct}%)"
PROBLEM_MANUAL = "Дорожная карта, {id}: неизвестный статус «{value}» в столбце «{column}»; допустимо: {allowed}"
PROBLEM_ROADMAP_TEXT = "Дорожная карта, {id}: срок документа «{value}» не разобран ({reason})"
PROBLEM_PUBLISHED = "Лучшие практики, {id}: кейс опубликован без согласия на публикацию"

# Genitive after «из N»: singular after 1, 21, 31..., plural otherwise.
WHOM_MENTEES = ("наставляемого", "наставляемых")
WHOM_MENTORS = ("наставника", "наставников")
WHAT_DIRECTIONS = ("направленности", "направленностей")
PAIRS_ANY = ("пары", "пар")
PAIRS_APPROVED = ("утвержденной пары", "утвержденных пар")
LETTERS_TO = {
    "letters_mentors": "наставникам",
    "letters_mentees": "наставляемым",
    "letters_partners": "партнерам",
}

# --- generated documents that count as evidence -----------------------------------------

NEEDS_REPORT = "needs_report"
FINAL_REPORT = "final_report"
MEMOS_FOR = {"memo_mentees": "наставляемых", "memo_mentors": "наставников"}
DOCUMENTS: tuple[str, ...] = (NEEDS_REPORT, FINAL_REPORT, *LETTERS_TO, *MEMOS_FOR)
EV_MEMO = ("{id}: памятка для {whom} сформирована (лист «Документы»)",
           "{id}: памятки для {whom} нет — сделайте ее командой nastavnik memos или отметьте вручную")

ROADMAP_FILE = "roadmap.toml"
APPROVED_LADDER = (APPROVED, TRIAL, PLAN, WORK, FINISHED)
ACTIVE_STAGES = (APPROVED, TRIAL, PLAN, WORK)
