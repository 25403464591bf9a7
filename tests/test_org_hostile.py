"""Any text given to the org and group corrections is refused with exit 2 (a sentence, nothing written)
or applied with exit 0: never a runtime failure (3) or a traceback."""

from __future__ import annotations

import os

from conftest import ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.world import Group, Member, Org, Session, build

EXAMPLES = int(os.environ.get("DANGJIAN_PROPERTY_EXAMPLES", "40")) // 2 or 5
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("DANGJIAN_PROPERTY_SEARCH"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "离退休党支部", "第二党小组", "2", "长" * 101, "9" * 30, "'; drop table x; --"]),
)
DAYS = st.sampled_from(["2021-02-30", "2099-01-01", "2021-06-30", "2021-07-01", "1900-01-01", "昨天", "20210701"])


def _world(target: str) -> None:
    build(
        target,
        Org("机关党委", kind="committee", established="2010-01-01"),
        Org("机关第一党支部", parent="机关党委", established="2010-05-01"),
        Org("离退休党支部", parent="机关党委", established="2012-06-01"),
        Org("机关党支部", parent="机关党委", established="2021-07-01"),
        Group("第一党小组", org="机关第一党支部"),
        Group("第二党小组", org="机关第一党支部"),
        Member("王建国", org="机关第一党支部", group="第一党小组", stage="full", since="2015-01-01"),
        Session(org="机关第一党支部", kinds=["theme-day"], on="2021-01-15", all_present=True),
    )


def _fine(r) -> None:
    assert r.exit_code in (0, 2), (r.exit_code, r.stdout, r.stderr, r.exception)
    assert "Traceback" not in r.stderr
    if r.exit_code == 2:
        assert r.stderr.strip()


def test_hostile_values_are_refused_or_applied(run, target):
    _world(target)
    ok(run("org", "list"))

    @SETTINGS
    @given(ref=TEXT, value=TEXT, day=DAYS)
    def check(ref, value, day):
        for args in (
            ("org", "edit", ref, "--name", value),
            ("org", "edit", "机关第一党支部", "--code", value, "--established", day),
            ("group", "edit", ref, "--org", "机关第一党支部", "--leader", value),
            ("group", "edit", "第二党小组", "--org", value, "--name", value),
            ("group", "dissolve", value, "--org", "机关第一党支部", "--on", day),
            ("org", "merge", ref, "--into", value, "--on", day),
        ):
            _fine(run(*args))

    check()
