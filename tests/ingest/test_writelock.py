"""The write lock the SQLite writers of several processes take turns with."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time

import pytest

from parksteward.ingest.writelock import WriteLock

ROUNDS = 40


def _count_under_lock(lock_path: str, counter_path: str, rounds: int) -> None:
    """Read, wait a moment, write back plus one: without exclusion, increments get lost."""
    lock = WriteLock(lock_path)
    for _ in range(rounds):
        with lock:
            with open(counter_path) as f:
                value = int(f.read())
            time.sleep(0.001)
            with open(counter_path, "w") as f:
                f.write(str(value + 1))
    lock.close()


def _hold_and_die(lock_path: str, held) -> None:
    lock = WriteLock(lock_path)
    lock.__enter__()
    held.set()
    time.sleep(0.2)
    os._exit(0)  # dies holding it


def _free(lock_path: str) -> bool:
    fd = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.fixture
def paths(tmp_path):
    counter = tmp_path / "counter"
    counter.write_text("0")
    return str(tmp_path / "write.lock"), str(counter)


def test_processes_and_threads_take_turns(paths):
    lock_path, counter_path = paths
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_count_under_lock, args=(lock_path, counter_path, ROUNDS)) for _ in range(2)]
    for process in processes:
        process.start()
    lock = WriteLock(lock_path)  # and two threads here sharing one lock object
    threads = [threading.Thread(target=lambda: _count_with(lock, counter_path, ROUNDS)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for worker in (*processes, *threads):
        worker.join(60)
    assert all(process.exitcode == 0 for process in processes)
    with open(counter_path) as f:
        assert int(f.read()) == 4 * ROUNDS  # no increment lost
    assert lock.waited_s > 0


def _count_with(lock: WriteLock, counter_path: str, rounds: int) -> None:
    for _ in range(rounds):
        with lock:
            with open(counter_path) as f:
                value = int(f.read())
            time.sleep(0.001)
            with open(counter_path, "w") as f:
                f.write(str(value + 1))


def test_a_process_that_dies_holding_the_lock_releases_it(paths):
    lock_path, _ = paths
    context = multiprocessing.get_context("spawn")
    held = context.Event()
    process = context.Process(target=_hold_and_die, args=(lock_path, held))
    process.start()
    assert held.wait(30)
    assert not _free(lock_path)
    process.join(30)
    assert _free(lock_path)
    with WriteLock(lock_path):
        pass


def test_a_closed_lock_still_excludes_the_threads_of_its_process(paths):
    lock_path, _ = paths
    lock = WriteLock(lock_path)
    lock.close()
    with lock:
        assert _free(lock_path)  # the file is no longer locked...
        entered = threading.Event()
        thread = threading.Thread(target=lambda: (lock.__enter__(), entered.set(), lock.__exit__(None, None, None)))
        thread.start()
        assert not entered.wait(0.2)  # ...but another thread here still waits
    thread.join(5)
    assert entered.is_set()


def test_a_worker_gets_its_own_descriptor(paths):
    import pickle

    lock_path, _ = paths
    lock = WriteLock(lock_path)
    copy = pickle.loads(pickle.dumps(lock))
    with lock:
        assert copy.path == lock_path and not _free(lock_path)
        entered = threading.Event()
        thread = threading.Thread(target=lambda: (copy.__enter__(), entered.set(), copy.__exit__(None, None, None)))
        thread.start()
        assert not entered.wait(0.2)  # another description of the file: flock excludes it
    thread.join(5)
    assert entered.is_set()
