"""The shipped .docx templates, built here with python-docx so that their source can be read.

``python -m sync.documents.shipped`` rewrites ``sync/documents/templates/*.docx``; a test checks
that the files shipped are the ones this module builds (same text and fields). Staff who want
their own letterhead copy a shipped template, edit it in Word or Google Docs keeping the
``{{ поле }}`` fields, and name it in ``[documents.templates]``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt

from sync.documents.catalog import TEMPLATES_DIR

CENTER, RIGHT, JUSTIFY, LEFT = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT)


def _document(size: int = 14):
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(size)
    style.paragraph_format.space_after = Pt(4)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    if fonts is not None:  # Cyrillic text uses the eastAsia/cs slots in some Word versions
        for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + slot.split(":")[1],
                      "Times New Roman")
    for section in doc.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    doc.core_properties.author = "nastavnik"
    doc.core_properties.title = ""
    return doc


def _p(doc, text: str = "", align=LEFT, bold: bool = False, size: int | None = None, italic: bool = False,
       indent: bool = False, before: int = 0):
    para = doc.add_paragraph()
    para.alignment = align
    if indent:
        para.paragraph_format.first_line_indent = Cm(1.25)
    if before:
        para.paragraph_format.space_before = Pt(before)
    run = para.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return para


def _table(doc, rows: list[list[str]], widths: list[float], header: bool = True, grid: bool = True):
    table = doc.add_table(rows=len(rows), cols=len(widths))
    if grid:
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # LibreOffice and Word keep the widths given here (the grid's), not the text's
    for c, width in enumerate(widths):
        table.columns[c].width = Cm(width)
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            cell.width = Cm(widths[c])
            cell.paragraphs[0].add_run(text).bold = header and r == 0
    return table


LINE = "_" * 12  # a signature line that fits its cell at 14 pt (15 wrapped a «_» onto a second line)


def _keep_with_next(table) -> None:
    """The table stays on the page of the paragraph after it (a signature with its date)."""
    for row in table.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                para.paragraph_format.keep_with_next = True


def _no_split(row) -> None:
    """A table row is never broken across two pages (LibreOffice and Word honour ``cantSplit``)."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _signature(doc, who: str = "{{ должность_директора }}", name: str = "{{ директор_подпись }}") -> None:
    _p(doc, before=24).paragraph_format.keep_with_next = True
    table = _table(doc, [[who, LINE, name]], [5.5, 4.0, 7.0], header=False, grid=False)
    table.cell(0, 2).paragraphs[0].alignment = RIGHT
    _keep_with_next(table)
    _p(doc, "{{ дата }}", before=12)


def _letter_head(doc) -> None:
    _p(doc, "{{ организация }}", CENTER, bold=True, size=12)
    _p(doc, "{{ программа }}", CENTER, italic=True, size=11)
    _p(doc, "БЛАГОДАРСТВЕННОЕ ПИСЬМО", CENTER, bold=True, size=22, before=36)


def letter_mentor():
    doc = _document()
    _letter_head(doc)
    _p(doc, "{{ кому }}", CENTER, bold=True, size=16, before=12)
    _p(doc, "{{ обращение }}", CENTER, bold=True, before=18)
    _p(doc, "{{ организация }} выражает Вам искреннюю благодарность за работу наставником в программе "
            "наставничества в {{ период }}.", JUSTIFY, indent=True)
    _p(doc, "{{ итоги }}", JUSTIFY, indent=True)
    _p(doc, "Ваши опыт, внимание и готовность делиться знаниями помогают молодым коллегам и обучающимся "
            "расти, а программе — становиться лучше. Желаем Вам новых профессиональных успехов и "
            "благодарных учеников!", JUSTIFY, indent=True)
    _signature(doc)
    return doc


def letter_mentee():
    doc = _document()
    _letter_head(doc)
    _p(doc, "{{ кому }}", CENTER, bold=True, size=16, before=12)
    _p(doc, "{{ обращение }}", CENTER, bold=True, before=18)
    _p(doc, "{{ организация }} благодарит Вас за активное участие в программе наставничества "
            "в {{ период }}.", JUSTIFY, indent=True)
    _p(doc, "{{ итоги }}", JUSTIFY, indent=True)
    _p(doc, "Желаем Вам уверенности, новых достижений и успехов в выбранном деле!", JUSTIFY, indent=True)
    _signature(doc)
    return doc


