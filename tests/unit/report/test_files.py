"""File names from data are plain and stay in their folder; a pack's SHA256SUMS cannot point a
check outside the pack; a file written whole is never seen half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from dentrace.errors import InputError
from dentrace.report.pack import verify_pack
from dentrace.writing.files import confined, safe_file_name, whole_file, write_whole


@pytest.mark.parametrize("name", ["../../../../outside", "/etc/passwd", "..", ".", "",
                                  "a/b", "P.001", "C:\\x", "สมชาย", "x" * 300])
def test_a_name_from_data_becomes_a_plain_file_name_inside_its_folder(name: str,
                                                                      tmp_path: Path) -> None:
    plain = safe_file_name(name)
    assert plain and len(plain) <= 100
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in plain)
    assert confined(tmp_path, plain).parent == tmp_path.resolve()


def test_plain_names_are_kept_and_different_names_stay_different() -> None:
    assert safe_file_name("C000123_x-1") == "C000123_x-1"
    assert safe_file_name("a/b") != safe_file_name("a:b")
    assert safe_file_name("a/b") == safe_file_name("a/b")


@pytest.mark.parametrize("name", ["../outside", "/etc/passwd", "a/../../b", ".", ""])
def test_confined_refuses_every_way_out(name: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="outside"):
        confined(tmp_path / "graphs", name)


def test_a_pack_listing_a_file_outside_it_does_not_verify(tmp_path: Path) -> None:
    outside = write_whole(tmp_path / "secret.txt", "x")
    pack = tmp_path / "pack"
    pack.mkdir()
    digest = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"  # sha256("x")
    (pack / "SHA256SUMS").write_text(f"{digest}  ../secret.txt\n{digest}  {outside}\n",
                                     encoding="utf-8")
    assert verify_pack(pack) == ["../secret.txt", str(outside)]


def test_a_failed_whole_write_keeps_the_old_file_and_leaves_no_temporary(
        tmp_path: Path) -> None:
    target = write_whole(tmp_path / "report.xml", "old")
    with pytest.raises(RuntimeError), whole_file(target) as temporary:
        temporary.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xml"]


def test_a_whole_file_gets_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    whole = write_whole(tmp_path / "whole.txt", "x")
    assert whole.stat().st_mode == plain.stat().st_mode
