"""Free TCP ports for the servers tests start themselves (a private Redis, a proxy, the app).

A range of their own keeps them away from the shared services and from the ports the system
hands out for port 0. `bin/test` gives each of its two passes, which run side by side, a range
of its own (TEST_PORTS): a port that is free when a test draws it may be bound by the other
pass's test before this one's server starts (`bin/up` takes seconds to get there), and a test
would then talk to the other pass's server. Within one pass, tests run one at a time.
"""

from __future__ import annotations

import os
import random
import socket

DEFAULT_PORTS = "18200-18299"


def port_range() -> range:
    """The range in TEST_PORTS ("first-last", both included), or DEFAULT_PORTS."""
    first, _, last = os.environ.get("TEST_PORTS", DEFAULT_PORTS).partition("-")
    return range(int(first), int(last) + 1)


def free_port() -> int:
    """A port of port_range() that nobody has bound."""
    ports = port_range()
    for port in random.sample(ports, len(ports)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}..{ports.stop - 1}")
