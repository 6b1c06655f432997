"""Community-message attachments (F8): what may be attached, and the checks each file
passes before anything is stored — count, type by extension and announced content type,
size, and content that starts as its type does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programs.errors import DomainError

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    """An attachment type: the content types browsers send for it (the first is the one
    stored) and how its content starts (none: text, which has no NUL byte)."""

    content_types: tuple[str, ...]
    magic: tuple[bytes, ...] = ()

    def matches(self, head: bytes) -> bool:
        if self.magic:
            return head.startswith(self.magic)
        return b"\x00" not in head


_ZIP = (b"PK\x03\x04",)
_JPEG = FileKind(("image/jpeg", "image/pjpeg"), (b"\xff\xd8\xff",))
ATTACHMENT_KINDS = {
    "pdf": FileKind(("application/pdf",), (b"%PDF-",)),
    "docx": FileKind(
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",), _ZIP
    ),
    "xlsx": FileKind(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",), _ZIP),
    "pptx": FileKind(
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation",), _ZIP
    ),
    "png": FileKind(("image/png",), (b"\x89PNG\r\n\x1a\n",)),
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "gif": FileKind(("image/gif",), (b"GIF87a", b"GIF89a")),
    "txt": FileKind(("text/plain",)),
    # Windows browsers announce CSV files as Excel's.
    "csv": FileKind(
        ("text/csv", "application/csv", "text/x-csv", "application/vnd.ms-excel", "text/plain")
    ),
}


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    return head


def clean_attachments(
    uploads: Sequence[UploadedFile], *, kept: int
) -> list[tuple[UploadedFile, str, str]]:
    """[(file, name, content type)] once every file passed: count, type by extension and
    announced content type, size, and content that starts as its type does."""
    uploads = [upload for upload in uploads if upload]
    if kept + len(uploads) > MAX_ATTACHMENTS:
        raise DomainError(
            ngettext(
                "A message can have at most %(count)d attachment.",
                "A message can have at most %(count)d attachments.",
                MAX_ATTACHMENTS,
            )
            % {"count": MAX_ATTACHMENTS}
        )
    cleaned = []
    for upload in uploads:
        name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
        stem, dot, extension = name.rpartition(".")
        kind = ATTACHMENT_KINDS.get(extension.lower()) if dot else None
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if kind is None or content_type not in kind.content_types:
            raise DomainError(
                _(
                    "“%(name)s” cannot be attached: only PDF, Word, Excel, PowerPoint, PNG, "
                    "JPEG, GIF, text and CSV files can."
                )
                % {"name": name}
            )
        if not upload.size:
            raise DomainError(_("“%(name)s” is empty.") % {"name": name})
        if upload.size > MAX_ATTACHMENT_SIZE:
            raise DomainError(
                _("“%(name)s” is larger than %(size)s.")
                % {"name": name, "size": filesizeformat(MAX_ATTACHMENT_SIZE)}
            )
        if not kind.matches(_head(upload)):
            raise DomainError(
                _("The content of “%(name)s” does not match its type.") % {"name": name}
            )
        if len(name) > 255:
            name = f"{stem[: 254 - len(extension)]}.{extension}"
        cleaned.append((upload, name, kind.content_types[0]))
    return cleaned
