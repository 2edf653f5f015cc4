"""Hypothesis strategies shared by the property tests: arbitrary answers, organisation
attribute dicts and conditions (well-formed and not)."""
from hypothesis import strategies as st

from audit_app.questionnaires.conditions import ORG_ATTRIBUTES

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                    st.dates(), st.sampled_from(["yes", "no", "green", "amber", "red", "na",
                                                 "0", "1", "12", "", " ", '["send"]', "[",
                                                 "2025-09-01", "1,200"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                      max_leaves=8)


def answers(question_ids=()):
    keys = st.sampled_from(sorted(question_ids)) | st.text(max_size=10) \
        if question_ids else st.text(max_size=10)
    return st.dictionaries(keys, VALUES, max_size=12)


ORG_VALUES = st.one_of(VALUES, st.sampled_from(
    ["school", "agency", "Primary", "Secondary", "s175", "s157", "nmss", "Academies",
     "Independent schools", "Police", "s11", "voluntary"]))
ORGS = st.one_of(st.none(), st.dictionaries(
    st.sampled_from(sorted(ORG_ATTRIBUTES)) | st.text(max_size=8), ORG_VALUES, max_size=14))

LEAF_VALUES = st.lists(SCALARS, max_size=4)


def leaf(question_ids=()):
    subject = st.one_of(
        st.builds(lambda name: {"org": name}, st.sampled_from(sorted(ORG_ATTRIBUTES))),
        st.builds(lambda name: {"question": name},
                  st.sampled_from(sorted(question_ids)) if question_ids else st.text()))
    test = st.one_of(
        st.builds(lambda values: {"in": values}, LEAF_VALUES),
        st.builds(lambda values: {"not_in": values}, LEAF_VALUES),
        st.builds(lambda low: {"min": low}, SCALARS),
        st.builds(lambda high: {"max": high}, SCALARS),
        st.builds(lambda low, high: {"min": low, "max": high}, SCALARS, SCALARS))
    return st.builds(lambda left, right: {**left, **right}, subject, test)


def well_formed_conditions(question_ids=()):
    return st.recursive(
        leaf(question_ids),
        lambda inner: st.builds(lambda parts: {"all": parts}, st.lists(inner, max_size=3))
        | st.builds(lambda parts: {"any": parts}, st.lists(inner, max_size=3))
        | st.builds(lambda part: {"not": part}, inner),
        max_leaves=6)


def conditions(question_ids=()):
    """Well-formed conditions, and junk: evaluation must cope with both."""
    return st.one_of(well_formed_conditions(question_ids), VALUES)
