"""Finding 9 of issue 9 on the demo programme: the roadmap says what the registries show."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import NOW, sync_once
from tests.curator_helpers import Forms, single_proposals, snapshot
from tests.test_roadmap_sync import set_cells


def test_finding_9_the_roadmap_does_not_mislead(demo_programme) -> None:
    sync_once(demo_programme)
    snap = snapshot(demo_programme)
    roadmap, attention = snap["roadmap"], snap["attention"]
    # 5.1/5.2 fall before the programme's start: a date to check, not «просрочено» from day one
    for aid in ("5.1", "5.2"):
        assert roadmap.loc[aid, "status"] != "просрочено"
        assert attention["reason"].str.contains(f"Дорожная карта, {aid}: срок .* раньше начала программы",
                                                regex=True).any()
    # 1.3 counts the needs the applications carry
    needs = int((snap["mentees"]["needs"] != "").sum())
    assert f"собраны у {needs} из {len(snap['mentees'])}" in roadmap.loc["1.3", "evidence"]
    # 4.2 and 6.1 measure different things
    assert roadmap.loc["4.2", "evidence"].split(":")[1] != roadmap.loc["6.1", "evidence"].split(":")[1]
    # 7.4 never drops because more pairs finished
    proposals = single_proposals(demo_programme)
    first, second = proposals.drop_duplicates("mentor_id").index[:2]
    for key in (first, second):
        set_cells(demo_programme.registry, "Пары", key, {"Статус": "утверждена"})
    sync_once(demo_programme)
    forms = Forms(demo_programme)
    progress = []
    for n, key in enumerate((first, second)):
        pair = proposals.loc[key]
        email = snap["mentors"].loc[pair["mentor_id"], "email"]
        name = snap["mentees"].loc[pair["mentee_ids"], "full_name"]
        forms.feedback(f"2{6 + n}.11.2026 10:00:00", email, final=True, role="наставник", partner=name)
        if n == 0:
            set_cells(demo_programme.registry, "Наставники", pair["mentor_id"], {"В долгосрочном реестре": "да"})
        sync_once(demo_programme, now=NOW + timedelta(days=2 + n))
        row = snapshot(demo_programme)["roadmap"].loc["7.4"]
        progress.append(int(row["progress"]))
    assert progress[0] > 0 and progress[1] >= progress[0]
