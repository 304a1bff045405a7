"""Specs split across files: relative ``$ref`` values to other JSON or YAML files, made local.

Every node another file provides becomes a component of the root document, where every tool
expects one (``schemas/building.yaml#/Building`` -> ``#/components/schemas/Building``; a
parameter -> ``components/parameters``, a response -> ``components/responses`` ...), and a path
item from another file is put in place. A root component that is only a reference to another
file takes that file's content under its own name. References are relative to the file that
holds them, each file is read once, cycles between files become cycles of local references,
and every fragment is checked. Remote URLs are refused: a contract run must not depend on a
server being up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from contracts.errors import SpecError
from contracts.refs import escape_token, unescape_token

Parse = Callable[[bytes, str], Any]  # text of a file and its name -> the parsed document

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
# Keywords after which a pointer is inside a schema: every reference there is a schema.
_SCHEMA_WORDS = {"schema", "properties", "items", "allOf", "oneOf", "anyOf", "not", "additionalProperties"}
# Parent key -> component section, for references outside schemas.
_SECTIONS = {
    "parameters": "parameters",
    "responses": "responses",
    "headers": "headers",
    "examples": "examples",
    "links": "links",
    "callbacks": "callbacks",
    "securitySchemes": "securitySchemes",
}


def resolve_external_refs(
    doc: dict[str, Any], source: str, base: Path | None, parse: Parse
) -> dict[str, Any]:
    """``doc`` with every reference to another file made local (``doc`` is changed in place).

    ``parse`` reads a referenced file's text (the loader's ``parse_text``): handed in, so this
    module does not import the loader that imports it.
    """
    if base is None:
        for node, where in ref_nodes(doc, "#"):
            if not node["$ref"].startswith("#"):
                raise SpecError(
                    source,
                    f"$ref {node['$ref']!r} points to another file, which cannot be found from here",
                    where,
                )
        return doc
    bundle = _Bundle(doc, base.resolve(), source, parse)
    bundle.run()
    return doc


def ref_nodes(doc: Any, start: str) -> list[tuple[dict[str, Any], str]]:
    """Every mapping holding a string ``$ref``, with its JSON pointer (iterative: any depth)."""
    found = []
    stack: list[tuple[Any, str]] = [(doc, start)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                found.append((node, where))
            stack.extend(
                (v, f"{where}/{escape(str(k))}") for k, v in node.items() if isinstance(v, dict | list)
            )
        elif isinstance(node, list):
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(node) if isinstance(v, dict | list))
    found.reverse()  # document order, so component names are given in reading order
    return found


def escape(key: str) -> str:
    return escape_token(key)


def _segments(pointer: str) -> list[str]:
    return [unescape_token(unquote(p)) for p in pointer.lstrip("#").split("/")[1:]]


def pointer_get(doc: Any, fragment: str) -> Any:
    """The node at a JSON pointer fragment ("" or "/a/b"); KeyError when there is none."""
    node = doc
    for part in _segments(fragment) if fragment else []:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(fragment)
    return node


def section_for(where: str) -> str:
    """The component section a node referenced at ``where`` belongs in (schemas unless it says)."""
    parts = _segments(where)
    if len(parts) == 3 and parts[0] == "components":
        return parts[1]
    if any(p in _SCHEMA_WORDS for p in parts[:-1]) or parts[-1:] == ["schema"]:
        return "schemas"
    if parts[-1:] == ["requestBody"]:
        return "requestBodies"
    if len(parts) >= 2 and parts[-2] in _SECTIONS:
        return _SECTIONS[parts[-2]]
    return "schemas"


class _Bundle:
    """The state of one resolution: files read, nodes placed as components, references done."""

    def __init__(self, doc: dict[str, Any], root: Path, source: str, parse: Parse) -> None:
        self.doc = doc
        self.parse = parse
        self.root = root
        self.source = source
        self.files: dict[Path, Any] = {root: doc}
        self.placed: dict[tuple[Path, str], str] = {}  # (file, fragment) -> local $ref
        self.done: set[int] = set()  # ids of $ref mappings already rewritten
        self.queue: list[tuple[Path, Any, str]] = []  # (file the node is from, node, its pointer)

    def run(self) -> None:
        # The root goes first on the stack, so it is walked last: by then every node from another
        # file has been rewritten relative to its own file and is skipped there.
        self.queue.append((self.root, self.doc, "#"))
        self._adopt_aliases()
        self._inline_path_items()
        while self.queue:
            file, node, where = self.queue.pop()
            for ref_node, at in ref_nodes(node, where):
                if id(ref_node) not in self.done:
                    self.done.add(id(ref_node))
                    ref_node["$ref"] = self._local(ref_node["$ref"], file, at)

    def _components(self, section: str) -> dict[str, Any]:
        components = self.doc.setdefault("components", {})
        if not isinstance(components, dict):
            raise SpecError(self.source, "'components' must be a mapping", "components")
        return components.setdefault(section, {})

    def _adopt_aliases(self) -> None:
        """``components.schemas.Thing: {$ref: thing.yaml}`` becomes the content of thing.yaml."""
        components = self.doc.get("components")
        if not isinstance(components, dict):
            return
        for section, entries in components.items():
            if not isinstance(entries, dict):
                continue
            for name, node in entries.items():
                if isinstance(node, dict) and set(node) == {"$ref"} and isinstance(node["$ref"], str):
                    ref = node["$ref"]
                    if not ref.startswith("#"):
                        where = f"#/components/{escape(section)}/{escape(str(name))}"
                        key = self._target(ref, self.root, where)
                        if key[0] != self.root and key not in self.placed:
                            entries[name] = self._node(key, ref, self.source, where)
                            self.placed[key] = where
                            self.queue.append((key[0], entries[name], where))

    def _inline_path_items(self) -> None:
        """Path items from other files are put in place: tools rarely follow a path item's ``$ref``."""
        paths = self.doc.get("paths")
        if not isinstance(paths, dict):
            return
        for name, item in paths.items():
            if isinstance(item, dict) and set(item) == {"$ref"} and isinstance(item["$ref"], str):
                ref, where = item["$ref"], f"#/paths/{escape(str(name))}"
                if not ref.startswith("#"):
                    key = self._target(ref, self.root, where)
                    paths[name] = self._node(key, ref, self.source, where)
                    self.queue.append((key[0], paths[name], where))

    def _local(self, ref: str, file: Path, where: str) -> str:
        """The local reference standing for ``ref`` written in ``file`` at ``where``."""
        if ref.startswith("#") and file == self.root:
            return ref
        key = (file, ref[1:]) if ref.startswith("#") else self._target(ref, file, where)
        label = self.source if file == self.root else str(file)
        if key[0] == self.root:
            self._node(key, ref, label, where)  # checks the fragment
            return f"#{key[1]}"
        known = self.placed.get(key)
        if known is not None:
            return known
        node = self._node(key, ref, label, where)
        section = section_for(where)
        local = f"#/components/{escape(section)}/{escape(self._free_name(section, key))}"
        self._components(section)[_segments(local)[-1]] = node
        self.placed[key] = local
        self.queue.append((key[0], node, local))
        return local

    def _free_name(self, section: str, key: tuple[Path, str]) -> str:
        path, fragment = key
        parts = _segments(fragment)
        stem = parts[-1] if parts else path.name.rsplit(".", 1)[0]
        name = _NAME_CHARS.sub("_", stem) or "Component"
        taken = self._components(section)
        candidate, number = name, 1
        while candidate in taken:
            number += 1
            candidate = f"{name}_{number}"
        return candidate

    def _target(self, ref: str, file: Path, where: str) -> tuple[Path, str]:
        label = self.source if file == self.root else str(file)
        file_part, _, fragment = ref.partition("#")
        if file_part.startswith("//") or (
            _SCHEME.match(file_part) and not re.match(r"^[A-Za-z]:[\\/]", file_part)
        ):
            if not file_part.lower().startswith("file:"):
                raise SpecError(
                    label,
                    f"$ref {ref!r} is a remote URL; only references to local files are resolved "
                    "(download it and refer to it by a relative path)",
                    where,
                )
            file_part = file_part[5:].removeprefix("//")
        if fragment and not fragment.startswith("/"):
            raise SpecError(label, f"$ref {ref!r}: the fragment must be a JSON pointer (#/...)", where)
        return (file.parent / unquote(file_part)).resolve() if file_part else file, fragment

    def _node(self, key: tuple[Path, str], ref: str, label: str, where: str) -> Any:
        path, fragment = key
        if path not in self.files:
            self.files[path] = self._read(path, ref, label, where)
        try:
            return pointer_get(self.files[path], fragment)
        except KeyError:
            raise SpecError(label, f"$ref {ref!r}: no {fragment or '/'} in {path}", where) from None

    def _read(self, path: Path, ref: str, label: str, where: str) -> Any:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise SpecError(label, f"$ref {ref!r}: no such file {path}", where) from None
        except OSError as exc:
            raise SpecError(
                label, f"$ref {ref!r}: cannot read {path}: {exc.strerror or exc}", where
            ) from None
        try:
            return self.parse(raw, str(path))
        except UnicodeDecodeError:
            raise SpecError(str(path), "not UTF-8 text") from None
