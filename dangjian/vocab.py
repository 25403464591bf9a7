"""The enumerations of the domain, each slug with its Chinese label and aliases.

Code and data use the English slug; users may type either the slug, the label
or one of the aliases. `Vocabulary.parse` is the single place that turns what a
user typed into a slug, with an error that lists the valid values.
"""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.errors import InputError


@dataclass(frozen=True)
class Term:
    slug: str
    label: str
    aliases: tuple[str, ...] = ()


class Vocabulary:
    def __init__(self, name: str, terms: list[Term]):
        self.name = name
        self.terms = tuple(terms)
        self._by_key: dict[str, str] = {}
        for t in terms:
            for key in (t.slug, t.label, *t.aliases):
                self._by_key[key.casefold()] = t.slug
        self._labels = {t.slug: t.label for t in terms}

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(t.slug for t in self.terms)

    def label(self, slug: str | None) -> str:
        if slug is None:
            return ""
        return self._labels.get(slug, slug)

    def __contains__(self, slug: object) -> bool:
        return slug in self._labels

    def choices(self) -> str:
        return "、".join(f"{t.slug}（{t.label}）" for t in self.terms)

    def parse(self, text: str) -> str:
        key = (text or "").strip().casefold()
        try:
            return self._by_key[key]
        except KeyError:
            raise InputError(f"未知的{self.name}“{text}”，可用的有：{self.choices()}。") from None


ORG_KINDS = Vocabulary(
    "组织类型",
    [
        Term("committee", "党委", ("党组", "机关党委", "基层党委")),
        Term("general-branch", "党总支", ("总支", "党总支部")),
        Term("branch", "党支部", ("支部",)),
        Term("joint-branch", "联合党支部", ("联合支部",)),
    ],
)
#: Kinds that the meeting rules of the 支部工作条例 apply to.
BRANCH_KINDS = frozenset({"branch", "joint-branch"})

STAGES = Vocabulary(
    "党员类别",
    [
        Term("applicant", "入党申请人", ("申请人",)),
        Term("activist", "入党积极分子", ("积极分子",)),
        Term("candidate", "发展对象"),
        Term("probationary", "预备党员", ("预备",)),
        Term("full", "正式党员", ("正式", "党员")),
    ],
)
#: Stages that belong on a roster (应到).
PARTY_STAGES = frozenset({"probationary", "full"})

MEMBER_STATUSES = Vocabulary(
    "党员状态",
    [
        Term("active", "在册", ("恢复党籍", "恢复")),
        Term("transferred-out", "已转出", ("转出",)),
        Term("deceased", "已去世", ("去世",)),
        Term("lapsed", "自行脱党", ("脱党", "除名")),
        Term("expelled", "开除党籍", ("开除",)),
        Term("disqualified", "取消预备党员资格", ("取消资格",)),
        Term("withdrawn", "退党"),
        Term("stopped", "停止党籍"),
    ],
)

SESSION_KINDS = Vocabulary(
    "会议类型",
    [
        Term("general-meeting", "支部党员大会", ("党员大会", "支部大会")),
        Term("committee-meeting", "支部委员会会议", ("支委会", "支委会议", "支部委员会")),
        Term("group-meeting", "党小组会", ("小组会", "党小组会议")),
        Term("party-lecture", "党课", ("讲党课",)),
        Term("theme-day", "主题党日", ("党日", "主题党日活动")),
        Term("life-meeting", "组织生活会", ("专题组织生活会",)),
        Term("appraisal", "民主评议党员", ("民主评议",)),
        Term("study", "集中学习", ("学习",)),
    ],
)
#: The verb a message uses for holding each kind: 召开党员大会, 上党课, 开展主题党日.
SESSION_VERBS = {
    "general-meeting": "召开",
    "committee-meeting": "召开",
    "group-meeting": "召开",
    "party-lecture": "上",
    "theme-day": "开展",
    "life-meeting": "召开",
    "appraisal": "开展",
    "study": "组织",
}

#: Session kinds held by a 党小组 rather than by a branch.
GROUP_SESSION_KINDS = frozenset({"group-meeting"})

ATTENDANCE = Vocabulary(
    "出勤状态",
    [
        Term("present", "出席", ("到会", "参加")),
        Term("leave", "请假"),
        Term("absent", "缺席", ("未到",)),
    ],
)

GENDERS = Vocabulary(
    "性别",
    [
        Term("male", "男", ("m",)),
        Term("female", "女", ("f",)),
    ],
)

EVENTS = Vocabulary(
    "发展纪实事项",
    [
        Term("applied", "递交入党申请书", ("申请", "入党申请")),
        Term("talked", "入党谈话", ("谈话",)),
        Term("activist", "确定为入党积极分子", ("积极分子", "确定积极分子")),
        Term("assessed", "培养考察", ("考察",)),
        Term("candidate", "确定为发展对象", ("发展对象", "确定发展对象")),
        Term("political-review", "政治审查", ("政审",)),
        Term("trained", "集中培训", ("培训",)),
        Term("publicized", "公示", ("发展公示",)),
        Term("pre-reviewed", "上级党委预审", ("预审",)),
        Term("admitted", "支部大会接收为预备党员", ("接收预备党员", "接收")),
        Term("approved", "上级党委审批", ("审批",)),
        Term("oath", "入党宣誓", ("宣誓",)),
        Term("conversion-applied", "提出转正申请", ("转正申请",)),
        Term("converted", "支部大会同意转正", ("转正",)),
        Term("conversion-approved", "上级党委批准转正", ("批准转正",)),
        Term("extended", "延长预备期", ("延长",)),
        Term("disqualified", "取消预备党员资格", ("取消资格",)),
        Term("withdrawn", "退党"),
        Term("stopped", "停止党籍"),
    ],
)

SEVERITIES = Vocabulary(
    "级别",
    [
        Term("error", "错误"),
        Term("warning", "警告"),
        Term("info", "提示"),
    ],
)

FINDING_STATUSES = Vocabulary(
    "状态",
    [
        Term("missed", "未完成"),
        Term("due", "待完成"),
        Term("violated", "违规"),
        Term("overdue", "逾期"),
    ],
)
