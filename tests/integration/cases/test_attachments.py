"""Case attachments on both back ends: documents only (typed by content), size-limited, hashed,
stored under the workspace, audited on upload and download, hidden with a restricted case."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dentrace import audit, cases
from dentrace.auth import Account, PermissionDenied
from dentrace.cases.attachments import attachment_path
from dentrace.store.sql import Store

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def case_id(store: Store, team: dict[str, Account]) -> int:
    return cases.open_case(store, team["ana"], "Den around F1", [("F1", "facilitator")]).id


def test_a_document_is_stored_hashed_and_read_back(
    store: Store, team: dict[str, Account], case_id: int, tmp_path: Path
) -> None:
    folder = tmp_path / "attachments"
    view = cases.attach_document(store, team["ana"], case_id, folder, "../bank/stmt <1>.pdf",
                                 PDF, origin="10.3.3.3")
    digest = hashlib.sha256(PDF).hexdigest()
    assert (view.filename, view.media_type, view.size, view.sha256, view.uploaded_by) == (
        "stmt _1_.pdf", "application/pdf", len(PDF), digest, "ana")
    assert attachment_path(folder, case_id, view.id).read_bytes() == PDF
    assert [a.sha256 for a in cases.get_case(store, team["ben"], case_id).attachments] == [digest]
    shown, content = cases.read_document(store, team["ben"], case_id, view.id, folder)
    assert (shown, content) == (view, PDF)
    up, down = (audit.entries(store, action=a)[0] for a in ("attach_document",
                                                             "download_attachment"))
    assert (up.actor, up.origin, up.detail["sha256"], up.detail["filename"]) == (
        "ana", "10.3.3.3", digest, "stmt _1_.pdf")
    assert (down.actor, down.detail["attachment"]) == ("ben", view.id)


def test_images_and_oversized_files_are_refused_and_nothing_is_kept(
    store: Store, team: dict[str, Account], case_id: int, tmp_path: Path
) -> None:
    folder = tmp_path / "attachments"
    with pytest.raises(cases.RefusedFile, match="never stores images"):
        cases.attach_document(store, team["ana"], case_id, folder, "statement.pdf", PNG)
    small = cases.CaseSettings(attachment_max_bytes=len(PDF) - 1)
    with pytest.raises(cases.TooLarge, match="bytes"):
        cases.attach_document(store, team["ana"], case_id, folder, "s.pdf", PDF, settings=small)
    assert cases.get_case(store, team["ana"], case_id).attachments == []
    assert not folder.exists() or not any(folder.rglob("*"))
    assert audit.entries(store, action="attach_document") == []


def test_a_changed_file_is_not_served(
    store: Store, team: dict[str, Account], case_id: int, tmp_path: Path
) -> None:
    folder = tmp_path / "attachments"
    view = cases.attach_document(store, team["ana"], case_id, folder, "n.txt", b"call notes\n")
    attachment_path(folder, case_id, view.id).write_bytes(b"call notes, edited\n")
    with pytest.raises(cases.TamperedAttachment, match="SHA-256"):
        cases.read_document(store, team["ana"], case_id, view.id, folder)


def test_restriction_roles_and_status_are_checked(
    store: Store, team: dict[str, Account], case_id: int, tmp_path: Path
) -> None:
    folder = tmp_path / "attachments"
    view = cases.attach_document(store, team["ana"], case_id, folder, "n.csv", b"a,b\n1,2\n")
    cases.set_restricted(store, team["ana"], case_id, True)
    with pytest.raises(cases.NotFound):  # a restricted case does not exist for ben
        cases.read_document(store, team["ben"], case_id, view.id, folder)
    with pytest.raises(cases.NotFound):
        cases.attach_document(store, team["ben"], case_id, folder, "x.txt", b"x")
    assert cases.read_document(store, team["sue"], case_id, view.id, folder)[1] == b"a,b\n1,2\n"
    with pytest.raises(cases.NotFound):  # an attachment of another case
        other = cases.open_case(store, team["sue"], "other").id
        cases.read_document(store, team["sue"], other, view.id, folder)
    cases.close_case(store, team["ana"], case_id, "no den")
    with pytest.raises(cases.InvalidTransition):
        cases.attach_document(store, team["ana"], case_id, folder, "late.txt", b"late")


def test_a_reader_without_casework_rights_cannot_upload(
    store: Store, team: dict[str, Account], case_id: int, tmp_path: Path, password_hash: str
) -> None:
    from dentrace.store.sql.models import User, utcnow

    with store.session() as session:
        bot = User(username="bot", password_hash=password_hash, role="screener", active=True,
                   created_at=utcnow())
        session.add(bot)
        session.flush()
        screener = Account.of(bot)
    with pytest.raises(PermissionDenied):
        cases.attach_document(store, screener, case_id, tmp_path, "x.txt", b"x")
