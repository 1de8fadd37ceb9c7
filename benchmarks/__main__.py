"""Run every benchmark and print its figures (`make bench`)."""

from __future__ import annotations

import platform
import sys

from benchmarks import encryption, figures, foundation, reports, ssda903, window
from benchmarks.common import save


def main() -> int:
    print(f"Homeward benchmarks on Python {platform.python_version()}, {platform.machine()}")
    force, results = foundation.run()
    results += window.run(force, foundation.demo_database())
    results += figures.run(force)
    results += encryption.run(force)
    results += ssda903.run()
    results += reports.run(foundation.demo_database())
    print()
    for result in results:
        print(result.line())
    print(f"\n(results also in {save(results)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
