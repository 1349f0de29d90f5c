"""Issue 10: a property-based test over random worlds. Whatever organisations, groups, partner,
audiences, TLP levels, sanitised versions, corrections, shares and withdrawals, notes, opinions,
merges, drafts, publications and re-imports a world holds, no output of any read or write path
(REST, TAXII, web pages and fragments, drafts and their bundle previews, publish and import
answers, error messages) shows a caller a secret, a coordinate or an id it may not see, and no
write lets data reach an audience its owner did not choose.

The oracle is tests/leakworld.Model: the test's own record of who holds which content for which
audience, kept from what the test asked for and the TLP 2.0 rules, never from the store. A world is
built through the real services and API on a fresh SQLite database per example (tests/leakworld.py
says how), every output of every caller is collected, and each is searched for the secrets and ids
outside that caller's allowance.
"""

from __future__ import annotations

import os
import shutil

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from leakworld import KINDS, TLPS, ObjectPlan, Plan, Version, build, leaks, walk
from sqlalchemy import text

from liaison.db.engine import make_engine
from liaison.db.tables import metadata

#: Examples per run: each builds and walks a world (a few seconds); LIAISON_LEAK_EXAMPLES hunts longer.
EXAMPLES = int(os.environ.get("LIAISON_LEAK_EXAMPLES", "10"))
#: Shrinking a failure rebuilds worlds for minutes: on with LIAISON_LEAK_SHRINK=1, when hunting.
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("LIAISON_LEAK_SHRINK") else [])

AUDIENCE = st.one_of(st.just(("org",)), st.tuples(st.just("group"), st.integers(0, 2)), st.just(("instance",)))
LEVEL = st.sampled_from(TLPS)
PUBLISH_LEVEL = st.sampled_from([t for t in TLPS if t])


@st.composite
def plans(draw) -> Plan:
    n_orgs = draw(st.integers(3, 4))
    partner = draw(st.booleans())
    everyone = list(range(n_orgs + partner))
    groups = tuple(draw(st.lists(st.frozensets(st.sampled_from(everyone), min_size=2), min_size=1, max_size=3)))
    objects = []
    for j in range(draw(st.integers(2, 7))):
        refs = tuple(draw(st.lists(st.integers(0, j - 1), max_size=3, unique=True))) if j else ()
        versions = tuple(
            draw(
                st.lists(
                    st.builds(
                        Version, tlp=LEVEL, audience=AUDIENCE, correction=st.one_of(st.none(), st.none(), AUDIENCE)
                    ),
                    min_size=1,
                    max_size=3,
                )
            )
        )
        objects.append(
            ObjectPlan(
                draw(st.sampled_from(KINDS)), draw(st.integers(0, n_orgs - 1)), draw(st.booleans()), versions, refs
            )
        )
    n = len(objects)
    actor = st.one_of(st.just(n_orgs), st.integers(0, n_orgs))  # n_orgs: the object's owner
    thing = st.integers(0, n - 1)
    ops = st.one_of(
        st.tuples(st.just("share"), actor, thing, AUDIENCE, st.booleans()),
        st.tuples(st.just("unshare"), actor, thing, AUDIENCE, st.booleans()),
        st.tuples(st.sampled_from(["note", "opinion"]), st.integers(0, n_orgs - 1), thing, AUDIENCE, LEVEL),
        st.tuples(st.just("merge"), actor, thing, thing, st.one_of(st.just("auto"), AUDIENCE), st.booleans()),
        st.tuples(
            st.just("draft"),
            st.integers(0, n_orgs - 1),
            st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=3).map(tuple),
            st.one_of(st.none(), st.integers(0, 3)),
            st.booleans(),
            st.one_of(st.none(), st.tuples(AUDIENCE, PUBLISH_LEVEL)),
        ),
        st.tuples(st.just("reimport"), st.integers(0, n_orgs - 1), thing, st.integers(0, 5), AUDIENCE),
        st.tuples(st.just("push"), st.just(0), st.integers(0, 2)),
        st.tuples(st.just("claim"), st.integers(0, n_orgs - 1), thing, AUDIENCE, LEVEL),
    )
    return Plan(
        n_orgs,
        partner,
        groups,
        tuple(objects),
        tuple(draw(st.lists(ops, min_size=2, max_size=12))),
        draw(st.integers(0, 2**32 - 1)),
    )


#: One fixed world that walks into each leak fixed for issue 10, every run: Birch notes and opines on
#: Ash's group-only intrusion set for the whole instance; Birch drafts a text naming the hidden
#: first version of Ash's location (sanitised and shared later) and Ash's group-only location,
#: whose coordinates Birch loses when Ash withdraws it; Ash publishes a report naming Birch's
#: group-only e-mail address (with Birch's private property) to the instance; the partner reads
#: Birch's person, whose first content a correction sanitised.
KNOWN = Plan(
    n_orgs=3,
    partner=True,
    groups=(frozenset({0, 1}), frozenset({1, 3})),
    objects=(
        ObjectPlan("intrusion-set", 0, True, (Version(None, ("group", 0), None),), ()),
        ObjectPlan("location", 0, True, (Version("amber", ("org",), None), Version("green", ("instance",), None)), ()),
        ObjectPlan("location", 0, True, (Version(None, ("group", 0), None),), ()),
        ObjectPlan("email-addr", 1, False, (Version(None, ("group", 0), None),), ()),
        ObjectPlan("person", 1, False, (Version(None, ("group", 1), ("group", 1)),), ()),
    ),
    ops=(
        ("note", 1, 0, ("instance",), None),
        ("opinion", 1, 0, ("instance",), "green"),
        ("draft", 1, ((1, 0), (1, 1), (2, 0)), 0, False, None),
        ("unshare", 3, 2, ("group", 0), False),
        ("draft", 0, (), 0, False, (("instance",), "amber")),
        ("push", 0, 0),
    ),
    seed=10,
)


def check_world(url: str, plan: Plan) -> None:
    """Build the world of `plan` in the empty database at `url`, walk every output and fail with
    the leaks found."""
    engine = make_engine(url)
    world = None
    try:
        world = build(engine, plan)
        walk(world)
        found = leaks(world)
        assert not found, (
            "leaks in this world:\n"
            + world.plan.describe()
            + "\n\nwrites and their answers:\n"
            + "\n".join(world.log)
            + "\n\nleaks:\n"
            + "\n".join(found[:25])
            + (f"\n... and {len(found) - 25} more" if len(found) > 25 else "")
        )
    finally:
        if world is not None:
            for caller in world.callers:
                if caller.web is not None:
                    caller.web.close()
            world.client.__exit__(None, None, None)
        engine.dispose()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    database=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=plans())
@example(plan=KNOWN)
def test_no_output_shows_a_caller_what_it_may_not_see(sqlite_template, tmp_path_factory, plan):
    path = tmp_path_factory.mktemp("leakworld") / "liaison.db"
    shutil.copy(sqlite_template, path)
    try:
        check_world(f"sqlite:///{path}", plan)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def test_the_known_world_leaks_nothing_on_postgresql(postgres_url):
    engine = make_engine(postgres_url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    check_world(postgres_url, KNOWN)
