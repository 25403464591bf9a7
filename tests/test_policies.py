"""`dangjian.domain.policies` and `domain.resolving`: each invariant with literal records, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from dangjian.domain import policies, resolving
from dangjian.domain.policies import AttendanceInput
from dangjian.errors import AmbiguousError, InputError, NotFoundError
from dangjian.periods import Lifetime
from dangjian.refs import parse_ref


@dataclass(frozen=True)
class Org:
    id: int
    name: str
    kind: str = "branch"
    established_on: date | None = None
    dissolved_on: date | None = None
    merged_into_id: int | None = None


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    org_id: int = 1
    established_on: date | None = None
    dissolved_on: date | None = None


@dataclass(frozen=True)
class Person:
    id: int
    name: str


COMMITTEE = Org(1, "机关党委", "committee")
BRANCH = Org(2, "第一党支部", established_on=date(2010, 1, 1))
GONE = Org(3, "旧支部", dissolved_on=date(2021, 7, 1), merged_into_id=2)


def refusal(fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        fn(*args, **kwargs)
    return caught.value


def test_lifetime_is_half_open():
    life = Lifetime(date(2021, 1, 1), date(2021, 7, 1))
    assert life.contains(date(2021, 1, 1)) and life.contains(date(2021, 6, 30))
    assert not life.contains(date(2021, 7, 1)) and not life.contains(date(2020, 12, 31))
    assert Lifetime().contains(date(1900, 1, 1))


def test_exists_on_a_day():
    policies.org_exists_on(BRANCH, date(2010, 1, 1))
    e = refusal(policies.org_exists_on, BRANCH, date(2009, 12, 31))
    assert str(e) == "组织“第一党支部”在2009年12月31日尚未成立（成立于2010年1月1日）。" and e.field == "org"
    assert "已合并（2021年7月1日起）" in str(refusal(policies.org_exists_on, GONE, date(2021, 7, 1)))
    policies.org_exists_on(GONE, date(2021, 6, 30))
    assert "已于2021年7月1日撤销" in str(
        refusal(policies.group_exists_on, Group(5, "小组", dissolved_on=date(2021, 7, 1)), date(2021, 7, 1))
    )


def test_a_branch_has_no_child_orgs():
    policies.may_have_children(COMMITTEE)
    e = refusal(policies.may_have_children, BRANCH)
    assert str(e) == "上级组织“第一党支部”是党支部，党支部下面不能再设组织。" and e.field == "parent"
    assert "撤销" in str(
        refusal(policies.may_have_children, Org(4, "旧党委", "committee", dissolved_on=date(2020, 1, 1)))
    )


def test_groups_and_members_only_in_a_branch():
    policies.may_hold_groups(BRANCH)
    assert "党小组只能设在党支部下" in str(refusal(policies.may_hold_groups, COMMITTEE))
    assert "党员的组织关系应在党支部" in str(refusal(policies.may_hold_members, COMMITTEE))
    assert refusal(policies.may_join, GONE, None).field == "org"
    assert refusal(policies.may_join, BRANCH, date(2000, 1, 1)).field == "since"
    policies.may_join_group(Group(5, "小组", dissolved_on=date(2021, 7, 1)), date(2021, 6, 1))
    assert "已于" in str(refusal(policies.may_join_group, Group(5, "小组", dissolved_on=date(2021, 7, 1)), None))


def test_names_and_id_numbers_are_not_taken_twice():
    policies.org_name_free("新支部", None)
    assert str(refusal(policies.org_name_free, "第一党支部", BRANCH)) == (
        "已有名为“第一党支部”的组织（编号2），组织名称不能重复。"
    )
    e = refusal(policies.id_number_free, "11010519491231002X", (7, "王建国"))
    assert str(e) == "身份证号110105…002X已登记为编号7（王建国），不能重复登记。" and e.field == "id_number"


@pytest.mark.parametrize("value", ["NaN", "sNaN", "inf", "-Infinity", float("nan"), float("inf"), "-1", "25", "x"])
def test_session_hours_are_finite_and_in_range(value):
    assert refusal(policies.hours, value, policies.SESSION_HOURS).field == "hours"


@pytest.mark.parametrize("value", ["NaN", "0", "1000.5", float("-inf")])
def test_training_hours_are_above_zero(value):
    assert "学时" in str(refusal(policies.hours, value, policies.TRAINING_HOURS))


def test_hours_in_range():
    assert policies.hours("0", policies.SESSION_HOURS) == 0
    assert policies.hours(" 1.5 ", policies.SESSION_HOURS) == Decimal("1.5")
    assert policies.hours("", policies.SESSION_HOURS) is None
    assert policies.hours(1000, policies.TRAINING_HOURS) == 1000


def test_text_length_and_nul():
    assert policies.text("王" * 50, "姓名", 50) == "王" * 50
    assert str(refusal(policies.text, "王" * 51, "姓名", 50)) == (
        "姓名“" + "王" * 20 + "…”太长：最多50个字，现有51个字。"
    )
    assert "空字符" in str(refusal(policies.text, "a\x00", "备注", None, field="note"))


def test_member_fields_name_the_field_they_refuse():
    assert refusal(policies.member_fields, "").field == "name"
    assert refusal(policies.member_fields, "甲", id_number="110105197203140018").field == "id_number"
    assert refusal(policies.member_fields, "甲", stage="applicant", joined_on=date(2020, 1, 1)).field == "joined_on"
    f = policies.member_fields(" 甲 ", "正式党员", id_number="11010519491231002x")
    assert (f.name, f.stage, f.gender, f.birth_date) == ("甲", "full", "female", date(1949, 12, 31))


def test_attendance_resolution():
    people = {"甲": Person(1, "甲"), "乙": Person(2, "乙")}
    roster = [people["甲"]]
    a = AttendanceInput(all_present=True, leave=[("乙", "出差")], absent=["丙"])
    rows, errors = policies.resolve_attendance(a, roster, people.get, "第一党支部", date(2024, 3, 5), "")
    assert rows == [(1, "present", None), (2, "leave", "出差")]
    assert [(str(e), e.field) for e in errors] == [("“丙”在2024年3月5日不属于第一党支部，不能记为缺席。", "absent")]
    rows, errors = policies.resolve_attendance(
        AttendanceInput(present=["甲"], absent=["甲"]), roster, people.get, "第一党支部", date(2024, 3, 5), ""
    )
    assert [str(e) for e in errors] == ["甲同时被记为出席和缺席。"]


def test_session_holder():
    policies.session_holder(["group-meeting"], Group(5, "小组"), date(2024, 1, 1))
    assert refusal(policies.session_holder, ["general-meeting"], Group(5, "小组"), date(2024, 1, 1)).field == "kinds"
    e = refusal(policies.session_holder, ["group-meeting"], None, date(2024, 1, 1))
    assert (str(e), e.field) == ("党小组会须写明是哪个党小组。", "group")


def test_one_choice_among_candidates():
    live, old = Org(2, "支部"), Org(3, "支部", dissolved_on=date(2020, 1, 1))
    assert resolving.choose_org(parse_ref("支部"), [old, live]) is live
    with pytest.raises(AmbiguousError, match="名为“支部”的组织有2个：支部（编号2，党支部）；支部（编号4，党支部）"):
        resolving.choose_org(parse_ref("支部"), [live, Org(4, "支部")])
    with pytest.raises(NotFoundError, match="没有名为“无”的组织"):
        resolving.choose_org(parse_ref("无"), [])
    names = {1: "一支部", 2: "二支部"}.__getitem__
    with pytest.raises(NotFoundError, match="它属于二支部"):
        resolving.choose_group(parse_ref("小组"), Org(1, "一支部"), [], [Group(9, "小组", org_id=2)], names)
    with pytest.raises(NotFoundError, match="不属于一支部，而属于二支部"):
        resolving.group_by_id(Group(9, "小组", org_id=2), Org(1, "一支部"), names)
    assert resolving.choose_person(parse_ref("甲"), [], str) is None
    with pytest.raises(AmbiguousError, match="名为“甲”的人有2个"):
        resolving.choose_person(parse_ref("甲"), [1, 2], lambda i: f"编号{i}")


def test_a_fact_is_not_dated_after_today():
    policies.happened_by(date(2026, 12, 3), date(2026, 12, 3), "会议日期")
    policies.happened_by(None, date(2026, 12, 3), "出生日期")
    with pytest.raises(InputError, match="会议日期2026年12月4日晚于今天（2026年12月3日）") as e:
        policies.happened_by(date(2026, 12, 4), date(2026, 12, 3), "会议日期")
    assert e.value.field == "on"


def test_a_member_added_after_the_first_session_needs_a_since():
    policies.since_given(None, "机关党支部", None)
    policies.since_given(date(2024, 1, 1), "机关党支部", date(2023, 5, 1))
    with pytest.raises(InputError, match="自2023年5月1日起已有会议记录") as e:
        policies.since_given(None, "机关党支部", date(2023, 5, 1))
    assert e.value.field == "since"
