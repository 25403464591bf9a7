"""oath: the oath comes after the admission, and within `within` of the approval."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian.periods import Duration, format_date
from dangjian.rules.asof import Timeline
from dangjian.rules.declarations import Param, Plan, declare
from dangjian.rules.dossier import dossiers, member_finding
from dangjian.rules.facts import Window
from dangjian.rules.findings import Finding, Note

if TYPE_CHECKING:
    from dangjian.rules.loader import Rule

ID = "oath"
AREA = "development"
PARAMS = declare(Param("within", Duration, "3 months", "上级党委审批后组织入党宣誓的期限"))
SETTINGS = declare()


def plan(rule: Rule) -> Plan:
    return Plan(asks_for="oath", after="approved", deadline=rule.param("within"))


def check(rule: Rule, tl: Timeline, window: Window) -> Iterable[Finding | Note]:
    within: Duration = rule.param("within")
    out: list[Finding | Note] = []
    for d in dossiers(tl):
        adm, sworn, appr = d.first("admitted"), d.first("oath"), d.first("approved")
        if adm is not None and sworn is not None and sworn.on == adm.on and rule.in_force_on(sworn.on):
            out.append(
                member_finding(
                    rule,
                    d,
                    "violated",
                    sworn.on,
                    f"入党宣誓与支部大会接收为预备党员在同一天（{format_date(sworn.on)}），应在接收之后",
                )
            )
        if appr is None or not rule.in_force_on(appr.on):
            continue
        deadline = within.after(appr.on)
        what = f"上级党委审批（{format_date(appr.on)}）后{within.label}内应组织入党宣誓"
        if sworn is not None:
            if sworn.on > deadline:
                out.append(
                    member_finding(
                        rule,
                        d,
                        "violated",
                        deadline,
                        f"{what}（期限{format_date(deadline)}），实际{format_date(sworn.on)}才宣誓",
                    )
                )
            continue
        if not d.still_open():
            continue
        status = "overdue" if tl.as_of > deadline else "due"
        message = f"{what}，期限{format_date(deadline)}" + ("已过，尚无记录" if status == "overdue" else "")
        out.append(member_finding(rule, d, status, deadline, message))
    return out