def letter_partner():
    doc = _document()
    _p(doc, "{{ должность_кому }}", RIGHT)
    _p(doc, "{%p if партнер_в_шапке %}")
    _p(doc, "{{ партнер_в_шапке }}", RIGHT)
    _p(doc, "{%p endif %}")
    _p(doc, "{{ кому }}", RIGHT)
    _letter_head(doc)
    _p(doc, "{{ обращение }}", CENTER, bold=True, before=18)
    _p(doc, "{{ организация }} выражает Вам и коллективу организации {{ партнер }} искреннюю благодарность "
            "за сотрудничество в реализации программы наставничества в {{ период }}: {{ вклад }}.",
       JUSTIFY, indent=True)
    _p(doc, "Благодаря Вашей поддержке участники программы получили новые возможности для профессионального "
            "и личностного роста. Надеемся на продолжение плодотворного сотрудничества!", JUSTIFY, indent=True)
    _signature(doc)
    return doc


def plan():
    doc = _document(12)
    _p(doc, "{{ организация }}", CENTER, bold=True)
    _p(doc, "ИНДИВИДУАЛЬНЫЙ ПЛАН РАЗВИТИЯ НАСТАВЛЯЕМОГО", CENTER, bold=True, size=14, before=12)
    _p(doc, "пара {{ пара }}, {{ учебные_годы }}", CENTER, italic=True)
    _table(doc, [["Наставляемый", "{{ наставляемый }}"], ["Категория", "{{ категория }}"],
                 ["Наставник", "{{ наставник }}, {{ должность_наставника }}"],
                 ["Направленность", "{{ направленность }}"], ["Форма наставничества", "{{ форма }}"],
                 ["Формат встреч", "{{ формат }}"], ["Срок реализации", "{{ срок }}"]], [5.5, 11.0], header=False)
    _p(doc, "1. Цели развития", bold=True, before=12)
    _p(doc, "{%p for цель in цели %}")
    _p(doc, "{{ loop.index }}. {{ цель }}", JUSTIFY)
    _p(doc, "{%p endfor %}")
    _p(doc, "2. График встреч", bold=True, before=12)
    table = _table(doc, [["№", "Срок", "Вид встречи", "Содержание", "Отметка"],
                         ["{%tr for в in встречи %}", "", "", "", ""],
                         ["{{ в.номер }}", "{{ в.срок }}", "{{ в.вид }}", "{{ в.тема }}", ""],
                         ["{%tr endfor %}", "", "", "", ""]], [1.0, 3.2, 3.6, 6.2, 2.5])
    table.rows[0].repeat = True
    _no_split(table.rows[2])
    _p(doc, "3. Ожидаемые результаты", bold=True, before=12)
    _p(doc, "{%p for р in результаты %}")
    _p(doc, "— {{ р }}", JUSTIFY)
    _p(doc, "{%p endfor %}")
    _p(doc, "4. Подписи", bold=True, before=12)
    rows = [["Наставник", LINE, "{{ наставник }}"],
            ["Наставляемый", LINE, "{{ наставляемый }}"]]
    _table(doc, rows, [5.5, 4.0, 7.0], header=False, grid=False)
    _p(doc, "{%p if родитель %}")
    _table(doc, [["Родитель (законный представитель)", LINE, "{{ родитель }}"]], [5.5, 4.0, 7.0],
           header=False, grid=False)
    _p(doc, "{%p endif %}")
    _keep_with_next(_table(doc, [["Куратор программы", LINE, "{{ куратор }}"]], [5.5, 4.0, 7.0],
                           header=False, grid=False))
    _p(doc, "{{ дата }}", before=12)
    return doc


