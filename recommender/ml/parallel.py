"""Independent pieces of the training run shared out to forked copies of this process.

The worker's fit and evaluation are single-threaded Python over thousands of cases, and the
machine has more than one core. A forked child inherits the Recommender, its arrays and the
cases as they are in memory, so nothing is pickled on the way in and nothing is imported
again; only each task's result comes back, pickled through a pipe. Tasks are whole pieces of
the serial computation (a contiguous part of the cases, one question's comparison), run by
the same code in the same order within the piece, and their results are returned in task
order: what a caller assembles from them is exactly what the serial run computes.

The first task always runs in this process, so it may return what cannot be pickled (a FAISS
index). With one process, or where fork is unavailable, every task runs here, in order.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# More processes than this buy little on the fit and evaluation (each child's results come
# back through one pipe) and cost memory on a large machine; RECOMMENDER_TRAIN_PROCESSES
# may still ask for more.
DEFAULT_MOST_PROCESSES = 4


class ChildFailed(RuntimeError):
    """A forked child raised or died; its traceback (when it had one) is the message."""


def processes_default() -> int:
    """The CPUs this process may run on, at most DEFAULT_MOST_PROCESSES."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(usable, DEFAULT_MOST_PROCESSES))


def processes_usable(requested: int | None) -> int:
    """How many processes tasks_run will use: `requested` (None: processes_default()), or 1
    where this process cannot fork."""
    if not fork_available():
        return 1
    return processes_default() if requested is None else max(1, requested)


def fork_available() -> bool:
    """True where this process can fork children through multiprocessing."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    # The stdlib refuses children of a process it knows as daemonic (a multiprocessing pool
    # worker); a Celery worker child is billiard's, which the stdlib does not see as one.
    return not multiprocessing.current_process().daemon


def tasks_run(
    tasks: Sequence[Callable[[], T]],
    *,
    processes: int,
    costs: Sequence[float] | None = None,
) -> list[T]:
    """Run every task, in up to `processes` processes (this one and forked children).

    Results come back in task order. `costs` (relative, one per task) balance the processes:
    the first task stays here, the others go, dearest first, to the least loaded process.
    A task that raises in a child raises ChildFailed here, after every child has ended.
    """
    groups = _share_out(costs if costs is not None else [1.0] * len(tasks), processes)
    if len(groups) < 2 or not fork_available():
        return [task() for task in tasks]
    context = multiprocessing.get_context("fork")
    children: list[tuple[Any, Connection, list[int]]] = []
    results: dict[int, T] = {}
    try:
        for group in groups[1:]:
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_child_run, args=(tasks, group, send), daemon=True)
            child.start()
            send.close()  # the child holds its own end: EOF here when it dies
            children.append((child, receive, group))
        for i in groups[0]:
            results[i] = tasks[i]()
        for child, receive, group in children:
            results.update(zip(group, _child_results(child, receive), strict=True))
    finally:
        for child, receive, _ in children:
            if child.is_alive():
                child.terminate()
            child.join()
            receive.close()
    return [results[i] for i in range(len(tasks))]


def _share_out(costs: Sequence[float], processes: int) -> list[list[int]]:
    """Task indexes per process, the first task in the first group; empty groups dropped."""
    if not costs:
        return []
    count = max(1, min(int(processes), len(costs)))
    groups: list[list[int]] = [[0]] + [[] for _ in range(count - 1)]
    loads = [float(costs[0])] + [0.0] * (count - 1)
    # Dearest first (ties in task order), each to the least loaded process (ties: the first).
    for i in sorted(range(1, len(costs)), key=lambda i: (-costs[i], i)):
        least = min(range(count), key=lambda g: (loads[g], g))
        groups[least].append(i)
        loads[least] += float(costs[i])
    return [sorted(group) for group in groups if group]


def _child_run(tasks: Sequence[Callable[[], Any]], group: list[int], send: Connection) -> None:
    try:
        outcome: tuple[str, Any] = ("ok", [tasks[i]() for i in group])
    except BaseException:
        outcome = ("error", traceback.format_exc())
    send.send(outcome)
    send.close()


def _child_results(child: Any, receive: Connection) -> list[Any]:
    try:
        status, payload = receive.recv()
    except EOFError:
        child.join()
        raise ChildFailed(
            f"a forked child ended without results (exit code {child.exitcode})"
        ) from None
    child.join()
    if status != "ok":
        raise ChildFailed(f"a forked child failed:\n{payload}")
    return list(payload)
