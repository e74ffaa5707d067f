"""Authorization as AWS does it, for every call the deployed system makes at run time.

moto 5.2 authorizes nothing by default (and, switched on, judges every caller with an evaluator that
knows only ``StringEquals``). AWS evaluates each request against the caller's identity policies,
the resource's policy and, for KMS, the key policy; a service assumes a role only if its trust
policy allows that service with the context the service sets. This makes the emulator do the same
for deployed principals, using ``local_emulator.authorization``:

- Step Functions runs each execution with its state machine's role (assumed by ``states.amazonaws.com``
  with ``aws:SourceArn`` = the state machine), so every integration call (RunTask, nested
  StartExecution, SNS Publish, ...) is signed with that session and judged, plus the managed-rule
  ``events:`` calls ``.sync`` integrations make;
- EventBridge rules assume their target's role (``aws:SourceArn`` = the rule) to start a state machine,
  and deliver to the rule's dead-letter queue as ``events.amazonaws.com`` (queue and key policies only);
- ``POST /moto-api/local-emulator/assume-role-as-service`` lets the scheduler clock and the local ECS agent
  assume roles as Scheduler and ECS do (AWS has no such API: these services assume roles internally);
- ``GET /moto-api/local-emulator/authorization`` returns every decision count and each denial.

Requests signed with other keys are the operator's (terraform, the AWS CLI, tests) and are allowed.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from xml.sax.saxutils import escape

from local_emulator.service_roles import ASSUME_PATH, DECISIONS_PATH

CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/")
# ECS and Step Functions create these rules in the account for .sync integrations, with the state machine's role.
# https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html
MANAGED_RULES = {
    "ecs": "StepFunctionsGetEventsForECSTaskRule",
    "states": "StepFunctionsGetEventsForStepFunctionsExecutionRule",
}

_execution = threading.local()
# Keys handed to an execution whose role could not be assumed: every call with them is refused.
_refused_sessions: dict[str, str] = {}


# A service that could not use the caller's KMS key answers with an error of its own (HTTP 400):
# https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors (KMSAccessDenied),
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html (KmsAccessDenied).
KMS_DENIED_CODES = {"sns": "KMSAccessDenied", "sqs": "KmsAccessDenied"}


def _access_denied(service: str, message: str, *, json_protocol: bool, s3: bool, kms: bool = False):
    """AWS's access-denied error in the protocol of the service called, with a request id (never retried)."""
    from moto.core.exceptions import JsonRESTError, _RESTError

    if s3:
        from moto.s3.exceptions import S3ClientError

        return S3ClientError("AccessDenied", message)
    request_id = str(uuid.uuid4())
    if kms and service in KMS_DENIED_CODES:
        base, code, status = (JsonRESTError if json_protocol else _RESTError), KMS_DENIED_CODES[service], 400
    elif json_protocol:
        base, code, status = JsonRESTError, "AccessDenied" if service == "sqs" else "AccessDeniedException", 400
    else:
        # SNS answers AuthorizationError; other query services AccessDenied; both with HTTP 403.
        base, code, status = _RESTError, "AuthorizationError" if service == "sns" else "AccessDenied", 403

    class AccessDenied(base):
        def get_headers(self, *args, **kwargs):
            return [*super().get_headers(*args, **kwargs), ("x-amzn-RequestId", request_id)]

    error = AccessDenied(code, message)
    error.code = status
    if not json_protocol:
        error.description = (
            '<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    return error


def _client_error(operation: str, message: str):
    from botocore.exceptions import ClientError

    return ClientError(
        {
            "Error": {"Code": "AccessDeniedException", "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 400, "RequestId": str(uuid.uuid4())},
        },
        operation,
    )


def credentials_of(headers, querystring) -> tuple[str | None, str | None, str | None]:
    """(access key id, region, signing service) of a SigV4 request (header or presigned query)."""
    authorization = headers.get("Authorization") or headers.get("authorization") or ""
    match = CREDENTIAL.search(authorization)
    if match is None:
        values = (querystring or {}).get("X-Amz-Credential") or []
        match = CREDENTIAL.search("Credential=" + values[0]) if values else None
    return match.groups() if match else (None, None, None)


def _params_of(response):
    def get(name: str):
        try:
            value = response._get_param(name)
        except Exception:  # moto raises for unparseable bodies; AWS would refuse them elsewhere
            value = None
        if value is None and response.body:
            try:
                value = json.loads(response.body).get(name)
            except (ValueError, AttributeError, TypeError):
                value = None
        return value

    return get


def judge_request(response, iam_request_cls, resource: str) -> None:
    from moto.iam.access_control import S3IAMRequest

    from local_emulator.authorization.authorizer import authorize, session_for_access_key
    from local_emulator.authorization.decision_log import decision_log
    from local_emulator.authorization.policy_evaluation import Decision, Request
    from local_emulator.authorization.run_time_calls import UnknownCall, checks_for, s3_call

    access_key, region, service = credentials_of(response.headers, getattr(response, "querystring", {}))
    is_s3 = iam_request_cls is S3IAMRequest
    json_protocol = bool(response.headers.get("X-Amz-Target") or response.headers.get("x-amz-target"))
    if access_key in _refused_sessions:
        raise _access_denied(service, _refused_sessions[access_key], json_protocol=json_protocol, s3=is_s3)
    session = session_for_access_key(access_key)
    if session is None:
        return  # the operator's own credentials
    region = region or getattr(response, "region", None) or "us-east-1"
    account = session.principal.account
    try:
        if is_s3:
            checks = s3_call(response.data.get("Action", ""), resource, region, account)
        else:
            checks = checks_for(service, response._get_action(), _params_of(response), region, account)
    except UnknownCall as unknown:
        decision = Decision(
            False,
            "because the local emulator does not know how AWS authorizes this call (add it to "
            "local_emulator/authorization/run_time_calls.py)",
            Request(session.principal, str(unknown), resource),
        )
        message = decision_log.record(decision).message
        raise _access_denied(service, message, json_protocol=json_protocol, s3=is_s3) from None
    identity = session.role.identity_policies if session.role else ()
    denied = authorize(session.principal, identity, checks, region)
    if denied is None and is_s3:
        from local_emulator.authorization.run_time_calls import s3_missing_object_checks

        # A read of a missing key is a 404 only for a caller that may also list the bucket.
        missing = s3_missing_object_checks(response.data.get("Action", ""), resource)
        denied = authorize(session.principal, identity, missing, region) if missing else None
    if denied is not None:
        from local_emulator.authorization.policy_evaluation import denial_message

        raise _access_denied(
            service,
            denial_message(denied),
            json_protocol=json_protocol,
            s3=is_s3,
            kms=denied.request.action.startswith("kms:") and service != "kms",
        )


def _install_request_hook() -> None:
    from moto.core.authorization import ActionAuthenticatorMixin

    def _authenticate_and_authorize_action(self, iam_request_cls, resource="*"):
        judge_request(self, iam_request_cls, resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_and_authorize_action


def _install_execution_sessions() -> None:
    """Each execution's integration calls are signed with a session of the state machine's role."""
    import sys

    from moto.stepfunctions.parser.asl.utils import boto_client as boto_client_module
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    from local_emulator.authorization.authorizer import AssumeRoleDenied, assume_role_as_service

    original_boto_client_for = boto_client_module.boto_client_for
    original_logic = ExecutionWorker._execution_logic

    def _execution_logic(self):
        details = self._evaluation_details
        machine_arn = details.state_machine_details.arn
        role_arn = details.aws_execution_details.role_arn
        region, account = machine_arn.split(":")[3], machine_arn.split(":")[4]
        try:
            session = assume_role_as_service(
                "states.amazonaws.com",
                role_arn,
                source_arn=machine_arn,
                source_account=account,
                session_name=uuid.uuid4().hex,
                region=region,
            )
            _execution.credentials = session.credentials()
        except AssumeRoleDenied as denied:
            key = "ASIAREFUSED" + uuid.uuid4().hex[:9].upper()
            _refused_sessions[key] = str(denied)
            _execution.credentials = {"AccessKeyId": key, "SecretAccessKey": "refused", "SessionToken": "refused"}
        _execution.region, _execution.account = region, account
        try:
            return original_logic(self)
        finally:
            _execution.credentials = None

    ExecutionWorker._execution_logic = _execution_logic
    _threads_inherit_the_execution_identity()

    def boto_client_for(region, service, state_credentials=None):
        client = original_boto_client_for(region=region, service=service, state_credentials=state_credentials)
        credentials = getattr(_execution, "credentials", None)
        if credentials is None:
            return client
        import boto3

        return boto3.client(
            service_name=service,
            region_name=region,
            endpoint_url=client.meta.endpoint_url,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            config=client.meta.config,
        )

    boto_client_module.boto_client_for = boto_client_for
    for name, module in list(sys.modules.items()):
        if (
            name.startswith("moto.stepfunctions.parser")
            and getattr(module, "boto_client_for", None) is original_boto_client_for
        ):
            module.boto_client_for = boto_client_for


def _threads_inherit_the_execution_identity() -> None:
    """The interpreter evaluates states in threads of their own (timeouts, Parallel, Map, callbacks); a thread
    started while an execution runs acts for that execution, so it carries the execution's session along."""
    original_init, original_run = threading.Thread.__init__, threading.Thread.run

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._execution_identity = dict(vars(_execution))

    def run(self):
        for name, value in getattr(self, "_execution_identity", {}).items():
            setattr(_execution, name, value)
        original_run(self)

    threading.Thread.__init__ = __init__
    threading.Thread.run = run


def _install_managed_rule_checks() -> None:
    """``.sync`` integrations manage an EventBridge rule with the execution's role before they wait."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
        StateTaskServiceCallback,
    )

    from local_emulator.authorization.authorizer import authorize, session_for_access_key
    from local_emulator.authorization.run_time_calls import Check

    original = StateTaskServiceCallback._eval_sync

    def _eval_sync(self, env, *args, **kwargs):
        credentials = getattr(_execution, "credentials", None)
        service = self._get_boto_service_name() if hasattr(self, "_get_boto_service_name") else ""
        rule = MANAGED_RULES.get("states" if service == "stepfunctions" else service)
        if credentials and rule:
            if credentials["AccessKeyId"] in _refused_sessions:
                raise _client_error("PutRule", _refused_sessions[credentials["AccessKeyId"]])
            session = session_for_access_key(credentials["AccessKeyId"])
            rule_arn = f"arn:aws:events:{_execution.region}:{_execution.account}:rule/{rule}"
            checks = [
                Check(action, rule_arn) for action in ("events:PutTargets", "events:PutRule", "events:DescribeRule")
            ]
            denied = authorize(
                session.principal, session.role.identity_policies if session.role else (), checks, _execution.region
            )
            if denied is not None:
                from local_emulator.authorization.policy_evaluation import denial_message

                raise _client_error("PutRule", denial_message(denied))
        return original(self, env, *args, **kwargs)

    StateTaskServiceCallback._eval_sync = _eval_sync


def _install_ecs_errors() -> None:
    """An ECS API error in ``ecs:runTask`` is ``ECS.<code>`` with AWS's cause text, not ``States.Runtime``.

    https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
    """
    from botocore.exceptions import ClientError
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs import (
        StateTaskServiceEcs,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    original = StateTaskServiceEcs._from_error

    def _from_error(self, env, ex):
        if not isinstance(ex, ClientError):
            return original(self, env, ex)
        code = ex.response["Error"]["Code"]
        metadata = ex.response.get("ResponseMetadata", {})
        error = f"ECS.{code}"
        cause = (
            f"{ex.response['Error']['Message']} (Service: AmazonECS; "
            f"Status Code: {metadata.get('HTTPStatusCode', 400)}; Error Code: {code}; "
            f"Request ID: {metadata.get('RequestId', '')}; Proxy: null)"
        )
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(error),
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(
                    error=error,
                    cause=cause,
                    resource=self._get_sfn_resource(),
                    resourceType=self._get_sfn_resource_type(),
                )
            ),
        )

    StateTaskServiceEcs._from_error = _from_error


def _install_endpoints() -> None:
    from moto.moto_api._internal import urls

    from local_emulator.authorization.authorizer import AssumeRoleDenied, assume_role_as_service
    from local_emulator.authorization.decision_log import decision_log

    def assume(request, full_url, headers):
        body = json.loads(request.get_data() or b"{}")
        try:
            session = assume_role_as_service(
                body["service"],
                body["role_arn"],
                source_arn=body["source_arn"],
                source_account=body["source_account"],
                session_name=body.get("session_name") or uuid.uuid4().hex,
                region=body.get("region") or "us-east-1",
            )
        except AssumeRoleDenied as denied:
            return 403, {"Content-Type": "application/json"}, json.dumps({"denied": str(denied)})
        return 200, {"Content-Type": "application/json"}, json.dumps(session.credentials())

    def decisions(request, full_url, headers):
        if request.method == "DELETE":
            decision_log.reset()
        return 200, {"Content-Type": "application/json"}, json.dumps(decision_log.summary())

    urls.url_paths["{0}" + ASSUME_PATH] = _reported(assume)
    urls.url_paths["{0}" + DECISIONS_PATH] = _reported(decisions)


def _reported(handler):
    """A fault in the emulator's own code answers 500 with its traceback (moto would swallow it)."""
    import sys
    import traceback

    def wrapped(request, full_url, headers):
        try:
            return handler(request, full_url, headers)
        except Exception:
            text = traceback.format_exc()
            print(text, file=sys.stderr, flush=True)
            return 500, {"Content-Type": "text/plain"}, text

    return wrapped


def apply() -> None:
    _install_request_hook()
    _install_execution_sessions()
    _install_managed_rule_checks()
    _install_ecs_errors()
    _install_endpoints()
