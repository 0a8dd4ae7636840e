"""Each dossier shows where it is and where it has been (SPEC §5, issue 13 §8): in its cabinet, out
with a borrower, held apart, destroyed — read from its history, newest first, in Asia/Shanghai time."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from customers.models import SecrecyTier
from dossiers import selectors, services
from dossiers.models import Cabinet, Dossier, DossierCustody, DossierStatus

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def move(dossier, custody, *, by, holder=None):
    """What lending and destruction do: lock the dossier, then move it."""
    with transaction.atomic():
        locked = services.dossiers_lock([dossier.pk])[dossier.pk]
        return services.dossier_custody_move(locked, custody, by=by, holder=holder)


def reshelve(dossier, cabinet, position, *, by):
    """The clerk moves a dossier to another cabinet position (a shelf reorganised)."""
    dossier.cabinet, dossier.position, dossier._history_user = cabinet, position, by
    dossier.save()
    return dossier


@pytest.fixture
def lifetime(archive, ready_dossier, make_user):
    """A dossier shelved in A01/1, lent to 张一 overnight, moved to A02/5, held apart, destroyed —
    each step on a given Shanghai day and hour."""
    people = archive["people"]
    borrower = make_user(username="zhangyi", last_name="张", first_name="一")
    other = Cabinet.objects.create(code="A02", place="二楼", positions=20)
    with time_machine.travel(at("2026-03-02 09:00"), tick=False):
        dossier = ready_dossier()
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        dossier = services.dossier_promote(dossier, by=people["clerk"], cabinet=archive["cabinet"], position=1)
    with time_machine.travel(at("2026-03-03 23:45"), tick=False):  # 15:45 UTC: still the 3rd in Shanghai
        move(dossier, DossierCustody.ON_LOAN, by=people["clerk"], holder=borrower)
    with time_machine.travel(at("2026-03-04 00:30"), tick=False):  # 16:30 UTC on the 3rd
        dossier = move(dossier, DossierCustody.IN_CABINET, by=people["checker"])
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        dossier = reshelve(dossier, other, 5, by=people["clerk"])
    with time_machine.travel(at("2026-05-06 14:00"), tick=False):
        dossier = move(dossier, DossierCustody.HELD_APART, by=people["archive_manager"])
    with time_machine.travel(at("2026-11-09 10:00"), tick=False):
        dossier.status, dossier.custody, dossier._history_user = (
            DossierStatus.DESTROYED,
            DossierCustody.DESTROYED,
            people["archive_manager"],
        )
        dossier.save()
    return {"dossier": Dossier.objects.get(pk=dossier.pk), "borrower": borrower}


def test_the_timeline_tells_where_the_dossier_has_been_newest_first(lifetime, archive):
    people = archive["people"]
    timeline = selectors.dossier_custody_timeline(lifetime["dossier"])
    assert [(f"{spell.since:%Y-%m-%d %H:%M}", spell.words, spell.by) for spell in timeline] == [
        ("2026-11-09 10:00", "已销毁", people["archive_manager"]),
        ("2026-05-06 14:00", "单独存放待销毁", people["archive_manager"]),
        ("2026-04-01 09:00", "在柜 A02/5", people["clerk"]),
        ("2026-03-04 00:30", "在柜 A01/1", people["checker"]),
        ("2026-03-03 23:45", "借出给 张一", people["clerk"]),
        ("2026-03-02 10:00", "在柜 A01/1", people["clerk"]),
        ("2026-03-02 09:00", "临时档案，整理归档中", people["clerk"]),
    ]
    assert timeline[0].is_current and timeline[0].until is None
    assert [spell.until for spell in timeline[1:]] == [spell.since for spell in timeline[:-1]]
    assert all(
        spell.since.tzinfo is not None and spell.since.utcoffset().total_seconds() == 8 * 3600 for spell in timeline
    )


def test_the_dossier_page_shows_the_timeline_in_words(lifetime, archive, client_for):
    page = client_for(archive["people"]["clerk"]).get(reverse("dossiers:detail", args=[lifetime["dossier"].pk]))
    body = re.search(r'data-list="custody-timeline">(.*?)</table>', page.content.decode(), re.S).group(1)
    rows = re.findall(r"<tr data-custody=\"(\w+)\"(?: data-current)?>\s*<td>([^<]+)</td>", body)
    assert rows[0] == ("destroyed", "2026-11-09 10:00") and rows[-1] == ("filing", "2026-03-02 09:00")
    assert "借出给 张一" in body and "2026-03-03 23:45" in body and "至今" in body


def test_the_holder_is_kept_only_while_the_original_is_on_loan(archive, formal_dossier, make_user):
    clerk, borrower = archive["people"]["clerk"], make_user(username="lisi")
    dossier = move(formal_dossier(), DossierCustody.ON_LOAN, by=clerk, holder=borrower)
    assert Dossier.objects.get(pk=dossier.pk).custody_holder == borrower
    dossier = move(dossier, DossierCustody.IN_CABINET, by=clerk, holder=borrower)
    assert Dossier.objects.get(pk=dossier.pk).custody_holder is None


def test_a_loan_recorded_without_its_borrower_still_reads(archive, formal_dossier):
    dossier = move(formal_dossier(), DossierCustody.ON_LOAN, by=archive["people"]["clerk"])
    assert selectors.dossier_custody_timeline(dossier)[0].words == "原件已借出"


def test_changes_that_move_nothing_start_no_new_spell(archive, formal_dossier, file_document):
    dossier = formal_dossier()
    dossier.filing_year, dossier._history_user = 2020, archive["people"]["clerk"]
    dossier.save()
    assert [spell.words for spell in selectors.dossier_custody_timeline(dossier)] == [
        "在柜 A01/1",
        "临时档案，整理归档中",
    ]


def test_the_timeline_costs_one_query_however_long_the_history(
    archive, formal_dossier, make_user, django_assert_num_queries
):
    clerk, borrower = archive["people"]["clerk"], make_user(username="wangwu")
    short = formal_dossier(SecrecyTier.PERSONAL)
    long = formal_dossier(SecrecyTier.DEPARTMENT)
    for _ in range(15):
        move(long, DossierCustody.ON_LOAN, by=clerk, holder=borrower)
        long = move(long, DossierCustody.IN_CABINET, by=clerk)
    with django_assert_num_queries(1):
        assert len(selectors.dossier_custody_timeline(short)) == 2
    with django_assert_num_queries(1):
        assert len(selectors.dossier_custody_timeline(long)) == 32
