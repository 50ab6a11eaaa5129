"""Summaries of timings that every benchmark reports the same way."""

from __future__ import annotations

import numpy as np


def percentiles(milliseconds: list[float]) -> dict[str, float]:
    """p50, p95, mean and max of the timings, in milliseconds to two decimals."""
    p50, p95 = np.percentile(milliseconds, [50, 95])
    return {
        "p50": round(float(p50), 2),
        "p95": round(float(p95), 2),
        "mean": round(float(np.mean(milliseconds)), 2),
        "max": round(float(np.max(milliseconds)), 2),
    }
