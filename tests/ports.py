"""Free TCP ports for the servers tests start themselves (a private Redis, a proxy, the app).

A range of their own keeps them away from the shared services and from the ports the system
hands out for port 0; a random order makes two test sessions at once unlikely to collide.
"""

from __future__ import annotations

import random
import socket

PORTS = range(18200, 18300)


def free_port() -> int:
    """A port of PORTS that nobody has bound."""
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}..{PORTS.stop - 1}")
