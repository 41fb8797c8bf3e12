"""The server's process runtime: free heap memory goes back to the system."""

import subprocess
import sys
import textwrap

import pytest

from parksteward import runtime

needs_glibc = pytest.mark.skipif(runtime.malloc_trim() is None, reason="no glibc malloc_trim here")

# A heap with holes: 300 MB of 4 KB buffers (malloc's heap, not mmap: below its 128 KB
# threshold), every one but each 50th freed. glibc returns only the free top of the heap, so the
# kept 2 % hold ~294 MB of free space in place until malloc_trim gives those pages back.
FRAGMENT = textwrap.dedent("""
    import time
    from parksteward import runtime

    def rss_mb():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

    buffers = [bytearray(4096) for _ in range(75_000)]
    kept = buffers[::50]
    del buffers
    before = rss_mb()
    {trim}
    print(before, rss_mb())
""")


def _rss_before_and_after(trim: str) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", FRAGMENT.format(trim=trim)], capture_output=True, text=True,
                         check=True, timeout=60)
    before, after = map(float, out.stdout.split())
    return before, after


@needs_glibc
def test_freed_heap_memory_stays_with_the_process_until_trimmed():
    before, after = _rss_before_and_after("time.sleep(0.5)")
    assert before > 250 and after > 250  # nothing gives it back by itself


@needs_glibc
def test_the_memory_trimmer_returns_freed_heap_pages_to_the_system():
    before, after = _rss_before_and_after("runtime.start_memory_trimmer(every_s=0.1); time.sleep(0.5)")
    assert before > 250
    assert after < before - 200  # ~294 MB of it was free


@needs_glibc
def test_one_trimmer_per_process():
    first = runtime.start_memory_trimmer(every_s=3600)
    assert runtime.start_memory_trimmer(every_s=3600) is first and first.daemon
