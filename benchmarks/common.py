"""Timing, fresh databases and the results table shared by the benchmarks."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

OUT = Path(__file__).resolve().parent / "out"
T = TypeVar("T")


@dataclass
class Result:
    name: str
    seconds: float
    baseline: str | None = None
    baseline_seconds: float | None = None
    target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.baseline_seconds:
            return None
        return self.seconds / self.baseline_seconds

    def line(self) -> str:
        text = f"{self.name:<46} {self.seconds:8.2f} s"
        if self.ratio is not None:
            verdict = ""
            if self.target is not None:
                verdict = "  ok" if self.ratio <= self.target else "  OVER TARGET"
                verdict = f"  (target {self.target:g}x){verdict}"
            text += f"   {self.ratio:5.2f}x {self.baseline}{verdict}"
        if self.note:
            text += f"   [{self.note}]"
        return text


def timed(work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = work()
    return value, time.perf_counter() - start


def best_of(runs: int, work: Callable[[], float]) -> float:
    """The fastest of `runs` runs of `work`, which returns the seconds it measured."""
    return min(work() for _ in range(runs))


def fresh_file(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


@contextmanager
def stage(message: str) -> Iterator[None]:
    print(f"  {message} ...", flush=True)
    yield


def save(results: list[Result]) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / "results.json"
    path.write_text(json.dumps([asdict(r) | {"ratio": r.ratio} for r in results], indent=2))
    return path
