"""Documents attached to a case: checked by content (``documents``), size-limited, hashed
(SHA-256 kept and shown), stored under the workspace's attachments folder, and audited on upload
and on every download. Only users who may see the case (restriction) may read them.

A file is written whole before its row commits; reading checks the bytes against the hash, so
a file changed on disk is refused rather than served as evidence.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dentrace import audit
from dentrace.auth import Account, require
from dentrace.cases.casework import load_case
from dentrace.cases.documents import document_type, safe_filename
from dentrace.cases.errors import CaseError, InvalidTransition, NotFound, TooLarge
from dentrace.cases.limits import existing_id
from dentrace.cases.machine import CLOSED, REPORTED
from dentrace.cases.settings import CaseSettings
from dentrace.cases.views import AttachmentView
from dentrace.store.sql import Store
from dentrace.store.sql.models import CaseAttachment, User, utcnow
from dentrace.writing.files import confined, write_whole


class TamperedAttachment(CaseError):
    """The stored bytes of an attachment no longer match its SHA-256."""


def attachment_path(folder: Path, case_id: int, attachment_id: int) -> Path:
    """Where an attachment's bytes are: ``folder/case-ID/ATTACHMENT_ID`` (names of ids only)."""
    return confined(Path(folder), f"case-{int(case_id)}/{int(attachment_id)}")


def _view(row: CaseAttachment, author: str) -> AttachmentView:
    return AttachmentView(row.id, row.filename, row.media_type, row.size, row.sha256, author,
                          row.uploaded_at)


def attach_document(
    store: Store, actor: Account, case_id: int, folder: Path, filename: str, content: bytes,
    *, settings: CaseSettings | None = None, origin: str = "cli",
) -> AttachmentView:
    """Attach a document to a case that is still being worked; ``TooLarge`` beyond
    ``settings.attachment_max_bytes``, ``RefusedFile`` for anything but a document."""
    settings = settings or CaseSettings()
    if len(content) > settings.attachment_max_bytes:
        raise TooLarge(f"field 'file': {len(content):,} bytes, at most "
                       f"{settings.attachment_max_bytes:,}")
    name = safe_filename(filename)
    media_type = document_type(content, name)
    digest = hashlib.sha256(content).hexdigest()
    written: Path | None = None
    try:
        with store.session() as session:
            user = require(session, actor, "work_case")
            case = load_case(session, case_id, user)
            if case.status in (REPORTED, CLOSED):
                raise InvalidTransition(case.id, case.status, "given attachments")
            row = CaseAttachment(case_id=case.id, filename=name, media_type=media_type,
                                 size=len(content), sha256=digest, uploaded_by=user.id,
                                 uploaded_at=utcnow())
            session.add(row)
            session.flush()
            written = write_whole(attachment_path(folder, case.id, row.id), content)
            case.updated_at = utcnow()
            audit.record(session, actor=actor.username, action="attach_document",
                         target_type="case", target_id=case.id, origin=origin,
                         detail={"attachment": row.id, "filename": name, "sha256": digest,
                                 "size": len(content), "media_type": media_type})
            return _view(row, user.username)
    except BaseException:
        if written is not None:  # the row was rolled back: no file without its row
            written.unlink(missing_ok=True)
        raise


def read_document(
    store: Store, actor: Account, case_id: int, attachment_id: int, folder: Path, *,
    origin: str = "cli",
) -> tuple[AttachmentView, bytes]:
    """An attachment's record and bytes, checked against its hash; the download is audited."""
    with store.session() as session:
        user = require(session, actor, "view_alerts")
        case = load_case(session, case_id, user)
        row = session.get(CaseAttachment, existing_id(attachment_id, "attachment"))
        if row is None or row.case_id != case.id:
            raise NotFound(f"no attachment {attachment_id} on case {case_id}")
        path = attachment_path(folder, case.id, row.id)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"attachment {attachment_id}: its file is missing from "
                           f"{folder}") from None
        if hashlib.sha256(content).hexdigest() != row.sha256:
            raise TamperedAttachment(f"attachment {attachment_id}: the stored file no longer "
                                     "matches its SHA-256; it is not served")
        author = session.get(User, row.uploaded_by)
        audit.record(session, actor=actor.username, action="download_attachment",
                     target_type="case", target_id=case.id, origin=origin,
                     detail={"attachment": row.id, "sha256": row.sha256})
        return _view(row, author.username if author else "?"), content
