"""The platform's figures as Prometheus metrics, read from the database at each scrape (so every
worker on every host is in them) and the broker's queue lengths."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from bounty.monitoring.probes import broker_queue_lengths
from bounty.selectors.operations import Histogram, operations


def _histogram(name: str, documentation: str, figures: Histogram) -> HistogramMetricFamily:
    buckets = [(str(bound), float(count)) for bound, count in figures.buckets]
    buckets.append(("+Inf", float(figures.count)))
    return HistogramMetricFamily(name, documentation, buckets=buckets, sum_value=figures.total_seconds)


def _labelled(
    family: GaugeMetricFamily | CounterMetricFamily, values: dict[str, int]
) -> GaugeMetricFamily | CounterMetricFamily:
    for key, value in sorted(values.items()):
        family.add_metric([key], float(value))
    return family


class PlatformCollector:
    def collect(self) -> Iterator[Metric]:
        ops = operations()
        status = GaugeMetricFamily("bounty_submissions", "Submissions by status.", labels=["status"])
        yield _labelled(status, ops.by_status)
        pending = sum(ops.by_status.get(s, 0) for s in ("queued", "running", "evaluated"))
        yield GaugeMetricFamily("bounty_queue_depth", "Submissions not decided yet.", value=float(pending))
        queue = GaugeMetricFamily("bounty_broker_queue_length", "Broker messages waiting.", labels=["queue"])
        yield _labelled(queue, broker_queue_lengths())
        outcome = CounterMetricFamily("bounty_evaluations", "Evaluations ended.", labels=["outcome"])
        yield _labelled(outcome, ops.evaluations)
        reason = CounterMetricFamily("bounty_decisions", "Decisions, by reason.", labels=["reason"])
        yield _labelled(reason, ops.decisions)
        refusal = CounterMetricFamily("bounty_sandbox_refusals", "Sandbox refusals.", labels=["reason"])
        yield _labelled(refusal, ops.sandbox_refusals)
        yield CounterMetricFamily(
            "bounty_submissions_reaped", "Claims taken back from silent workers.", value=float(ops.reaped)
        )
        yield _histogram("bounty_evaluation_seconds", "Claim to end of evaluation.", ops.evaluation_seconds)
        yield _histogram("bounty_decision_seconds", "End of evaluation to decision.", ops.decision_seconds)


def platform_exposition() -> bytes:
    registry = CollectorRegistry()
    registry.register(PlatformCollector())
    return bytes(generate_latest(registry))
