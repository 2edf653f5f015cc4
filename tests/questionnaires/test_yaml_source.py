"""Reading YAML with the line of every key and item."""
import pytest

from audit_app.questionnaires.yaml_source import SourceError, parse


def test_lines_of_keys_and_items():
    source = parse(b"id: x\nsections:\n  - id: a\n    questions:\n      - id: q\n")
    assert source.data == {"id": "x", "sections": [{"id": "a", "questions": [{"id": "q"}]}]}
    assert source.lines[("sections",)] == 2
    assert source.lines[("sections", 0, "questions", 0, "id")] == 5
    assert source.line(("sections", 0, "questions", 0, "missing", 3)) == 5


def test_scalars_resolve_as_yaml_does_and_keep_their_written_text():
    source = parse(b'a: yes\nb: "yes"\nc: 2025-26\nd: 1\n')
    assert source.data == {"a": True, "b": "yes", "c": "2025-26", "d": 1}
    assert source.plain_text == {("a",): "yes", ("d",): "1"}


def test_duplicate_keys_are_problems_and_the_first_value_stays():
    source = parse(b"title: one\ntitle: two\n")
    assert source.data == {"title": "one"}
    assert source.problems == [(2, "duplicate key 'title' (first on line 1)")]


def test_a_byte_order_mark_is_fine():
    assert parse("\ufeffid: x\n".encode("utf-8")).data == {"id": "x"}


@pytest.mark.parametrize("raw,line,message", [
    (b"a: 1\nb: [\n", 3, "YAML syntax error"),
    (b"a: &x\n  b: *x\n", 2, "a YAML alias refers to itself"),
    (b"a: !custom 1\n", 1, "the YAML tag !custom is not allowed"),
    (b"\n\n", 1, "the file is empty"),
])
def test_unreadable_files_say_where(raw, line, message):
    with pytest.raises(SourceError) as error:
        parse(raw)
    assert error.value.line == line
    assert error.value.message.startswith(message)


def test_alias_bombs_are_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    with pytest.raises(SourceError) as error:
        parse("\n".join(lines).encode())
    assert "too large" in error.value.message
