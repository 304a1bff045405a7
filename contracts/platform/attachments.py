"""Which uploads attach files and images to which entities (``data/attachments.yaml``).

Why data: that an uploaded file joins the owner's file list under the name its multipart part
carries, and that an image joins the owner's images by name, are facts about the platform the
spec cannot say (the upload answers, the list and the image names are separate operations).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from contracts.errors import ContractsError
from contracts.platform.catalogue import read_data

DATA_FILE = "attachments.yaml"


@dataclass(frozen=True)
class FileAttachment:
    upload: str  # operation key of the multipart upload (``POST /commodity/{}/files/upload``)
    part: str  # the multipart part holding the file
    list: str  # path key of the file list the entry joins (``/commodity/{}/files``)
    folder: str | None  # the folder an uploaded entry goes to


@dataclass(frozen=True)
class ImageAttachment:
    upload: str
    part: str
    owner: str  # path key of the entity holding the images (``/commodity/{}``)
    field: str | None  # the owner's field listing them (``images``), or
    list: str | None  # the operation key listing them (``GET /building/{}/images``)
    name_field: str  # the name's key in a listed image (``name``, ``fileName``); the other is ``url``
    remove: str | None  # operation key deleting one image by name


@dataclass(frozen=True)
class Attachments:
    files: tuple[FileAttachment, ...]
    images: tuple[ImageAttachment, ...]


@cache
def load_attachments() -> Attachments:
    """The attachment rules; a malformed data file is a ContractsError naming the problem."""
    raw: dict[str, Any] = read_data(DATA_FILE)
    try:
        files = tuple(
            FileAttachment(str(f["upload"]), str(f["part"]), str(f["list"]), f.get("folder"))
            for f in raw.get("files") or ()
        )
        images = tuple(
            ImageAttachment(
                str(i["upload"]),
                str(i["part"]),
                str(i["owner"]),
                i.get("field"),
                i.get("list"),
                str(i.get("name-field") or "name"),
                i.get("remove"),
            )
            for i in raw.get("images") or ()
        )
        for image in images:
            if (image.field is None) == (image.list is None):
                raise ValueError(f"{image.upload}: images show in a field or in a list, exactly one")
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ContractsError(f"{DATA_FILE}: malformed attachment rules: {exc!r}") from None
    return Attachments(files, images)
