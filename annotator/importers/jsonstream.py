"""Label JSON read incrementally with ijson, so an import never holds the file or its whole parse.

A COCO or YouTube-VIS file is read twice. `survey` checks the syntax, keeps the small top-level
arrays (images, videos, categories), counts the others and notes one field of their items; then
`items` yields the big array (annotations) one element at a time. COCO does not fix the order
of top-level keys, so annotations may come before the images they refer to: hence two passes
over the file rather than one.

    document = JsonDocument(lambda: open(path, "rb"), "instances.json")
    survey = document.survey(keep=("images", "categories"), count="annotations", peek="category_id")
    for annotation in document.items("annotations"): ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import ijson

from annotator.importers.archive import ArchiveError

# ijson uses its fastest backend, yajl2_c (the C extension its wheels ship); without it ijson
# falls back to pure Python, which gives the same results several times slower.
BACKEND = ijson.backend

STARTS = {"start_map", "start_array"}
ENDS = {"end_map", "end_array"}
KINDS = {"start_map": "object", "start_array": "array", "string": "string", "number": "number",
         "integer": "number", "double": "number", "boolean": "boolean", "null": "null"}


@dataclass
class Survey:
    """What the first pass learnt about a JSON object's top level."""

    is_object: bool = True
    kinds: dict[str, str] = field(default_factory=dict)  # key -> "array", "object", "string", ...
    kept: dict[str, object] = field(default_factory=dict)  # the values of the `keep` keys
    lengths: dict[str, int] = field(default_factory=dict)  # array key -> number of items
    peeked: set = field(default_factory=set)  # scalar values of `peek` in the items of `count`

    def array(self, key: str) -> bool:
        return self.kinds.get(key) == "array"


class JsonDocument:
    """A JSON file that can be opened again for each pass (a bare upload or a zip entry)."""

    def __init__(self, open_binary: Callable[[], IO[bytes]], name: str):
        self.open_binary, self.name = open_binary, name

    def survey(self, *, keep: tuple[str, ...], count: str, peek: str) -> Survey:
        """Check the whole file's syntax; keep `keep`, count every array, note `count`'s items' `peek`."""
        survey = Survey()
        peek_prefix = f"{count}.item.{peek}"
        prefix, depth, key, builder = "", -1, None, None  # depth -1: before the document
        with self.open_binary() as f:
            events = ijson.parse(f, use_float=True)
            try:
                first = next(events, None)
                if first is None or first[1] != "start_map":
                    survey.is_object = False
                    return survey
                depth = 1
                for prefix, event, value in events:
                    if depth == 1:  # between top-level values
                        if event == "map_key":
                            key = value
                            continue
                        if event == "end_map":
                            depth = 0
                            continue
                        survey.kinds[key] = KINDS[event]
                        builder = ijson.ObjectBuilder() if key in keep else None
                        if builder is not None:
                            builder.event(event, value)
                        if event in STARTS:
                            depth = 2
                            survey.lengths[key] = 0
                        elif builder is not None:
                            survey.kept[key] = builder.value
                        continue
                    if builder is not None:
                        builder.event(event, value)
                    if event in ENDS:
                        depth -= 1
                        if depth == 1 and builder is not None:
                            survey.kept[key] = builder.value
                        continue
                    if depth == 2 and event != "map_key":  # an item of a top-level array starts
                        survey.lengths[key] += 1
                    if event in STARTS:
                        depth += 1
                    elif prefix == peek_prefix and event != "map_key":
                        survey.peeked.add(value)
            except (ijson.JSONError, UnicodeDecodeError) as exc:
                where = "after the top-level object" if depth == 0 else _path(key, prefix, survey.lengths.get(key))
                raise ArchiveError(self._syntax_error(exc, where)) from exc
        return survey

    def items(self, key: str) -> Iterator:
        """Yield the items of the top-level array `key`, one at a time (run `survey` first)."""
        with self.open_binary() as f:
            try:
                yield from ijson.items(f, f"{key}.item", use_float=True)
            except (ijson.JSONError, UnicodeDecodeError) as exc:
                raise ArchiveError(self._syntax_error(exc, f"in '{key}'")) from exc

    def _syntax_error(self, exc: Exception, where: str) -> str:
        return f"{self.name} is not valid JSON: it breaks {where}: {_yajl_message(exc)}"


def _path(key: str | None, prefix: str, items: int | None) -> str:
    """Say where in the document the parser was: `in annotations[41].segmentation.counts`."""
    if key is None:
        return "at its start"
    if items and prefix.startswith(f"{key}.item"):
        return f"in {key}[{items - 1}]{prefix[len(key) + 5:]}"
    return f"in {prefix or key}"


def _yajl_message(exc: Exception) -> str:
    """Turn yajl's three lines (reason, an excerpt, a caret under the spot) into one line."""
    text = exc.args[0] if exc.args else str(exc)
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    lines = text.splitlines()
    if len(lines) >= 3 and "^" in lines[2]:
        caret = lines[2].index("^")
        before, after = lines[1][:caret].strip(), lines[1][caret:].strip()
        if not before and not after:
            return f"{lines[0].rstrip('.')} (the file ends too early)" if "EOF" in lines[0] else lines[0]
        return f"{lines[0].rstrip('.')}, here: {before} <HERE> {after}".rstrip()
    return text.strip()
