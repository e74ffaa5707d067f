"""GetBucketLifecycleConfiguration's ``x-amz-transition-default-minimum-object-size`` header.

Since September 2024 AWS returns this header with every lifecycle configuration (default
``all_storage_classes_128K``); moto 5.2 omits it, and the AWS provider 5.100 then waits about a
minute for the configuration to "settle" on every create. This adds the AWS default header.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html
"""

from __future__ import annotations

HEADER = "x-amz-transition-default-minimum-object-size"
AWS_DEFAULT = "all_storage_classes_128K"


def apply() -> None:
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_lifecycle

    def get_bucket_lifecycle(self):
        status, headers, body = original(self)
        headers[HEADER] = AWS_DEFAULT
        return status, headers, body

    S3Response.get_bucket_lifecycle = get_bucket_lifecycle
