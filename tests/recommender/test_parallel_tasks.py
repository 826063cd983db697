"""Tasks shared out to forked children come back in task order, failures included."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from functools import partial
from multiprocessing.connection import Connection

import pytest

from recommender.ml.parallel import ChildFailed, fork_available, tasks_run

pytestmark = pytest.mark.skipif(not fork_available(), reason="this process cannot fork")


def _where(i: int) -> tuple[int, int]:
    return i, os.getpid()


def test_results_come_back_in_task_order_from_children() -> None:
    tasks = [partial(_where, i) for i in range(7)]

    done = tasks_run(tasks, processes=3, costs=[1, 5, 1, 1, 4, 2, 1])

    assert [i for i, _ in done] == list(range(7))
    pids = {pid for _, pid in done}
    assert done[0][1] == os.getpid()  # the first task stays here
    assert len(pids) == 3


def test_one_process_runs_every_task_here() -> None:
    done = tasks_run([partial(_where, i) for i in range(4)], processes=1)

    assert done == [(i, os.getpid()) for i in range(4)]


def test_children_inherit_what_cannot_be_pickled() -> None:
    lock = threading.Lock()  # a closure over a lock: no pickle could send this task
    tasks: list[Callable[[], str]] = [lambda: "here", lambda: f"{type(lock).__name__} there"]

    assert tasks_run(tasks, processes=2) == ["here", "lock there"]


def test_a_task_that_raises_in_a_child_raises_here_with_its_traceback() -> None:
    def fails() -> int:
        raise ValueError("no such song 777")

    with pytest.raises(ChildFailed, match="ValueError: no such song 777"):
        tasks_run([lambda: 1, fails], processes=2)


def test_a_child_that_dies_raises_here() -> None:
    with pytest.raises(ChildFailed, match="exit code 3"):
        tasks_run([lambda: 1, lambda: os._exit(3)], processes=2)


def _pids_from_a_daemon(send: Connection) -> None:
    send.send(
        (
            os.getpid(),
            [pid for _, pid in tasks_run([partial(_where, 0), partial(_where, 1)], processes=2)],
        )
    )


def test_a_daemonic_process_forks_too() -> None:
    """A Celery prefork pool process is daemonic; multiprocessing would refuse it children."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    daemon = context.Process(target=_pids_from_a_daemon, args=(send,), daemon=True)
    daemon.start()
    try:
        parent, pids = receive.recv()
    finally:
        daemon.join()

    assert pids[0] == parent != pids[1]
