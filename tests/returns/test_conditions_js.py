"""The section page's script reveals conditional questions with the same rules as the
server: the JavaScript evaluator (assets/js/conditional-questions.js) gives the same answer
as audit_app.questionnaires.conditions.evaluate for the same condition, answers and
organisation, for well-formed conditions and for junk."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.questionnaires.conditions import ORG_ATTRIBUTES, evaluate
from tests.questionnaires.conftest_data import example

SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "js" / "conditional-questions.js"
RUNNER = """
import { evaluate } from %s;
let input = '';
process.stdin.on('data', chunk => { input += chunk });
process.stdin.on('end', () => {
  const cases = JSON.parse(input);
  process.stdout.write(JSON.stringify(cases.map(([c, a, o]) => evaluate(c, a, o))));
});
"""
QUESTIONS = ["q1", "q2", "constructor"]
# Values that both languages read alike: JSON values, text in printable ASCII.
TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 12, 10 ** 12),
                    st.integers(-4000, 4000).map(lambda n: n / 4), TEXT,
                    st.sampled_from(["yes", "No", "green", "0", "12", "1,200", " 7 ", "1_0",
                                     "2025-09-01", "Primary", "true", "FALSE", "", "1e3",
                                     "inf", "nan", ".5", "-3."]))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))
SUBJECT = st.one_of(
    st.builds(lambda name: {"org": name}, st.sampled_from(sorted(ORG_ATTRIBUTES))),
    st.builds(lambda name: {"question": name}, st.sampled_from(QUESTIONS)),
    st.builds(lambda name: {"org": name}, st.one_of(st.integers(), st.none())))
TEST = st.one_of(
    st.builds(lambda values: {"in": values}, st.lists(SCALARS, max_size=3)),
    st.builds(lambda values: {"not_in": values}, st.lists(SCALARS, max_size=3)),
    st.builds(lambda low: {"min": low}, SCALARS),
    st.builds(lambda high: {"max": high}, SCALARS),
    st.builds(lambda low, high: {"min": low, "max": high}, SCALARS, SCALARS),
    st.builds(lambda value: {"in": value}, SCALARS),
    st.just({}))
LEAF = st.builds(lambda subject, test: {**subject, **test}, SUBJECT, TEST)
CONDITIONS = st.recursive(
    LEAF,
    lambda inner: st.builds(lambda parts: {"all": parts}, st.lists(inner, max_size=3))
    | st.builds(lambda parts: {"any": parts}, st.lists(inner, max_size=3))
    | st.builds(lambda part: {"not": part}, inner)
    | st.builds(lambda part: {"all": part}, SCALARS),
    max_leaves=6) | VALUES
ANSWERS = st.dictionaries(st.sampled_from(QUESTIONS), VALUES, max_size=3)
ORGS = st.dictionaries(st.sampled_from(sorted(ORG_ATTRIBUTES)), VALUES, max_size=6)
CASES = st.lists(st.tuples(CONDITIONS, ANSWERS, ORGS), min_size=40, max_size=40)


def run_script(cases) -> list:
    if shutil.which("node") is None:
        pytest.skip("node is needed to run the page's script: install Node.js 20")
    result = subprocess.run(
        ["node", "--input-type=module", "-e", RUNNER % json.dumps(SCRIPT.as_uri())],
        input=json.dumps(cases), capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout)


@settings(max_examples=15, deadline=None)
@given(CASES)
def test_the_script_and_the_server_agree_on_any_condition(cases):
    assert run_script(cases) == [evaluate(*case) for case in cases]


def test_they_agree_on_every_condition_of_the_example_questionnaire():
    definition = example()
    conditions = [q.show_if for q in definition.questions if q.show_if] + \
        [s.show_if for s in definition.sections if s.show_if]
    answers = [{}, {"has_boarders": "yes", "dsl_deputies": 2},
               {"has_boarders": "no", "dsl_deputies": 0}]
    orgs = [{"statutory_low_age": 3, "phase": "Secondary", "sixth_form": True,
             "type_group": "Independent schools"},
            {"statutory_low_age": 11, "phase": "Primary", "sixth_form": False,
             "type_group": "Academies"}]
    cases = [[condition, answer, org] for condition in conditions for answer in answers
             for org in orgs]
    results = run_script(cases)
    assert results == [evaluate(*case) for case in cases]
    assert True in results and False in results
