"""Extraction throughput on the bundled seeds, with a baseline measured in the same run.

Baseline: decoding and splitting the text into lines and cells only (read/). The ratio says how much
the extraction itself costs on top of reading the bytes.

    python benchmarks/extract_throughput.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from budgetwatch.extract import extract_files
from budgetwatch.read.text import read_text

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.txt"))


def timed(fn, rounds):
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        for p in SAMPLES:
            fn(p)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args()
    timed(lambda p: extract_files([p]), 2)  # warm up
    base = timed(read_text, a.rounds)
    full = timed(lambda p: extract_files([p]), a.rounds)
    n = len(SAMPLES)
    print(f"documents: {n}, rounds: {a.rounds} (median)")
    print(f"baseline read only : {base / n * 1000:8.2f} ms/document  {n / base:8.1f} documents/s")
    print(f"budgetwatch extract: {full / n * 1000:8.2f} ms/document  {n / full:8.1f} documents/s")
    print(f"ratio extract/baseline: {full / base:.2f}x")


if __name__ == "__main__":
    main()
