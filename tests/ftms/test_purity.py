"""The codec runs anywhere: importing it loads no event loop and no edge library."""

from __future__ import annotations

from tests.test_import_hygiene import HEAVY, _modules_after


def test_codec_imports_no_asyncio_or_edge_library() -> None:
    loaded = _modules_after("import retrorun.ftms, retrorun.ftms.control")
    assert "retrorun" in loaded
    assert loaded.isdisjoint({*HEAVY, "asyncio"}), loaded & {*HEAVY, "asyncio"}
