"""Metrics AWS services publish to CloudWatch by themselves, published the same way inside the emulator.

EventBridge publishes ``AWS/Events`` ``Invocations`` and ``FailedInvocations`` per rule
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html), EventBridge Scheduler
``AWS/Scheduler`` ``TargetErrorCount`` and ``InvocationDroppedCount``
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html). moto stores metric
data but no service writes any, so an alarm on these metrics could never fire. The emulator's own
delivery code calls :func:`publish` in the emulator process; the scheduler clock, which may run in
another process, sends the same data points with ``PutMetricData`` (:func:`publish_over_http`).
"""

from __future__ import annotations

# No Timestamp is sent: the data point is stamped on arrival (moto's clock, naive UTC like its own data).


def publish(namespace: str, metric: str, dimensions: dict[str, str], *, account: str, region: str, value=1.0):
    """One data point, written straight into the emulator's CloudWatch (call inside the emulator process)."""
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch_backends[account][region].put_metric_data(
        namespace,
        [
            {
                "MetricName": metric,
                "Value": float(value),
                "Unit": "Count",
                "Dimensions": [{"Name": name, "Value": v} for name, v in dimensions.items()],
            }
        ],
    )


def publish_over_http(cloudwatch, namespace: str, metric: str, dimension_sets: list[dict[str, str]], value=1.0):
    """The same data point once per dimension set (a service publishes account-wide and per-resource series)."""
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": metric,
                "Value": float(value),
                "Unit": "Count",
                "Dimensions": [{"Name": name, "Value": v} for name, v in dimensions.items()],
            }
            for dimensions in dimension_sets
        ],
    )
