"""json_bytes writes RawJson (a song the catalogue encoded once) as it is, also on its way for
integers past 64 bits, where orjson gives up and the standard library writes the answer."""

from __future__ import annotations

import json

import pytest

from config.errors import RawJson, json_bytes

SONG = '{"id":7,"title":"Jolène \\"live\\"","artist":"A & B","tags":["pop"]}'.encode()


@pytest.mark.parametrize("unknown_id", [12, 2**70], ids=["64-bit", "past 64 bits"])
def test_raw_json_is_written_inside_the_answer(unknown_id: int) -> None:
    payload = {"results": [{"song": RawJson(SONG), "score": 0.5}], "ids": [unknown_id]}
    written = json_bytes(payload)
    assert json.loads(written) == {
        "results": [{"song": json.loads(SONG), "score": 0.5}],
        "ids": [unknown_id],
    }


def test_anything_else_unknown_is_still_refused() -> None:
    with pytest.raises(TypeError, match="object is not JSON"):
        json_bytes({"song": object()})