def _memo(title: str, steps_intro: str) -> Callable[[], object]:
    def build():
        doc = _document(12)
        _p(doc, "{{ организация }}", CENTER, bold=True)
        _p(doc, title, CENTER, bold=True, size=16, before=12)
        _p(doc, "{{ программа }}, {{ учебные_годы }}", CENTER, italic=True)
        _p(doc, steps_intro, JUSTIFY, indent=True, before=12)
        _p(doc, "{%p for шаг in шаги %}")
        _p(doc, "{{ loop.index }}. {{ шаг }}", JUSTIFY)
        _p(doc, "{%p endfor %}")
        _p(doc, "Анкеты программы", bold=True, before=12)
        _p(doc, "Наведите камеру телефона на код или откройте ссылку.", italic=True)
        table = _table(doc, [["Анкета", "Ссылка", "Код"], ["{%tr for а in анкеты %}", "", ""],
                             ["{{ а.название }}", "{{ а.ссылка }}", "{{ а.код }}"], ["{%tr endfor %}", "", ""]],
                       [5.0, 8.0, 3.5])
        code = table.cell(2, 2).paragraphs[0]  # the QR code: centred, clear of the cell's borders
        code.alignment = CENTER
        code.paragraph_format.space_before = code.paragraph_format.space_after = Pt(4)
        _no_split(table.rows[2])
        _p(doc, "Куратор программы: {{ куратор }}", before=12)
        return doc

    return build


memo_mentee = _memo("ПАМЯТКА НАСТАВЛЯЕМОГО", "Программа наставничества помогает вам расти вместе с опытным "
                    "наставником. Что важно знать и делать:")
memo_mentor = _memo("ПАМЯТКА НАСТАВНИКА", "Спасибо, что согласились стать наставником! Порядок работы "
                    "наставника в программе:")


def _report_head(doc, title: str) -> None:
    _p(doc, "{{ организация }}", CENTER, bold=True)
    _p(doc, title, CENTER, bold=True, size=14, before=12)
    _p(doc, "{{ программа }}, {{ учебные_годы }}; данные на {{ дата }}", CENTER, italic=True)


def _rows_table(doc, headers: list[str], loop: str, fields: list[str], widths: list[float]) -> None:
    var = loop.split()[0]
    table = _table(doc, [headers, [f"{{%tr for {loop} %}}"] + [""] * (len(headers) - 1),
                         [f"{{{{ {var}.{f} }}}}" for f in fields], ["{%tr endfor %}"] + [""] * (len(headers) - 1)],
                   widths)
    table.rows[0].repeat = True
    for row in (table.rows[0], table.rows[2]):
        _no_split(row)
    for cell in table.rows[0].cells:  # the header never stays alone at the foot of a page
        cell.paragraphs[0].paragraph_format.keep_with_next = True


def _para_loop(doc, loop: str, text: str) -> None:
    _p(doc, f"{{%p for {loop} %}}")
    _p(doc, text, JUSTIFY)
    _p(doc, "{%p endfor %}")


def report_needs():
    doc = _document(12)
    _report_head(doc, "ОТЧЕТ ПО РЕЗУЛЬТАТАМ АНАЛИЗА ПОТРЕБНОСТЕЙ В РАЗВИТИИ НАСТАВЛЯЕМЫХ")
    _p(doc, "1. Участники анализа", bold=True, before=12)
    _p(doc, "{{ участники }}", JUSTIFY, indent=True)
    _rows_table(doc, ["Направленность", "Молодые педагоги", "Педагоги", "Обучающиеся", "Всего"],
                "с in по_направленностям", ["название", "молодые", "педагоги", "обучающиеся", "всего"],
                [5.0, 2.9, 2.5, 3.3, 2.3])
    _p(doc, "{{ диаграмма_участники }}", CENTER, before=8)  # clear of the table above
    _p(doc, "2. Запросы наставляемых", bold=True, before=12)
    _p(doc, "{{ запросы_итог }}", JUSTIFY, indent=True)
    _rows_table(doc, ["№", "Запрос", "Наставляемых", "Доля, %", "Наставников с компетенцией"],
                "з in запросы", ["номер", "название", "число", "доля", "наставники"], [0.9, 5.6, 3.4, 2.1, 4.0])
    _p(doc, "{{ диаграмма_запросы }}", CENTER, before=8)  # clear of the table above
    _p(doc, "3. Выводы", bold=True, before=12)
    _para_loop(doc, "в in выводы", "— {{ в }}")
    _signature(doc, "Куратор программы", "{{ куратор_подпись }}")
    return doc


