"""Overviews kept for a few seconds (overview/cache.py): one computation serves the consoles of
the same scope, a fresh one comes on request, and no scope is handed another's."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest

from parksteward.access import Actor
from parksteward.overview.cache import OverviewCache
from tests.overview.stored_day import DEVICES, local_midnight, store_day

ADMIN = Actor(1, "admin", "admin")
STEWARD = Actor(2, "steward", "steward")
ENTERPRISE_7 = Actor(3, "ent_7", "enterprise", 7)
ENTERPRISE_8 = Actor(4, "ent_8", "enterprise", 8)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting(calls: list):
    def compute():
        calls.append(1)
        return {"computed": len(calls)}
    return compute


def test_an_overview_is_served_for_its_fresh_time_then_computed_again():
    clock, calls = Clock(), []
    cache = OverviewCache(fresh_for_s=10.0, clock=clock)
    compute = counting(calls)
    assert cache.get(ADMIN, 1, None, compute) == {"computed": 1}
    clock.now += 9.9
    assert cache.get(ADMIN, 1, None, compute) == {"computed": 1}  # 9.9 s after: the same one
    clock.now += 0.1
    assert cache.get(ADMIN, 1, None, compute) == {"computed": 2}  # 10 s after it was computed: anew
    assert cache.get(ADMIN, 1, None, compute, fresh=True) == {"computed": 3}  # Cache-Control: no-cache
    assert cache.get(ADMIN, 1, None, compute) == {"computed": 3}


def test_each_park_day_and_scope_has_its_own():
    clock, calls = Clock(), []
    cache = OverviewCache(clock=clock)
    compute = counting(calls)
    keys = [(ADMIN, 1, None), (ADMIN, 2, None), (ADMIN, 1, date(2026, 11, 30)), (STEWARD, 1, None),
            (ENTERPRISE_7, 1, None), (ENTERPRISE_8, 1, None)]
    first = [cache.get(actor, park, day, compute)["computed"] for actor, park, day in keys]
    assert first == [1, 2, 3, 4, 5, 6]
    assert [cache.get(actor, park, day, compute)["computed"] for actor, park, day in keys] == first


def test_the_oldest_overview_goes_when_more_are_kept_than_allowed():
    clock, calls = Clock(), []
    cache = OverviewCache(kept=2, clock=clock)
    compute = counting(calls)
    cache.get(ADMIN, 1, None, compute)
    cache.get(ADMIN, 2, None, compute)
    cache.get(ADMIN, 1, None, compute)  # park 1 used last: park 2 is now the oldest
    cache.get(ADMIN, 3, None, compute)
    assert cache.get(ADMIN, 1, None, compute) == {"computed": 1}
    assert cache.get(ADMIN, 2, None, compute) == {"computed": 4}


def test_an_overview_that_fails_leaves_nothing_behind():
    cache = OverviewCache()

    def fails():
        raise ValueError("a day after today")

    for days in range(50):
        with pytest.raises(ValueError):
            cache.get(ADMIN, 1, date(2027, 1, 1) + timedelta(days=days), fails)
    assert cache._entries == {} and cache._computing == {}  # no lock kept per refused day
    assert cache.get(ADMIN, 1, None, counting([])) == {"computed": 1}


def test_requests_arriving_while_it_is_computed_wait_for_that_computation():
    cache = OverviewCache()
    calls, answers = [], []

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return {"computed": len(calls)}

    threads = [threading.Thread(target=lambda: answers.append(cache.get(ADMIN, 1, None, slow))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and answers == [{"computed": 1}] * 4


def test_the_route_serves_the_kept_overview_until_asked_for_a_fresh_one(client, login, app, world):
    admin = login("admin")
    url = f"/api/v1/parks/{world.park}/overview"
    before = client.get(url, headers=admin).json()
    assert before["devices"]["by_status"] == {"waiting": 4}  # the test world: its four points, no data yet
    now = time.time()
    with app.state.sessionmaker() as session:
        store_day(session, world, local_midnight(now, days_back=0), now)  # today's data so far
    kept = client.get(url, headers=admin).json()
    assert kept["generated_at"] == before["generated_at"] and kept["devices"] == before["devices"]
    fresh = client.get(url, headers={**admin, "Cache-Control": "no-cache"}).json()
    assert fresh["generated_at"] > before["generated_at"]
    assert fresh["devices"]["by_status"] == DEVICES["admin"]["by_status"]
    # Enterprise A, right after the park's overview was computed: its own points only.
    own = client.get(url, headers=login("ent_a")).json()
    assert own["devices"]["points"] == DEVICES["ent_a"]["points"]
    assert own["devices"]["by_status"] == DEVICES["ent_a"]["by_status"]
