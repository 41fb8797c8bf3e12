"""HJ 212 decode micro-benchmark: µs per frame of each gateway-worker step, Python vs C. Prints figures only.

    .venv/bin/python benchmarks/hj212_decode.py                   # 10 factors, as benchmarks/ingest.py sends
    .venv/bin/python benchmarks/hj212_decode.py --factors 30 --frames 5000

The frames are 2011 real-time uploads in build_frame's layout (QN, MN and DataTime vary,
``code-Rtd=value,code-Flag=N`` per factor), like the ingest benchmark's. Each step runs over
all frames, best of --repeat runs, in one process, switching ``parksteward.hj212.accel``:

* split: ``FrameSplitter.feed``, one frame per read (as a logger's connection delivers them);
* parse: ``parse_frame`` (frame check, Annex A checksum, data-segment split, the Frame);
* decode: ``Decoder.decode`` in batches of 100 (parse, device and password look-up from a
  stand-in directory, reading rows, verdicts), as a gateway worker runs it;
* reply: ``acknowledge`` (the 9014 data answers, each with its checksum);
* worker total: the three steps a worker runs per frame (split + decode + reply); asyncio,
  sockets and pickling come on top and are the same on both paths.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from parksteward.hj212 import accel, build_frame, parse_frame
from parksteward.hj212.stream import FrameSplitter
from parksteward.ingest.devices import KnownDevice
from parksteward.ingest.pipeline import Arrival, Decoder, acknowledge

CODES = ["a21026", "a21002", "a34013", "a19001", "a00000", "a01011", "a01012", "a01013", "a01014", "a24088",
         "a05002", "a24087", "a25002", "a25003", "a25005", "a34001", "a34002", "a34004", "a99051", "w01018"]
MN, PW = "BENCH0000000000000000001", "123456"
DEVICE = KnownDevice(1, MN, "", "strict", "2017", 1, ZoneInfo("Asia/Shanghai"))


class Directory:
    """A device directory that knows the one benchmark device (no store, no argon2)."""

    def get(self, mn):
        return DEVICE if mn == MN else None

    def authenticate(self, mn, pw):
        return DEVICE if (mn, pw) == (MN, PW) else None


def frames(count: int, factors: int) -> list[bytes]:
    codes = (CODES * (factors // len(CODES) + 1))[:factors]
    start = datetime.now() - timedelta(days=30)
    out = []
    for k in range(count):
        cp = [("DataTime", (start + timedelta(seconds=k)).strftime("%Y%m%d%H%M%S"))]
        for i, code in enumerate(codes):
            cp += [(f"{code}-Rtd", f"{(10 + 7.3 * i + 0.37 * k) % 100:.3f}"), (f"{code}-Flag", "N")]
        out.append(build_frame(st="31", cn="2011", mn=MN, pw=PW, qn="%017d" % k, flag=5, cp=cp))
    return out


def best_us(step, n: int, repeat: int) -> float:
    """Best wall time of ``step()`` over ``repeat`` runs, per frame [µs]."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times) / n * 1e6


def measure(raws: list[bytes], repeat: int) -> dict[str, float]:
    n = len(raws)
    arrivals = [Arrival(raw, "tcp", "127.0.0.1:5000", int(time.time() * 1000)) for raw in raws]
    decoder = Decoder(Directory())
    outcomes, _ = decoder.decode(arrivals)
    if not all(o.ok and o.readings for o in outcomes):
        raise SystemExit(f"benchmark bug: a frame was refused: {next(o for o in outcomes if not o.ok)}")

    def split():
        splitter = FrameSplitter()
        for raw in raws:
            splitter.feed(raw)

    def decode():
        for start in range(0, n, 100):
            decoder.decode(arrivals[start:start + 100])

    figures = {
        "split": best_us(split, n, repeat),
        "parse": best_us(lambda: [parse_frame(raw) for raw in raws], n, repeat),
        "decode": best_us(decode, n, repeat),
        "reply": best_us(lambda: acknowledge(outcomes), n, repeat),
    }
    figures["worker total"] = figures["split"] + figures["decode"] + figures["reply"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=2000)
    parser.add_argument("--factors", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    raws = frames(args.frames, args.factors)
    compiled = accel.speedups
    print(f"{args.frames} frames of {args.factors} factors ({len(raws[0])} bytes each), best of {args.repeat}; "
          f"compiled fast path {'available' if compiled else 'NOT available (pure Python only)'}")
    accel.speedups = None
    pure = measure(raws, args.repeat)
    accel.speedups = compiled
    fast = measure(raws, args.repeat) if compiled else {}
    print(f"  {'µs per frame':<14}{'python':>10}{'c':>10}{'saved':>10}")
    for step, value in pure.items():
        if step in fast:
            print(f"  {step:<14}{value:>10.1f}{fast[step]:>10.1f}{1 - fast[step] / value:>10.0%}")
        else:
            print(f"  {step:<14}{value:>10.1f}{'-':>10}{'-':>10}")


if __name__ == "__main__":
    main()
