"""`make bench`: every figure beside a bare baseline measured in the same run."""

from . import (
    bench_backup,
    bench_capture,
    bench_import,
    bench_memory,
    bench_page,
    bench_parse,
    bench_startup,
)

if __name__ == "__main__":
    bench_parse.run()
    print()
    bench_capture.run()
    print()
    bench_page.run()
    print()
    bench_memory.run()
    print()
    bench_backup.run()
    print()
    bench_startup.run()
    print()
    bench_import.run()
