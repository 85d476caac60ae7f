"""Memory freed by a request goes back to the system (companion/memory.py, serving.py).

The bound itself (60 MB after 1,000 captures and the page) is a benchmark: `make bench`.
"""

from pathlib import Path

from companion import memory, serving


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_freed_small_blocks_are_handed_back():
    # Many small blocks, as a parse tree is: glibc keeps them after `del` until trimmed.
    blocks = [bytearray(600) for _ in range(120_000)]
    held = rss_kb()
    del blocks
    memory.give_back_freed()
    assert held - rss_kb() > 40_000, "about 70 MB freed, most of it back with the system"


def test_the_server_closes_each_answer_and_gives_memory_back():
    closed = []

    class Body(list):
        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body([b"a", b"b"])

    started = []
    wrapped = serving._giving_back_freed_memory(app)
    answer = wrapped({}, lambda status, headers: started.append(status))
    assert b"".join(answer) == b"ab"
    assert started == ["200 OK"]
    assert closed == [True], "the app's own close() runs, as WSGI promises it"