def _meetings_section(doc, number: int) -> None:
    _p(doc, f"{number}. Встречи наставников и наставляемых", bold=True, before=12)
    _p(doc, "{{ встречи_итог }}", JUSTIFY, indent=True)
    _p(doc, "{{ диаграмма_встречи }}", CENTER, before=8)  # clear of the table above


def _pairs_section(doc, number: int) -> None:
    _p(doc, f"{number}. Наставнические пары и группы", bold=True, before=12)
    _p(doc, "{{ пары_итог }}", JUSTIFY, indent=True)
    _rows_table(doc, ["Форма наставничества", "Всего", "В работе", "Завершены", "Расторгнуты"],
                "ф in по_формам", ["название", "всего", "в_работе", "завершены", "расторгнуты"],
                [5.2, 1.9, 2.6, 3.0, 3.3])


def report_interim():
    doc = _document(12)
    _report_head(doc, "ОТЧЕТ О ПРОМЕЖУТОЧНОМ МОНИТОРИНГЕ ПРОГРАММЫ НАСТАВНИЧЕСТВА")
    _pairs_section(doc, 1)
    _meetings_section(doc, 2)
    _p(doc, "3. Промежуточная обратная связь", bold=True, before=12)
    _p(doc, "{{ оценки_итог }}", JUSTIFY, indent=True)
    _rows_table(doc, ["Показатель (1–10)", "Наставники", "Наставляемые", "Все"], "о in оценки",
                ["название", "наставники", "наставляемые", "все"], [6.2, 3.0, 3.8, 3.0])
    _p(doc, "{{ диаграмма_оценки }}", CENTER, before=8)  # clear of the table above
    _p(doc, "4. Выводы", bold=True, before=12)
    _para_loop(doc, "в in выводы", "— {{ в }}")
    _signature(doc, "Куратор программы", "{{ куратор_подпись }}")
    return doc


def report_final():
    doc = _document(12)
    _report_head(doc, "ОТЧЕТ ПО ИТОГАМ ПРОГРАММЫ НАСТАВНИЧЕСТВА")
    _pairs_section(doc, 1)
    _meetings_section(doc, 2)
    _p(doc, "3. Мониторинг: качество процесса наставничества", bold=True, before=12)
    _p(doc, "{{ качество_итог }}", JUSTIFY, indent=True)
    _rows_table(doc, ["Показатель (1–10)", "Промежуточная оценка", "Итоговая оценка", "Изменение"],
                "о in сравнение", ["название", "промежуточная", "итоговая", "изменение"], [5.4, 4.1, 3.5, 3.0])
    _p(doc, "{{ диаграмма_сравнение }}", CENTER, before=8)  # clear of the table above
    _p(doc, "4. Мониторинг: рост участников", bold=True, before=12)
    _para_loop(doc, "р in рост", "— {{ р }}")
    _p(doc, "5. Лучшие практики", bold=True, before=12)
    _p(doc, "{{ практики_итог }}", JUSTIFY, indent=True)
    _p(doc, "{%p for к in практики %}")
    _p(doc, "«{{ к.название }}» (пара {{ к.пара }}). {{ к.описание }}", JUSTIFY)
    _p(doc, "{%p endfor %}")
    _p(doc, "6. Выводы", bold=True, before=12)
    _para_loop(doc, "в in выводы", "— {{ в }}")
    _signature(doc, "Куратор программы", "{{ куратор_подпись }}")
    return doc


BUILDERS: dict[str, Callable[[], object]] = {
    "letter_mentor.docx": letter_mentor,
    "letter_mentee.docx": letter_mentee,
    "letter_partner.docx": letter_partner,
    "plan.docx": plan,
    "memo_mentee.docx": memo_mentee,
    "memo_mentor.docx": memo_mentor,
    "report_needs.docx": report_needs,
    "report_interim.docx": report_interim,
    "report_final.docx": report_final,
}


def build_all(folder: Path = TEMPLATES_DIR) -> list[Path]:
    """Write every shipped template into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, builder in BUILDERS.items():
        path = folder / name
        builder().save(path)
        out.append(path)
    return out


if __name__ == "__main__":
    for written in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES_DIR):
        print(written)
