"""Every kind of document the programme makes: its title, template, subject and roadmap trace."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_VERSION = "2026.2"  # bump when a shipped template changes; recorded with each document


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: one per person, per pair or per programme cycle."""

    code: str
    title: str  # «Благодарственное письмо наставнику»
    folder: str  # folder in out/ (and the batch file's name)
    subject: str  # "mentor", "mentee", "partner", "pair" or "programme"
    template: str  # shipped template file in templates/
    evidence: str = ""  # the roadmap's name for it (sync.roadmap DOCUMENTS), if it counts

    @property
    def shipped(self) -> Path:
        return TEMPLATES_DIR / self.template


KINDS: tuple[DocumentKind, ...] = (
    DocumentKind("letter_mentor", "Благодарственное письмо наставнику", "Письма наставникам", "mentor",
                 "letter_mentor.docx", "letters_mentors"),
    DocumentKind("letter_mentee", "Благодарственное письмо наставляемому", "Письма наставляемым", "mentee",
                 "letter_mentee.docx", "letters_mentees"),
    DocumentKind("letter_partner", "Благодарственное письмо партнеру", "Письма партнерам", "partner",
                 "letter_partner.docx", "letters_partners"),
    DocumentKind("plan", "Индивидуальный план развития наставляемого", "ИПР", "pair", "plan.docx", "plans"),
    DocumentKind("memo_mentee", "Памятка наставляемого", "Памятки", "programme", "memo_mentee.docx",
                 "memo_mentees"),
    DocumentKind("memo_mentor", "Памятка наставника", "Памятки", "programme", "memo_mentor.docx",
                 "memo_mentors"),
    DocumentKind("report_needs", "Отчет по результатам анализа потребностей в развитии наставляемых", "Отчеты",
                 "programme", "report_needs.docx", "needs_report"),
    DocumentKind("report_interim", "Отчет о промежуточном мониторинге программы наставничества", "Отчеты",
                 "programme", "report_interim.docx", "interim_report"),
    DocumentKind("report_final", "Отчет по итогам программы наставничества", "Отчеты", "programme",
                 "report_final.docx", "final_report"),
)
BY_CODE: dict[str, DocumentKind] = {k.code: k for k in KINDS}
LETTERS = {"mentors": "letter_mentor", "mentees": "letter_mentee", "partners": "letter_partner"}
REPORTS = {"needs": "report_needs", "interim": "report_interim", "final": "report_final"}
PROGRAMME = "программа"  # the subject of a document about the whole programme
BATCH = "все"  # the subject of a batch's combined printing file


def cycle_of(start_year: int, end_year: int) -> str:
    """The cycle a document belongs to: «2026–2028»."""
    return f"{start_year}–{end_year}"


def document_key(kind: str, subject: str, cycle: str) -> str:
    """The key of a document in «Документы»: kind, person or pair, cycle."""
    return f"{kind}:{subject}:{cycle}"
