"""Files and images attached by multipart upload (v4.0 commodities, v3.0 buildings): kept,
listed and served.

The rules are data (``contracts/platform/data/attachments.yaml``). An uploaded file becomes an
entry of the owner's file list, named as its multipart part names it, whose ``url`` serves the
uploaded bytes from the mock (``/downloads/...``); deleting the entry deletes the bytes. An
uploaded image joins the owner's images as ``{name, url}`` (an image of the same name is
replaced), shown in a field of the owner or by a list operation of their own; deleting an image
the owner does not hold is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from contracts.platform.attachments import FileAttachment, ImageAttachment, load_attachments
from contracts.platform.lifecycles import operation_key
from contracts.platform.uploads import NO_FILE
from mockserver.behaviour.call import Call, Refusal, UploadedFile
from mockserver.behaviour.entities import (
    _addressed,
    _check_scope,
    _last_path_value,
    _new_key,
    _path_key,
    _respond_entity,
    _store_entity,
)
from mockserver.behaviour.runtime import SpecRuntime
from mockserver.platform import downloads
from mockserver.spec.problems import MockResponse
from mockserver.state.store import Gone, Ref

Handler = Callable[[Call], MockResponse]
IMAGE_SLOT = "image/"
IMAGES = "~images"
"""Images an owner shows through a list operation of their own are kept here, below the owner."""
PARENT_SEPARATOR = "~"
"""Joins a parent's id and a file's in a download URL (a file kept per parent: ``<commodity>~<file>``)."""


class AttachmentHandlers:
    """The handlers of one version's attachment operations, and the downloads they serve."""

    def __init__(self, runtime: SpecRuntime) -> None:
        self.runtime = runtime
        self.handlers: dict[int, Handler] = {}
        self.file_lists: set[str] = set()  # collections holding uploaded file entries
        self.image_owners: set[str] = set()  # collections whose entities hold images
        rules = load_attachments()
        keys = {operation_key(op.method, op.template): op for op in runtime.operations}
        for rule in rules.files:
            upload, collection = keys.get(rule.upload), self._collection(keys, rule.list)
            if upload is not None and collection is not None:
                self.handlers[id(upload)] = partial(self._upload_file, rule, collection)
                self.file_lists.add(collection)
        for image in rules.images:
            upload, collection = keys.get(image.upload), self._collection(keys, image.owner)
            if upload is None or collection is None:
                continue
            self.handlers[id(upload)] = partial(self._upload_image, image, collection)
            self.image_owners.add(collection)
            for key, handler in ((image.remove, self._remove_image), (image.list, self._list_images)):
                op = keys.get(key) if key else None
                if op is not None:
                    self.handlers[id(op)] = partial(handler, image, collection)

    def _collection(self, keys: dict[str, Any], path: str) -> str | None:
        """The stateful collection ``GET path`` reads (a list or an item), if the build has it."""
        op = keys.get(f"GET {path}")
        if op is None:
            return None
        collection = self.runtime.model.behaviours[id(op)].collection
        return collection if collection in self.runtime.model.stateful else None

    # -- files -----------------------------------------------------------------------------
    def _upload_file(self, rule: FileAttachment, collection: str, call: Call) -> MockResponse:
        chain, _ = _addressed(call)
        _check_scope(call, chain)
        part = _part(call, rule.part)
        parent = chain[-1] if chain else None
        key = _new_key(call, collection, None, parent)
        stored_id = self.runtime.storage_id(collection, key, parent)
        name = part.filename or "file"
        url_id = stored_id.replace("/", PARENT_SEPARATOR)
        entity = {
            "fileName": name,
            "folderId": rule.folder,
            "folderNames": self._folder_names(rule.folder),
            "tags": [],
            "url": downloads.url_for(call.base_url, self.runtime.version, url_id, name),
        }
        names = self.runtime.property_names(self.runtime.entity_schema(collection) or {})
        entity = {k: v for k, v in entity.items() if k in names and v is not None}
        stored = _store_entity(call, collection, key, entity, parent, new=True)
        try:
            downloads.save_upload(
                call.store, (collection, stored_id), name, part.content, media=part.media_type
            )
        except Refusal:  # no room for the bytes (507): no entry without them either
            call.store.delete(collection, stored_id)
            raise
        return _respond_entity(call, stored)

    def _folder_names(self, folder: str | None) -> Any:
        catalogue = self.runtime.catalogue
        names = catalogue.folder_names.get(folder or "") if catalogue is not None else None
        return dict(names) if names else None

    # -- images ----------------------------------------------------------------------------
    def _upload_image(self, rule: ImageAttachment, collection: str, call: Call) -> MockResponse:
        chain, owner = _addressed(call)
        _check_scope(call, chain)
        part = _part(call, rule.part)
        ref = chain[-1]
        name = part.filename or "image"
        url = downloads.url_for(call.base_url, self.runtime.version, _path_key(call, ref), name)
        downloads.save_upload(  # first: with no room for the bytes (507) the image is not listed
            call.store, ref, name, part.content, slot=IMAGE_SLOT + name, media=part.media_type
        )
        images = [i for i in _held(rule, call.store, ref, owner) if i.get(rule.name_field) != name]
        _keep(rule, call.store, ref, owner, [*images, {rule.name_field: name, "url": url}])
        return MockResponse(int(call.operation.success().status))

    def _remove_image(self, rule: ImageAttachment, collection: str, call: Call) -> MockResponse:
        chain, owner = _addressed(call)
        _check_scope(call, chain)
        ref = chain[-1]
        name = _last_path_value(call)
        images = _held(rule, call.store, ref, owner)
        if not any(i.get(rule.name_field) == name for i in images):
            raise Refusal(404, f"{collection} '{_path_key(call, ref)}' has no image '{name}'")
        _keep(rule, call.store, ref, owner, [i for i in images if i.get(rule.name_field) != name])
        downloads.forget(call.store, ref, IMAGE_SLOT + name)
        return MockResponse(int(call.operation.success().status))

    def _list_images(self, rule: ImageAttachment, collection: str, call: Call) -> MockResponse:
        chain, owner = _addressed(call)
        _check_scope(call, chain)
        return _respond_entity(call, _held(rule, call.store, chain[-1], owner))

    # -- the served bytes ------------------------------------------------------------------
    def resolve(self, store: Any, file_id: str, name: str) -> downloads.Download | None:
        """The bytes behind a download URL this version's attachments gave out, if any."""
        for collection in self.file_lists:
            record = _stored(store, collection, file_id.replace(PARENT_SEPARATOR, "/"), "")
            if record is not None:
                owner = (collection, file_id.replace(PARENT_SEPARATOR, "/"))
                return downloads.Download(
                    str(record.get("name") or name), _media(record), downloads.content_of(record), owner
                )
        for collection in self.image_owners:
            record = _image(store, (collection, file_id), name)
            if record is not None:
                owner = (collection, file_id)
                return downloads.Download(
                    str(record.get("name") or name), _media(record), downloads.content_of(record), owner
                )
        return None


