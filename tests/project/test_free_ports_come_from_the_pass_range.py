"""Tests draw the ports of the servers they start from TEST_PORTS, the range `bin/test` gives
their pass (tests/ports.py), so that the two passes side by side never draw the same port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.ports import DEFAULT_PORTS, free_port, port_range


def _bound(stack: ExitStack, port: int) -> None:
    holder = stack.enter_context(socket.socket())
    holder.bind(("127.0.0.1", port))


@pytest.fixture
def two_ports(monkeypatch: pytest.MonkeyPatch) -> Iterator[range]:
    # Two ports of a range no other test uses, so that this test can hold them both.
    monkeypatch.setenv("TEST_PORTS", "18450-18451")
    yield port_range()


def test_without_test_ports_the_default_range_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_PORTS", raising=False)
    first, last = (int(end) for end in DEFAULT_PORTS.split("-"))
    assert port_range() == range(first, last + 1)
    assert first <= free_port() <= last


def test_a_free_port_comes_from_test_ports_and_skips_bound_ones(two_ports: range) -> None:
    assert two_ports == range(18450, 18452)
    with ExitStack() as stack:
        _bound(stack, 18450)
        assert {free_port() for _ in range(20)} == {18451}
        _bound(stack, 18451)
        with pytest.raises(RuntimeError, match=r"no free port in 18450\.\.18451"):
            free_port()
