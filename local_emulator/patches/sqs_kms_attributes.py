"""SqsManagedSseEnabled of a queue encrypted with a KMS key.

moto 5.2 reports ``SqsManagedSseEnabled: true`` even when ``KmsMasterKeyId`` is set; AWS reports
``false`` then (the two encryptions are exclusive), and the AWS provider waits ~25 s per queue for
the attributes it set to appear. This reports what AWS reports.
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
"""

from __future__ import annotations


def apply() -> None:
    from moto.sqs.models import Queue

    original = Queue.attributes.fget

    def attributes(self):
        result = original(self)
        if result.get("KmsMasterKeyId"):
            result["SqsManagedSseEnabled"] = "false"
        return result

    Queue.attributes = property(attributes)
