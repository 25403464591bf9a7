"""One line of Chinese for an audit entry's changes, and the labels it is made of.

Pure: reads the `changes` dict an entry stores (see `audit.trail`), touches no database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dangjian.vocab import SESSION_KINDS

#: Entities that have names, shown by name in a description.
NAMED = ("member", "organization", "party_group")

ENTITY_LABELS = {
    "organization": ("组织", "个"),
    "member": ("党员", "人"),
    "party_group": ("党小组", "个"),
    "membership": ("组织关系", "条"),
    "session": ("会议", "次"),
    "session_kind": ("会议类型", "条"),
    "attendance": ("出勤记录", "条"),
    "member_event": ("发展纪实", "条"),
    "audit_entry": ("操作日志", "条"),
    "audit_subject": ("日志索引", "条"),
}
OP_LABELS = {"insert": "新增", "update": "修改", "delete": "删除"}
FIELD_LABELS = {
    "name": "名称",
    "kind": "类型",
    "parent": "上级",
    "established_on": "成立日期",
    "dissolved_on": "撤销日期",
    "merged_into": "并入",
    "stage": "类别",
    "status": "状态",
    "joined_on": "入党日期",
    "full_since": "转正日期",
    "org": "组织",
    "group": "党小组",
    "start": "起始日期",
    "end": "截止日期",
    "leader": "组长",
    "note": "备注",
    "held_on": "日期",
    "hours": "学时",
    "topic": "主题",
    "location": "地点",
    "host": "主持人",
    "recorder": "记录人",
    "lecturer": "授课人",
    "lecturer_name": "授课人",
    "for_year": "所属年度",
    "minutes": "会议记录",
    "decisions": "决议事项",
    "reason": "原因",
    "gender": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "phone": "手机",
    "education": "学历",
    "unit": "工作单位",
    "job": "职务",
    "code": "组织代码",
    "village": "村（社区）党组织",
    "event": "环节",
    "on": "日期",
    "session": "会议",
}


#: Fields whose value is the id of a named row, and the table it names.
REFERS_TO = {
    "org": "organization",
    "parent": "organization",
    "merged_into": "organization",
    "group": "party_group",
    "member": "member",
    "leader": "member",
    "host": "member",
    "recorder": "member",
    "lecturer": "member",
}


def _shown(value: Any, names: dict | None = None) -> str:
    if value is None:
        return "空"
    if names and str(value) in names:
        return names[str(value)]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            d = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{d.year}年{d.month}月{d.day}日"
    return str(value)


def describe_changes(changes: dict) -> str:
    """One line of Chinese for an entry's changes: 新增党员王建国（编号7）；新增组织关系1条."""
    if not changes:
        return ""
    if "restore" in changes:
        r = changes["restore"]
        replaced = "，替换了原有数据" if r.get("replaced") else ""
        return f"从备份“{r.get('file', '')}”恢复：共{r.get('rows', 0)}行{replaced}"
    if "upgrade" in changes:
        u = changes["upgrade"]
        extra = f"，升级前的备份：{u['backup']}" if u.get("backup") else ""
        return f"数据库结构由第{u.get('from')}版升级到第{u.get('to')}版{extra}"
    names = changes.get("names", {})
    chs = changes.get("changes", [])
    kinds: dict[Any, list[str]] = {}
    for ch in chs:
        if ch.get("entity") == "session_kind" and ch.get("op") == "insert":
            for r in ch.get("rows", []):
                kinds.setdefault(r.get("session"), []).append(r.get("kind", ""))
    sessions_added = any(c.get("entity") == "session" and c.get("op") == "insert" for c in chs)
    parts = []
    for ch in chs:
        entity, op = ch.get("entity", ""), ch.get("op", "")
        if entity == "session_kind" and op == "insert" and sessions_added:
            continue  # said with the session
        parts.append(_describe_one(ch, names, kinds))
    return "；".join(parts)


def _describe_one(ch: dict, names: dict, kinds: dict) -> str:
    entity, op = ch.get("entity", ""), ch.get("op", "")
    label, unit = ENTITY_LABELS.get(entity, (entity, "条"))
    verb = OP_LABELS.get(op, op)
    count = ch.get("count", 0)
    more = f"等{count}{unit}" if count > 3 else ""
    rows = ch.get("rows", [])
    if entity == "session" and op == "insert" and rows:
        shown = []
        for r in rows[:3]:
            org = names.get("organization", {}).get(str(r.get("org")), "")
            what = "、".join(SESSION_KINDS.label(k) for k in kinds.get(r.get("id"), []))
            shown.append(
                " ".join(x for x in (_shown(r.get("held_on")), org, what) if x) + f"（编号{r.get('id', '?')}）"
            )
        return f"{verb}{label}：" + "、".join(shown) + more
    who = ""
    if entity in NAMED and ch.get("ids"):
        known, ids = names.get(entity, {}), ch["ids"]
        more = f"等{len(ids)}{unit}" if len(ids) > 3 else ""
        text = f"{verb}{label}" + "、".join(f"{known.get(str(i), '')}（编号{i}）" for i in ids[:3]) + more
    else:
        text = f"{verb}{label}{count if count >= 0 else '若干'}{unit}"
        people = [names.get("member", {}).get(str(r.get("member")), "") for r in rows]
        people = list(dict.fromkeys(p for p in people if p))
        if people and entity != "attendance":
            who = "、".join(people[:3]) + ("等" if len(people) > 3 else "")
    after = rows[0].get("after") if op == "update" and rows else None
    change = "，".join(
        f"{FIELD_LABELS.get(k, k)}→{_shown(v, names.get(REFERS_TO.get(k, ''), {}))}" for k, v in (after or {}).items()
    )
    detail = "：".join(x for x in (who, change) if x)
    return text + (f"（{detail}）" if detail else "")
