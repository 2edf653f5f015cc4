"""Reads a definition file into plain data and remembers the line of every key and list item,
so that every problem can name the line to fix.

PyYAML's ``compose`` gives the node tree with positions; scalars are then resolved exactly as
``yaml.safe_load`` would resolve them (so ``yes`` is still true), while the source text of
each plain scalar is kept to explain such surprises in messages."""
from dataclasses import dataclass, field

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

# A definition has a few thousand nodes; aliases could multiply that without limit.
MAX_NODES = 200_000
YAML_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = {YAML_TAG + name for name in
              ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")}

Path = tuple


class SourceError(Exception):
    """The file cannot be read as YAML at all."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class ParsedSource:
    data: object
    # path (keys and list indexes from the top) -> line of the key, or of the list item
    lines: dict = field(default_factory=dict)
    # path -> the text of a plain (unquoted) scalar as written, for messages
    plain_text: dict = field(default_factory=dict)
    # (line, message): problems found while reading that do not stop the reading
    problems: list = field(default_factory=list)

    def line(self, path: Path) -> int:
        """The line of ``path``, else of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def decode(raw: bytes) -> str:
    """UTF-8 text (a byte order mark is allowed), else SourceError at the offending line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SourceError(line, f"the file is not UTF-8 text: byte 0x{raw[error.start]:02x} "
                                "cannot be read; save the file as UTF-8") from error


def parse(raw: bytes) -> ParsedSource:
    text = decode(raw)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or error.context or "it cannot be read"
        raise SourceError(line, f"YAML syntax error: {problem}") from error
    except yaml.YAMLError as error:
        raise SourceError(1, f"YAML syntax error: {error}") from error
    if root is None:
        raise SourceError(1, "the file is empty")
    source = ParsedSource(data=None)
    source.lines[()] = root.start_mark.line + 1
    source.data = _Converter(source).convert(root, ())
    return source


class _Converter:
    def __init__(self, source: ParsedSource):
        self.source = source
        self.constructor = SafeConstructor()
        self.active: set[int] = set()
        self.count = 0

    def convert(self, node, path: Path):
        self.count += 1
        if self.count > MAX_NODES:
            raise SourceError(node.start_mark.line + 1,
                              "the file is too large, or repeats YAML aliases too many times")
        if id(node) in self.active:
            # The alias has no node of its own: the place it is used is the current path.
            raise SourceError(self.source.line(path), "a YAML alias refers to itself")
        if node.tag not in PLAIN_TAGS:
            shown = node.tag.replace(YAML_TAG, "!!", 1)
            raise SourceError(node.start_mark.line + 1,
                              f"the YAML tag {shown} is not allowed: write plain values")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            self.active.add(id(node))
            items = []
            for index, item in enumerate(node.value):
                self.source.lines[path + (index,)] = item.start_mark.line + 1
                items.append(self.convert(item, path + (index,)))
            self.active.discard(id(node))
            return items
        return self._scalar(node, path)

    def _mapping(self, node, path: Path) -> dict:
        self.active.add(id(node))
        result = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = self._key(key_node, line)
            if key is None:
                continue
            if key in result:
                first = self.source.lines.get(path + (key,))
                self.source.problems.append(
                    (line, f"duplicate key '{key}' (first on line {first})"))
                continue
            self.source.lines[path + (key,)] = line
            result[key] = self.convert(value_node, path + (key,))
        self.active.discard(id(node))
        return result

    def _key(self, key_node, line: int):
        if not isinstance(key_node, yaml.ScalarNode):
            self.source.problems.append((line, "a key must be a single word, not a list or "
                                               "mapping"))
            return None
        if key_node.tag == "tag:yaml.org,2002:merge":
            self.source.problems.append((line, "YAML merge keys (<<) are not supported: "
                                               "write the keys out"))
            return None
        if key_node.tag != "tag:yaml.org,2002:str" and key_node.style is None:
            value = self._construct(key_node)
            self.source.problems.append(
                (line, f"key {key_node.value} is read by YAML as {_yaml_repr(value)}: "
                       f"write it in quotes (\"{key_node.value}\")"))
        # The key is kept as written so that checking can go on past this problem.
        return key_node.value

    def _scalar(self, node, path: Path):
        value = self._construct(node)
        if node.style is None and not isinstance(value, str):
            self.source.plain_text[path] = node.value
        return value

    def _construct(self, node):
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as error:
            raise SourceError(node.start_mark.line + 1,
                              f"YAML value cannot be read: {error.problem}") from error
        except ValueError as error:
            raise SourceError(node.start_mark.line + 1,
                              f"YAML value {node.value!r} cannot be read: {error}") from error


def _yaml_repr(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "empty (null)"
    if isinstance(value, (int, float)):
        return "a number"
    return f"a {type(value).__name__}"
