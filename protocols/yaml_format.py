"""The YAML format departments deliver protocols in: reading it with line-precise errors, and writing it.

protocols:
  - key: grofvuil-ophalen
    title: Grofvuil laten ophalen
    topic: afval
    department: waste
    public_space: false
    questions: [...]
    answers: {nl: "...", en: "..."}
    links: [...]          # optional
    review_by: 2027-06-30 # optional
"""

import re
from datetime import date

import yaml

from protocols.services import ProtocolContent

REQUIRED = ("key", "title", "department", "answers")
FIELDS = {
    "key": str,
    "title": str,
    "topic": str,
    "department": str,
    "public_space": bool,
    "questions": list,
    "answers": dict,
    "links": list,
    "review_by": date,
}
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINE = "__line__"


class InvalidFile(Exception):
    """The file is refused whole; `errors` are "line N: ..." sentences."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class _LineLoader(yaml.SafeLoader):
    """Remembers the line of every mapping and refuses a key written twice in one mapping."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.MarkedYAMLError(
                    problem=f"'{key}' appears twice (also on line {seen[key]})",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


def parse(text: str) -> list[tuple[int, ProtocolContent]]:
    """Every protocol in the file with the line it starts on; InvalidFile lists all that is wrong."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"line {mark.line + 1}: " if mark else ""
        raise InvalidFile([f"{line}{error.problem}"]) from error
    except yaml.YAMLError as error:
        raise InvalidFile([f"not YAML: {error}"]) from error
    if not isinstance(data, dict) or not isinstance(data.get("protocols"), list):
        raise InvalidFile(
            ["line 1: the file must have a top-level key 'protocols:' with a list of protocols"]
        )
    errors: list[str] = []
    items: list[tuple[int, ProtocolContent]] = []
    first_line: dict[str, int] = {}
    for position, raw in enumerate(data["protocols"], start=1):
        if not isinstance(raw, dict):
            errors.append(
                f"protocol {position}: expected a mapping with key, title, department, answers, ..."
            )
            continue
        line = raw.pop(LINE)
        item_errors = _check(raw)
        key = raw.get("key")
        if isinstance(key, str) and key in first_line:
            item_errors.append(f"key '{key}' is used twice (first on line {first_line[key]})")
        elif isinstance(key, str):
            first_line[key] = line
        errors.extend(f"line {line}: {message}" for message in item_errors)
        if not item_errors:
            items.append((line, _content(raw)))
    if errors:
        raise InvalidFile(errors)
    return items


def _check(raw: dict) -> list[str]:
    errors = [f"'{name}' is missing" for name in REQUIRED if name not in raw]
    errors += [f"unknown field '{name}'" for name in raw if name not in FIELDS]
    for name, kind in FIELDS.items():
        if (
            name in raw
            and not isinstance(raw[name], kind)
            or (kind is bool and name in raw and raw[name] is None)
        ):
            errors.append(f"'{name}' must be {_kind(kind)}")
    if isinstance(raw.get("key"), str) and not KEY.match(raw["key"]):
        errors.append(f"key '{raw['key']}' must be lowercase letters, digits and hyphens")
    for name in ("questions", "links"):
        if isinstance(raw.get(name), list) and not all(isinstance(v, str) for v in raw[name]):
            errors.append(f"'{name}' must be a list of texts")
    answers = raw.get("answers")
    if isinstance(answers, dict):
        answers.pop(LINE, None)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
            errors.append("'answers' must map a language code to a text")
    return errors


def _kind(kind: type) -> str:
    return {
        str: "a text",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
        date: "a date (YYYY-MM-DD)",
    }[kind]


def _content(raw: dict) -> ProtocolContent:
    return ProtocolContent(
        key=raw["key"],
        title=raw["title"].strip(),
        department=raw["department"].strip(),
        answers={language: text.strip() for language, text in raw["answers"].items()},
        topic=(raw.get("topic") or "").strip(),
        public_space=raw.get("public_space", False),
        questions=[q.strip() for q in raw.get("questions", [])],
        links=[link.strip() for link in raw.get("links", [])],
        review_by=raw.get("review_by"),
    )


def dump(contents: list[ProtocolContent]) -> str:
    """The same format back, so an export can be edited and imported again."""
    items = []
    for content in contents:
        item = {
            "key": content.key,
            "title": content.title,
            "topic": content.topic,
            "department": content.department,
            "public_space": content.public_space,
            "questions": content.questions,
            "answers": content.answers,
        }
        if content.links:
            item["links"] = content.links
        if content.review_by:
            item["review_by"] = content.review_by
        items.append(item)
    return yaml.safe_dump({"protocols": items}, allow_unicode=True, sort_keys=False, width=100)
