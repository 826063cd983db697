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

import contextlib
import os
import pickle
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, NoReturn, TypeVar

from threadpoolctl import threadpool_limits

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
    """True where this process can fork.

    os.fork, not multiprocessing: a Celery prefork pool process is daemonic (billiard tells
    the stdlib so), and multiprocessing refuses children of a daemonic process.
    """
    return hasattr(os, "fork")


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run BLAS (numpy's and scipy's) on one thread in this process, then restore it.

    The processes are the parallelism. Each of them running BLAS on every core puts several
    threads on each core, and OpenBLAS's threads spin while they wait for each other: the
    small matrix products of the scorer's fit ran several times slower that way than on one
    thread. One thread also sums in one order, whether the run is shared out or not.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def tasks_run(
    tasks: Sequence[Callable[[], T]],
    *,
    processes: int,
    costs: Sequence[float] | None = None,
) -> list[T]:
    """Run every task, in up to `processes` processes (this one and forked children).

    Results come back in task order. `costs` (relative, one per task) balance the processes:
    the first task stays here, the others go, dearest first, to the least loaded process.
    A task that raises in a child raises ChildFailed here; every child has ended by then.
    """
    groups = _share_out(costs if costs is not None else [1.0] * len(tasks), processes)
    if len(groups) < 2 or not fork_available():
        return [task() for task in tasks]
    children: list[_Child] = []
    results: dict[int, T] = {}
    try:
        for group in groups[1:]:
            children.append(_child_start(tasks, group, children))
        for i in groups[0]:
            results[i] = tasks[i]()
        for child in children:
            results.update(zip(child.group, child.results(), strict=True))
    finally:
        for child in children:
            child.end()
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


@dataclass
class _Child:
    """A forked child running `group` of the tasks, its pickled results on `reading`."""

    pid: int
    reading: BinaryIO
    group: list[int]
    exit_code: int | None = None
    reaped: bool = False

    def results(self) -> list[Any]:
        try:
            status, payload = pickle.load(self.reading)
        except (EOFError, pickle.UnpicklingError):
            self._reap()
            raise ChildFailed(
                f"a forked child ended without results (exit code {self.exit_code})"
            ) from None
        self._reap()
        if status != "ok":
            raise ChildFailed(f"a forked child failed:\n{payload}")
        return list(payload)

    def end(self) -> None:
        """Stop the child if it still runs (this process is failing), reap it, close the pipe."""
        if not self.reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap()
        self.reading.close()

    def _reap(self) -> None:
        try:
            _, status = os.waitpid(self.pid, 0)
            self.exit_code = os.waitstatus_to_exitcode(status)
        except ChildProcessError:  # reaped by someone else: the exit code is lost
            pass
        self.reaped = True


def _child_start(
    tasks: Sequence[Callable[[], Any]], group: list[int], earlier: list[_Child]
) -> _Child:
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reading)
        for child in earlier:  # their pipes are this process's business, not the child's
            child.reading.close()
        _child_main(tasks, group, writing)
    os.close(writing)
    return _Child(pid=pid, reading=os.fdopen(reading, "rb"), group=group)


def _child_main(tasks: Sequence[Callable[[], Any]], group: list[int], writing: int) -> NoReturn:
    """Run the group, send ("ok", results) or ("error", traceback), and leave at once: no
    atexit handler, finaliser or buffered output of the parent's runs twice."""
    code = 0
    try:
        try:
            data = pickle.dumps(("ok", [tasks[i]() for i in group]), pickle.HIGHEST_PROTOCOL)
        except BaseException:
            data = pickle.dumps(("error", traceback.format_exc()))
        with os.fdopen(writing, "wb") as out:
            out.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)
