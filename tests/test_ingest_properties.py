"""Ingestion takes arbitrary answers without crashing, losing, or running anything as a formula."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.questionnaires import MENTEE_APPLICATION, MENTOR_APPLICATION
from forms.responses import Response
from forms.text import EMAIL_QUESTION, TIMESTAMP_QUESTION, clean_response
from sheets.changes import frame_from_records
from sheets.schema import REGISTRIES
from sheets.store import Snapshot
from sync.ingest import Context, ingest
from sync.registry import Registries

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ['=IMPORTXML("http://x","//a")', "+1+1", "-5", "@x", "", "ИКТ, ИКТ", "ё" * 70_000, "да"]
)
email = st.sampled_from(["a@b.ru", "A@B.RU ", "bad@", "", "c@d.org", "=1@x.ru"]) | st.emails()


@st.composite
def response(draw, spec):
    answers = {q.title: draw(text | st.sampled_from(q.options or ("x",))) for q in spec.questions}
    if spec is MENTEE_APPLICATION and draw(st.booleans()):
        answers["Дата рождения"] = draw(st.sampled_from(["01.01.2000", "01.01.2015", "31.02.2001"]))
    n = draw(st.integers(0, 10_000))
    return Response(spec.code, f"r{n}-{draw(st.integers(0, 10**9))}",
                    draw(st.none() | st.just(NOW - timedelta(minutes=n))), "ts", draw(email), answers, n)


def empty_registries() -> Registries:
    return Registries(Snapshot({s.name: frame_from_records(s, []) for s in REGISTRIES}))


@given(st.lists(response(MENTOR_APPLICATION), max_size=8), st.lists(response(MENTEE_APPLICATION), max_size=8))
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_every_response_is_applied_or_kept(mentors, mentees) -> None:
    reg = empty_registries()
    batches = {MENTOR_APPLICATION.code: mentors, MENTEE_APPLICATION.code: mentees}
    report = ingest(reg, batches, Context(NOW, MSK))
    unique = {r.response_id for r in mentors + mentees}
    assert set(reg["processed"]) == unique
    assert report.new_responses == len(unique)
    quarantined = {k for k, r in reg["processed"].items() if r["result"] == "требует внимания"}
    refs = {r.ref for r in mentors + mentees if r.response_id in quarantined}
    assert refs <= {a["response"] for a in reg["attention"].values()}
    # formula-like answers are stored exactly as typed (the stores write them as text)
    for row in list(reg["mentors"].values()) + list(reg["mentees"].values()):
        assert all(isinstance(v, str) for v in row.values())
    # the changes are well-formed and a second ingest of the same responses does nothing
    reg.changes()
    again = ingest(reg, batches, Context(NOW, MSK))
    assert again.new_responses == 0


control = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x40) | st.sampled_from("\ud800\ufffeИё"), max_size=12
)


# every question's options, offered to every question: the same text parses differently by question
POOL = sorted({o for q in MENTEE_APPLICATION.questions for o in q.options} | {"", "5", "01.01.2000", " да ", "12"})


@st.composite
def pooled(draw):
    r = draw(response(MENTEE_APPLICATION))
    return r if draw(st.booleans()) else replace(
        r, answers={q.title: draw(st.sampled_from(POOL)) for q in MENTEE_APPLICATION.questions}
    )


DIRT = st.tuples(st.sampled_from(["answer", "email", "stamp"]), control | text)


@given(st.lists(pooled(), min_size=1, max_size=12), st.lists(DIRT, max_size=4))
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_a_memo_and_the_quick_clean_change_nothing(mentees, dirt) -> None:
    """Parsing with a memo of distinct answers, and cleaning by one search over a whole response,
    give what parsing and cleaning answer by answer give (with answers repeated across responses
    and characters no store can hold anywhere, the email and the timestamp included)."""
    from forms.answers import parse_response
    from forms.text import storable

    spoiled = list(mentees)
    for i, (where, extra) in enumerate(dirt):  # a few responses get unstorable text in one place
        r = spoiled[i % len(spoiled)]
        title = MENTEE_APPLICATION.questions[i % len(MENTEE_APPLICATION.questions)].title
        spoiled[i % len(spoiled)] = (
            replace(r, answers={**r.answers, title: extra}) if where == "answer"
            else replace(r, email=r.email + extra) if where == "email"
            else replace(r, raw_timestamp=r.raw_timestamp + extra)
        )
    memo: dict = {}
    for r in spoiled + spoiled:  # twice: the second time every choice answer comes from the memo
        cleaned, touched = clean_response(r)
        slow_answers = {t: storable(str(v))[0] for t, v in r.answers.items()}
        slow_touched = {t: n for t, v in r.answers.items() if (n := storable(str(v))[1])}
        for title, v in ((EMAIL_QUESTION, r.email), (TIMESTAMP_QUESTION, r.raw_timestamp)):
            if n := storable(v)[1]:
                slow_touched[title] = slow_touched.get(title, 0) + n
        assert touched == slow_touched
        assert cleaned.answers == slow_answers and (cleaned is r) == (not slow_touched)
        fast, slow = parse_response(MENTEE_APPLICATION, cleaned, memo), parse_response(MENTEE_APPLICATION, cleaned)
        assert (fast.values, fast.problems) == (slow.values, slow.problems)
