"""GetBucketNotificationConfiguration with EventBridge on.

moto 5.2 stores ``EventBridgeConfiguration`` when it is put but leaves it out of the answer, so
``aws_s3_bucket_notification { eventbridge = true }`` shows a change on every plan. AWS answers
``<EventBridgeConfiguration/>`` for a bucket that sends events to EventBridge.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html
"""

from __future__ import annotations


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self):
        configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if configuration is None or configuration.event_bridge is None:
            return original(self)
        status, headers, _body = original(self)
        result = {"EventBridgeConfiguration": {}}
        for kind, items, arn_key in (
            ("TopicConfigurations", configuration.topic, "TopicArn"),
            ("QueueConfigurations", configuration.queue, "QueueArn"),
            ("LambdaFunctionConfigurations", configuration.cloud_function, "LambdaFunctionArn"),
        ):
            if items:
                result[kind] = [{"Id": i.id, arn_key: i.arn, "Events": i.events} for i in items]
        self.data["Action"] = "GetBucketNotificationConfiguration"
        return self.serialized(ActionResult(result))

    S3Response.get_bucket_notification = get_bucket_notification
