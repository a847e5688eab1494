"""The schema and the questionnaires agree: every answer has a column, every option is allowed."""

from forms.questionnaires import QUESTIONNAIRES
from forms.spec import QuestionType
from sheets.schema import BY_NAME, REGISTRIES, Kind


def test_headers_are_unique_per_sheet() -> None:
    for schema in REGISTRIES:
        headers = [c.header for c in schema.columns]
        assert len(headers) == len(set(headers)), schema.title


def test_titles_are_unique_and_russian() -> None:
    titles = [s.title for s in REGISTRIES]
    assert len(titles) == len(set(titles))
    assert all(any("а" <= ch <= "я" for ch in t.lower()) for t in titles)


def test_every_form_answer_lands_in_a_column_of_its_registry() -> None:
    for spec in QUESTIONNAIRES:
        schema = BY_NAME[spec.target]
        for q in spec.questions:
            if q.target in ("agreed",):
                continue
            assert q.target in schema.names, (spec.code, q.title, q.target)


def test_choice_options_are_registry_values() -> None:
    for spec in QUESTIONNAIRES:
        schema = BY_NAME[spec.target]
        for q in spec.questions:
            if q.type not in (QuestionType.CHOICE,) or q.target not in schema.names:
                continue
            column = schema.column(q.target)
            if column.kind is Kind.CHOICE and column.choices:
                assert set(q.options) <= set(column.choices), (spec.code, q.title)


def test_every_form_has_a_handler() -> None:
    from sync.ingest import FORM_ORDER, HANDLERS

    assert {f.code for f in FORM_ORDER} == {f.code for f in QUESTIONNAIRES}
    assert {f.target for f in FORM_ORDER} <= set(HANDLERS)
