"""The journal survives torn writes and refuses real corruption."""

from __future__ import annotations

from pathlib import Path

import pytest

from adaem_gen.run.journal import Journal, JournalError


def test_append_and_read(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    assert journal.read() == []
    assert not journal.exists()
    journal.append({"type": "header", "n": 1})
    journal.append({"type": "step", "step": 1, "text": "¿Sí?"})
    journal.close()
    assert journal.read() == [{"type": "header", "n": 1}, {"type": "step", "step": 1, "text": "¿Sí?"}]


@pytest.mark.parametrize("tail", ['{"type": "st', '{"type": "step"}', "\x00\x00"])
def test_torn_last_line_is_dropped_and_repaired(tmp_path: Path, tail: str) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"type": "header"}\n{"type": "unit", "key": "a"}\n' + tail, encoding="utf-8")
    journal = Journal(path)
    records = journal.read(repair=True)
    assert [r["type"] for r in records] == ["header", "unit"]
    assert journal.dropped_tail
    assert path.read_text(encoding="utf-8").endswith('"a"}\n')
    journal.append({"type": "unit", "key": "b"})
    journal.close()
    assert [r.get("key") for r in Journal(path).read()] == [None, "a", "b"]


def test_corruption_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"type": "header"}\nnot json\n{"type": "unit"}\n', encoding="utf-8")
    with pytest.raises(JournalError, match="line 2"):
        Journal(path).read()


def test_blank_lines_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"type": "header"}\n\n{"type": "unit"}\n\n', encoding="utf-8")
    assert len(Journal(path).read()) == 2


def test_grouped_fsync_syncs_steps_at_once_and_the_rest_on_close(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl", fsync_interval=3600.0)
    first = journal.append({"type": "header"})  # the first line: no sync yet -> synced
    assert journal.syncs == 1
    units = [journal.append({"type": "unit", "key": str(i)}) for i in range(5)]
    assert journal.syncs == 1  # grouped: within the interval nothing more is synced...
    assert len(Journal(journal.path).read()) == 6  # ...but every line is already in the file (kill -9 safe)
    journal.append({"type": "step", "step": 1}, durable=True)
    assert journal.syncs == 2
    journal.append({"type": "unit", "key": "late"})
    journal.close()
    assert journal.syncs == 3  # close syncs the rest
    assert journal.load(first) == {"type": "header"}
    assert journal.load(units[3]) == {"type": "unit", "key": "3"}
    again = Journal(journal.path)
    records = again.read()
    assert [again.load(o) for o in again.offsets] == records
