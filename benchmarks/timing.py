"""Small timing helpers: medians and percentiles over repeated runs."""

import statistics
import time


def measure(fn, repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def alternated(first, second, repeat: int, warmup: int = 3) -> tuple[list[float], list[float]]:
    """Samples of both, taken in turn, so that both see the same machine (load, clock speed)."""
    for _ in range(warmup):
        first()
        second()
    firsts, seconds = [], []
    for _ in range(repeat):
        firsts += measure(first, 1, warmup=0)
        seconds += measure(second, 1, warmup=0)
    return firsts, seconds