def _part(call: Call, name: str) -> UploadedFile:
    """The file part the upload carries (validation refuses an upload without one)."""
    part = call.files.get(name) or next(iter(call.files.values()), None)
    if part is None:
        raise Refusal(400, NO_FILE)
    return part


def _held(rule: ImageAttachment, store: Any, ref: Ref, owner: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The owner's images, each ``{<name field>: name, "url": url}``."""
    if rule.field is not None:
        images = (owner or {}).get(rule.field)
    else:
        images = (store.get(IMAGES, _images_key(ref)) or {}).get("images")
    return [i for i in images if isinstance(i, dict)] if isinstance(images, list) else []


def _keep(
    rule: ImageAttachment, store: Any, ref: Ref, owner: dict[str, Any] | None, images: list[dict[str, Any]]
) -> None:
    """Write the owner's images back: into its field, or below it (gone when the owner is deleted)."""
    if rule.field is not None:
        try:  # only while the owner exists: an upload racing its delete must not bring it back
            store.update(ref[0], ref[1], {**(owner or {}), rule.field: images}, store.parent_of(*ref))
        except Gone:
            raise Refusal(404, f"no {ref[0]} with id '{ref[1]}' (deleted meanwhile)") from None
    else:
        store.put(IMAGES, _images_key(ref), {"images": images}, ref)


def _images_key(ref: Ref) -> str:
    return f"{ref[0]}|{ref[1]}"


def _stored(store: Any, collection: str, entity_id: str, slot: str) -> dict[str, Any] | None:
    if store.get(collection, entity_id) is None:
        return None
    return downloads.load(store, (collection, entity_id), slot)


def _image(store: Any, owner: Ref, name: str) -> dict[str, Any] | None:
    """The image a URL names: by its exact name, or by the sanitised name the URL carries."""
    if store.get(*owner) is None:
        return None
    exact = downloads.load(store, owner, IMAGE_SLOT + name)
    if exact is not None:
        return exact
    return next(
        (r for r in downloads.held_by(store, owner) if downloads.safe_name(r.get("name")) == name), None
    )


def _media(record: dict[str, Any]) -> str:
    return str(record.get("media") or downloads.OCTET)
