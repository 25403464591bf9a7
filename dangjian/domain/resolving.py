"""Which record a reference names: the rules and messages every resolver shares. Pure.

Two resolvers implement `Resolver`: the database lookup (`store.lookup.DatabaseResolver`)
and the in-memory directory the bulk writer and the importer use (`store.bulk.Directory`).
Each gathers its candidates its own way (a query, a dictionary) and hands them to the
functions here, so both pick the same record, or refuse with the same sentence:

- an id (`12`, `#12`) names the record with that id, if there is one; else the text is a name;
- among records of one name, the live ones win over dissolved ones;
- more than one left is ambiguous: the message lists them with their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from dangjian.domain.policies import GroupLike, OrgLike
from dangjian.errors import AmbiguousError, NotFoundError
from dangjian.periods import format_date
from dangjian.refs import Ref
from dangjian.vocab import ORG_KINDS


class Resolver(Protocol):
    """Finds orgs and groups by what a user typed (see `dangjian.refs`)."""

    def org(self, ref: str | int) -> OrgLike:
        """The org `ref` names; NotFoundError or AmbiguousError otherwise."""
        ...

    def group(self, ref: str | int, org: OrgLike | None = None) -> GroupLike:
        """The group `ref` names, within `org` when given."""
        ...


def org_label(org: OrgLike) -> str:
    """An org as a candidate is listed: name, id, kind, and when it ended."""
    extra = ""
    if org.dissolved_on is not None:
        extra = f"，{format_date(org.dissolved_on)}起{'已合并' if org.merged_into_id else '已撤销'}"
    return f"{org.name}（编号{org.id}，{ORG_KINDS.label(org.kind)}{extra}）"


class _Dated(Protocol):
    @property
    def dissolved_on(self) -> object: ...


D = TypeVar("D", bound=_Dated)
O = TypeVar("O", bound=OrgLike)
G = TypeVar("G", bound=GroupLike)


def _live_first(found: Sequence[D]) -> list[D]:
    return [r for r in found if r.dissolved_on is None] or list(found)


def choose_org(ref: Ref, named: Sequence[O]) -> O:
    """The org of that name (`named`: every org so named, in id order); the caller tried the id."""
    if not named:
        raise NotFoundError(f"没有名为“{ref.name}”的组织，可用 dangjian org list 查看。", field="org")
    pool = _live_first(named)
    if len(pool) > 1:
        raise AmbiguousError(
            f"名为“{ref.name}”的组织有{len(pool)}个：" + "；".join(org_label(o) for o in pool) + "，请用编号指明。",
            field="org",
        )
    return pool[0]


def group_by_id(group: G, org: OrgLike | None, org_name: Callable[[int], str]) -> G:
    """The group an id names, refused when it belongs to another org than `org`."""
    if org is not None and group.org_id != org.id:
        raise NotFoundError(
            f"党小组“{group.name}”（编号{group.id}）不属于{org.name}，而属于{org_name(group.org_id)}。", field="group"
        )
    return group


def choose_group(
    ref: Ref,
    org: OrgLike | None,
    named: Sequence[G],
    elsewhere: Sequence[GroupLike],
    org_name: Callable[[int], str],
) -> G:
    """The group of that name: `named` are the groups so named (in `org` when given), `elsewhere`
    those so named in other orgs; the caller tried the id."""
    name = ref.name
    if not named:
        if org is None:
            raise NotFoundError(f"没有名为“{name}”的党小组，可用 dangjian group list 查看。", field="group")
        if elsewhere:
            raise NotFoundError(
                f"党小组“{name}”不是{org.name}的党小组（它属于"
                + "、".join(org_name(g.org_id) for g in elsewhere)
                + "）。",
                field="group",
            )
        raise NotFoundError(f"{org.name}没有名为“{name}”的党小组，可用 dangjian group list 查看。", field="group")
    pool = _live_first(named)
    if len(pool) > 1:
        raise AmbiguousError(
            f"名为“{name}”的党小组有{len(pool)}个："
            + "；".join(f"编号{g.id}（{org_name(g.org_id)}）" for g in pool)
            + "，请用编号或所属党支部指明。",
            field="group",
        )
    return pool[0]


P = TypeVar("P")


def choose_person(ref: Ref, named: Sequence[P], describe: Callable[[P], str], context: str = "") -> P | None:
    """The one person of that name, None when nobody; the caller tried the id and the 身份证号.

    `describe(p)` tells candidates apart in the message (their id and org)."""
    if len(named) > 1:
        raise AmbiguousError(
            f"{context}名为“{ref.name}”的人有{len(named)}个："
            + "；".join(describe(p) for p in named)
            + "，请用编号指明。"
        )
    return named[0] if named else None
