"""Reading one Parameter Store parameter the stack does not own (the ``notify`` command's webhook URL).

The parameter is created by hand (its value is a secret that never enters configuration or state); the
stack only grants reading it, to exactly the roles that need it.
"""

from __future__ import annotations

from modules._private.iam_statements import AwsScope, Condition, Statement


def parameter_arn(aws: AwsScope, name: str) -> str:
    """``arn:…:ssm:<region>:<account>:parameter/<name without its leading slash>``.

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html#awssystemsmanager-resources-for-iam-policies
    """
    return aws.arn("ssm", f"parameter/{name.removeprefix('/')}")


def read_webhook_parameter(aws: AwsScope, name: str, *, kms_key_arn: str | None = None) -> tuple[Statement, ...]:
    """``ssm:GetParameter`` on exactly one parameter, and ``kms:Decrypt`` of its customer managed key through SSM.

    The batch program calls GetParameter with ``WithDecryption``; a SecureString under a customer managed key
    also needs ``kms:Decrypt`` on that key, here only when SSM asks for it (``kms:ViaService``). A String
    parameter, or a SecureString under the AWS managed key ``aws/ssm`` (whose key policy already lets the
    account's principals decrypt through SSM), needs no KMS statement.
    https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html
    https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html
    """
    read = Statement(
        sid="ReadNotifyWebhookParameter", actions=("ssm:GetParameter",), resources=(parameter_arn(aws, name),)
    )
    statements = [read]
    if kms_key_arn:
        statements.append(
            Statement(
                sid="DecryptNotifyWebhookParameter",
                actions=("kms:Decrypt",),
                resources=(kms_key_arn,),
                conditions=(Condition("StringEquals", "kms:ViaService", (f"ssm.{aws.region}.amazonaws.com",)),),
            )
        )
    return tuple(statements)
