"""Specifications of local_emulator.authorization.policy_evaluation, taken from AWS's documented examples.

Each table names the AWS page its cases come from. A case expects ``Allowed(by)`` (the reason must name the
policy that allowed), an exact AWS denial reason, or ``Loud(fragment)``: a deny whose reason says what the
local evaluator did not understand.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from local_emulator.authorization.policy_evaluation import (
    PolicyKind,
    Principal,
    Request,
    denial_message,
    evaluate,
)

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/batch/TaskRole"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/TaskRole/task-1"
ROLE = Principal(arn=SESSION_ARN, account=ACCOUNT, role_arn=ROLE_ARN)
OTHER_ROLE = Principal(
    arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/OtherRole/s",
    account=ACCOUNT,
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/OtherRole",
)
SCHEDULER = Principal(arn="scheduler.amazonaws.com", service="scheduler.amazonaws.com")
EVENTS = Principal(arn="events.amazonaws.com", service="events.amazonaws.com")
ROOT = f"arn:aws:iam::{ACCOUNT}:root"

OBJECT = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/report.csv"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dead-letters"
TASK_DEFINITION = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/fam:3"

EXPLICIT_IDENTITY = "with an explicit deny in an identity-based policy"
EXPLICIT_RESOURCE = "with an explicit deny in a resource-based policy"


def no_identity(action: str) -> str:
    return f"because no identity-based policy allows the {action} action"


def no_resource(action: str) -> str:
    return f"because no resource-based policy allows the {action} action"


@dataclass(frozen=True)
class Allowed:
    by: str  # a fragment of the reason: which policy allowed


@dataclass(frozen=True)
class Loud:
    says: str  # a fragment of the deny reason naming what the evaluator did not understand


def policy(*statements: dict, version: str = "2012-10-17") -> dict:
    return {"Version": version, "Statement": list(statements)}


def allow(action="s3:GetObject", resource="arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", **elements) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **elements}


def deny(action="s3:GetObject", resource="arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", **elements) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **elements}


def grant(principal, action="s3:GetObject", effect="Allow", **elements) -> dict:
    """A resource-based policy statement; Resource defaults to the object the requests ask for."""
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": OBJECT, **elements}


def call(action="s3:GetObject", resource=OBJECT, principal=ROLE, **context) -> Request:
    return Request(principal=principal, action=action, resource=resource, context=context)


def case(name, request, expected, *, identity=(), resource=None, kind=PolicyKind.DEFAULT):
    return pytest.param(request, list(identity), resource, kind, expected, id=name)


def check(request, identity, resource, kind, expected) -> None:
    decision = evaluate(request, identity_policies=identity, resource_policy=resource, kind=kind)
    assert decision.request is request
    if isinstance(expected, Allowed):
        assert decision.allowed, decision.reason
        assert expected.by in decision.reason
    elif isinstance(expected, Loud):
        assert not decision.allowed
        assert expected.says in decision.reason
    else:
        assert not decision.allowed
        assert decision.reason == expected


PARAMS = "aws_request, identity, resource, kind, expected"

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
EVALUATION_LOGIC = [
    case("identity_allow_allows", call(), Allowed("identity-based policy #1"), identity=[policy(allow())]),
    case("no_policy_at_all_is_an_implicit_deny", call(), no_identity("s3:GetObject")),
    case(
        "allow_for_another_action_is_an_implicit_deny",
        call(),
        no_identity("s3:GetObject"),
        identity=[policy(allow("s3:PutObject"))],
    ),
    case(
        "explicit_deny_in_one_identity_policy_beats_allow_in_another",
        call(),
        EXPLICIT_IDENTITY,
        identity=[policy(allow("s3:*", "*")), policy(deny())],
    ),
    case(
        "explicit_deny_in_resource_policy_beats_identity_allow",
        call(),
        EXPLICIT_RESOURCE,
        identity=[policy(allow())],
        resource=policy(grant("*", effect="Deny")),
    ),
    case(
        "allowed_reason_names_the_statement_sid",
        call(),
        Allowed('statement "ReadReports"'),
        identity=[policy(allow(Sid="ReadReports"))],
    ),
    case(
        "deny_whose_condition_is_false_does_not_deny",
        call(**{"aws:SecureTransport": True}),
        Allowed("identity-based"),
        identity=[policy(allow(), deny(Condition={"Bool": {"aws:SecureTransport": "false"}}))],
    ),
    case(
        "statement_may_be_a_single_object",
        call(),
        Allowed("identity-based"),
        identity=[{"Version": "2012-10-17", "Statement": allow()}],
    ),
]

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
RESOURCE_POLICY_PRINCIPALS = [
    case(
        "resource_policy_naming_the_session_allows_without_identity_policy",
        call(),
        Allowed("resource-based policy"),
        resource=policy(grant({"AWS": SESSION_ARN})),
    ),
    case(
        "resource_policy_naming_the_role_arn_allows_its_session",
        call(),
        Allowed("resource-based policy"),
        resource=policy(grant({"AWS": [f"arn:aws:iam::{ACCOUNT}:role/Unrelated", ROLE_ARN]})),
    ),
    case(
        "resource_policy_naming_another_role_is_an_implicit_deny",
        call(principal=OTHER_ROLE),
        no_identity("s3:GetObject"),
        resource=policy(grant({"AWS": ROLE_ARN})),
    ),
    case(
        "account_root_in_resource_policy_does_not_grant_by_itself",
        call(),
        no_identity("s3:GetObject"),
        resource=policy(grant({"AWS": ROOT})),
    ),
    case(
        "bare_account_id_in_resource_policy_does_not_grant_by_itself",
        call(),
        no_identity("s3:GetObject"),
        resource=policy(grant({"AWS": ACCOUNT})),
    ),
    case(
        "account_root_in_resource_policy_leaves_identity_allow_in_force",
        call(),
        Allowed("identity-based"),
        identity=[policy(allow())],
        resource=policy(grant({"AWS": ROOT})),
    ),
    case("wildcard_principal_allows_anyone", call(), Allowed("resource-based"), resource=policy(grant("*"))),
    case(
        "aws_wildcard_principal_is_the_same_as_wildcard",
        call(principal=EVENTS),
        Allowed("resource-based"),
        resource=policy(grant({"AWS": "*"})),
    ),
    case(
        "deny_naming_the_account_root_denies_every_session_in_the_account",
        call(),
        EXPLICIT_RESOURCE,
        identity=[policy(allow())],
        resource=policy(grant({"AWS": ROOT}, effect="Deny")),
    ),
    case(
        "service_principal_named_in_queue_policy_is_allowed",
        call("sqs:SendMessage", QUEUE, EVENTS, **{"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r"}),
        Allowed("resource-based"),
        resource=policy(
            {
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": QUEUE,
                "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/r"}},
            }
        ),
    ),
    case(
        "service_principal_not_named_is_an_implicit_deny",
        call(principal=EVENTS),
        no_identity("s3:GetObject"),
        resource=policy(grant({"Service": "sns.amazonaws.com"})),
    ),
    case(
        "service_principal_is_not_covered_by_an_account_root",
        call(principal=EVENTS),
        no_identity("s3:GetObject"),
        resource=policy(grant({"AWS": ROOT})),
    ),
    case(
        "not_principal_deny_listing_session_role_and_account_spares_the_session",
        call(),
        Allowed("identity-based"),
        identity=[policy(allow())],
        resource=policy(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": [SESSION_ARN, ROLE_ARN, ROOT]},
                "Action": "s3:*",
                "Resource": OBJECT,
            }
        ),
    ),
    case(
        "not_principal_deny_listing_only_the_role_still_denies_the_session",
        call(),
        EXPLICIT_RESOURCE,
        identity=[policy(allow())],
        resource=policy({"Effect": "Deny", "NotPrincipal": {"AWS": ROLE_ARN}, "Action": "s3:*", "Resource": OBJECT}),
    ),
    case(
        "not_principal_deny_listing_session_and_account_but_not_role_still_denies_as_aws_warns",
        call(),
        EXPLICIT_RESOURCE,
        identity=[policy(allow())],
        resource=policy(
            {"Effect": "Deny", "NotPrincipal": {"AWS": [SESSION_ARN, ROOT]}, "Action": "s3:*", "Resource": OBJECT}
        ),
    ),
    case(
        "not_principal_wildcard_spares_everyone",
        call(),
        Allowed("identity"),
        identity=[policy(allow())],
        resource=policy({"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "Action": "s3:*", "Resource": OBJECT}),
    ),
    case(
        "not_principal_deny_listing_the_service_spares_it",
        call(principal=EVENTS),
        Allowed("resource-based"),
        resource=policy(
            grant({"Service": "events.amazonaws.com"}),
            {
                "Effect": "Deny",
                "NotPrincipal": {"Service": "events.amazonaws.com"},
                "Action": "s3:*",
                "Resource": OBJECT,
            },
        ),
    ),
    case(
        "deny_naming_another_service_does_not_apply",
        call(principal=EVENTS),
        Allowed("resource-based"),
        resource=policy(
            grant({"Service": "events.amazonaws.com"}), grant({"Service": "sns.amazonaws.com"}, effect="Deny")
        ),
    ),
    case(
        "not_principal_deny_denies_principals_not_listed",
        call(principal=OTHER_ROLE),
        EXPLICIT_RESOURCE,
        identity=[policy(allow())],
        resource=policy(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": [SESSION_ARN, ROLE_ARN, ROOT]},
                "Action": "s3:*",
                "Resource": OBJECT,
            }
        ),
    ),
]

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
FAMILY = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/fam"
STATEMENT_MATCHING = [
    case("action_matching_ignores_case", call(), Allowed("identity"), identity=[policy(allow("S3:getobject"))]),
    case("action_star_wildcard", call(), Allowed("identity"), identity=[policy(allow("s3:Get*"))]),
    case("action_question_mark_wildcard", call(), Allowed("identity"), identity=[policy(allow("s3:GetObjec?"))]),
    case("action_star_alone_matches_every_action", call(), Allowed("identity"), identity=[policy(allow("*"))]),
    case(
        "action_wildcard_does_not_match_other_actions",
        call(),
        no_identity("s3:GetObject"),
        identity=[policy(allow(["s3:Put*", "s3:List*"]))],
    ),
    case(
        "not_action_allows_actions_outside_the_list",
        call(),
        Allowed("identity"),
        identity=[policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})],
    ),
    case(
        "not_action_does_not_allow_actions_in_the_list",
        call("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/bob"),
        no_identity("iam:CreateUser"),
        identity=[policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})],
    ),
    case(
        "resource_matching_is_case_sensitive",
        call(),
        no_identity("s3:GetObject"),
        identity=[policy(allow(resource="arn:aws:s3:::doc-example-bucket/*"))],
    ),
    case(
        "resource_star_spans_colons",
        call("ecs:RunTask", TASK_DEFINITION),
        Allowed("identity"),
        identity=[policy(allow("ecs:RunTask", f"arn:aws:ecs:*:{ACCOUNT}:task-definition/fam:*"))],
    ),
    case(
        "resource_star_spans_slashes",
        call(resource="arn:aws:s3:::DOC-EXAMPLE-BUCKET/a/b/c.csv"),
        Allowed("identity"),
        identity=[policy(allow())],
    ),
    case(
        "resource_question_mark_matches_one_character",
        call("ecs:RunTask", TASK_DEFINITION),
        Allowed("identity"),
        identity=[policy(allow("ecs:RunTask", FAMILY + ":?"))],
    ),
    case(
        "resource_question_mark_does_not_match_two_characters",
        call("ecs:RunTask", FAMILY + ":13"),
        no_identity("ecs:RunTask"),
        identity=[policy(allow("ecs:RunTask", FAMILY + ":?"))],
    ),
    case(
        "resource_family_without_revision_does_not_match_a_revision",
        call("ecs:RunTask", TASK_DEFINITION),
        no_identity("ecs:RunTask"),
        identity=[policy(allow("ecs:RunTask", FAMILY))],
    ),
    case(
        "not_resource_deny_applies_to_other_resources",
        call(resource="arn:aws:s3:::other-bucket/x"),
        EXPLICIT_IDENTITY,
        identity=[policy(allow("s3:*", "*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": OBJECT})],
    ),
    case(
        "not_resource_deny_spares_the_listed_resource",
        call(),
        Allowed("identity"),
        identity=[policy(allow("s3:*", "*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": [QUEUE, OBJECT]})],
    ),
]

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
IAM_USER = f"arn:aws:iam::{ACCOUNT}:user/bob"


def tagged(condition: dict, action="iam:*AccessKey*") -> list[dict]:
    return [policy(allow(action, f"arn:aws:iam::{ACCOUNT}:user/*", Condition=condition))]


def secure(value) -> list[dict]:
    """The page's BooleanExample (deny without TLS) next to an allow, so only the Deny decides."""
    return [
        policy(
            allow("s3:*", "*"),
            deny("s3:*", ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"], Sid="BooleanExample")
            | {"Condition": {"Bool": {"aws:SecureTransport": value}}},
        )
    ]


MAX_KEYS = [
    policy(
        allow(
            "s3:ListBucket", "arn:aws:s3:::example_bucket", Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}}
        )
    )
]
TOKEN_2020 = [
    policy(allow("ec2:*", "*", Condition={"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}))
]
WINDOW = [
    policy(
        allow(
            "ec2:*",
            "*",
            Condition={
                "DateGreaterThan": {"aws:CurrentTime": "2014-11-30T12:00Z"},
                "DateLessThan": {"aws:CurrentTime": "2014-11-30T15:00Z"},
            },
        )
    )
]
FROM_RANGE = [
    policy(
        allow("ec2:*", "*", Condition={"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}})
    )
]
OUTSIDE_RANGE_DENIED = [
    policy(allow("ec2:*", "*"), deny("ec2:*", "*", Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
]
INSTANCE_TYPES = ["t1.*", "t2.*", "m3.*"]
RUN = call("ec2:RunInstances", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*")
NO_TEMPORARY_CREDENTIALS = [policy(allow("ec2:*", "*", Condition={"Null": {"aws:TokenIssueTime": "true"}}))]
EC2 = call("ec2:DescribeInstances", "*")
REGION_DENIED = [
    policy(
        allow("ec2:*", "*"),
        deny("ec2:*", "*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}),
    )
]
CONDITION_OPERATORS = [
    case(
        "string_equals_allows_the_tagged_principal",
        call("iam:CreateAccessKey", IAM_USER, **{"aws:PrincipalTag/job-category": "iamuser-admin"}),
        Allowed("identity"),
        identity=tagged({"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}),
    ),
    case(
        "string_equals_is_case_sensitive",
        call("iam:CreateAccessKey", IAM_USER, **{"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"}),
        no_identity("iam:CreateAccessKey"),
        identity=tagged({"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}),
    ),
    case(
        "string_equals_with_the_key_absent_is_false",
        call("iam:CreateAccessKey", IAM_USER),
        no_identity("iam:CreateAccessKey"),
        identity=tagged({"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}),
    ),
    case(
        "string_equals_ignore_case_ignores_case",
        call("iam:CreateAccessKey", IAM_USER, **{"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"}),
        Allowed("identity"),
        identity=tagged({"StringEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "iamuser-admin"}}),
    ),
    case(
        "string_equals_treats_star_literally",
        call("iam:CreateAccessKey", IAM_USER, **{"aws:PrincipalTag/job-category": "iamuser-admin"}),
        no_identity("iam:CreateAccessKey"),
        identity=tagged({"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-*"}}),
    ),
    case(
        "string_like_matches_wildcards",
        call("iam:CreateAccessKey", IAM_USER, **{"aws:PrincipalTag/job-category": "iamuser-admin"}),
        Allowed("identity"),
        identity=tagged({"StringLike": {"aws:PrincipalTag/job-category": "iamuser-*"}}),
    ),
    case(
        "condition_key_names_are_case_insensitive",
        call("iam:CreateAccessKey", IAM_USER, **{"AWS:PRINCIPALTAG/JOB-CATEGORY": "iamuser-admin"}),
        Allowed("identity"),
        identity=tagged({"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}),
    ),
    case(
        "all_keys_in_one_operator_must_match",
        call("iam:CreateAccessKey", IAM_USER, **{"aws:PrincipalTag/job-category": "iamuser-admin"}),
        no_identity("iam:CreateAccessKey"),
        identity=tagged(
            {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin", "aws:PrincipalTag/team": "batch"}}
        ),
    ),
    case(
        "negated_operator_with_the_key_absent_is_true",
        call("ec2:DescribeInstances", "*"),
        EXPLICIT_IDENTITY,
        identity=REGION_DENIED,
    ),
    case(
        "negated_operator_with_a_listed_value_is_false",
        call("ec2:DescribeInstances", "*", **{"aws:RequestedRegion": "eu-west-1"}),
        Allowed("identity"),
        identity=REGION_DENIED,
    ),
    case(
        "negated_operator_with_an_unlisted_value_is_true",
        call("ec2:DescribeInstances", "*", **{"aws:RequestedRegion": "ap-south-1"}),
        EXPLICIT_IDENTITY,
        identity=REGION_DENIED,
    ),
    case(
        "numeric_less_than_equals_allows_the_bound",
        Request(ROLE, "s3:ListBucket", "arn:aws:s3:::example_bucket", {"s3:max-keys": "10"}),
        Allowed("identity"),
        identity=MAX_KEYS,
    ),
    case(
        "numeric_less_than_equals_refuses_above_the_bound",
        Request(ROLE, "s3:ListBucket", "arn:aws:s3:::example_bucket", {"s3:max-keys": 11}),
        no_identity("s3:ListBucket"),
        identity=MAX_KEYS,
    ),
    case(
        "numeric_compares_a_number_with_a_numeric_string",
        Request(ROLE, "s3:ListBucket", "arn:aws:s3:::example_bucket", {"s3:max-keys": 10}),
        Allowed("identity"),
        identity=MAX_KEYS,
    ),
    case(
        "numeric_less_than_is_strict",
        Request(ROLE, "s3:ListBucket", "arn:aws:s3:::example_bucket", {"s3:max-keys": 10}),
        no_identity("s3:ListBucket"),
        identity=[policy(allow("s3:ListBucket", "*", Condition={"NumericLessThan": {"s3:max-keys": 10}}))],
    ),
    case(
        "date_greater_than_allows_later_iso_dates",
        call("ec2:RunInstances", "*", **{"aws:TokenIssueTime": "2020-06-01T00:00:00Z"}),
        Allowed("identity"),
        identity=TOKEN_2020,
    ),
    case(
        "date_greater_than_refuses_earlier_dates",
        call("ec2:RunInstances", "*", **{"aws:TokenIssueTime": "2019-12-31T23:59:59Z"}),
        no_identity("ec2:RunInstances"),
        identity=TOKEN_2020,
    ),
    case(
        "date_greater_than_is_strict",
        call("ec2:RunInstances", "*", **{"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}),
        no_identity("ec2:RunInstances"),
        identity=TOKEN_2020,
    ),
    case(
        "date_compares_instants_across_time_zones",
        call("ec2:RunInstances", "*", **{"aws:TokenIssueTime": "2020-01-01T00:30:00+01:00"}),
        no_identity("ec2:RunInstances"),
        identity=TOKEN_2020,
    ),
    case(
        "date_accepts_epoch_seconds",
        call("ec2:RunInstances", "*", **{"aws:TokenIssueTime": 1600000000}),
        Allowed("identity"),
        identity=TOKEN_2020,
    ),
    case(
        "all_operators_must_hold_inside_the_window",
        call("ec2:RunInstances", "*", **{"aws:CurrentTime": "2014-11-30T13:00:00Z"}),
        Allowed("identity"),
        identity=WINDOW,
    ),
    case(
        "all_operators_must_hold_after_the_window",
        call("ec2:RunInstances", "*", **{"aws:CurrentTime": "2014-11-30T16:00:00Z"}),
        no_identity("ec2:RunInstances"),
        identity=WINDOW,
    ),
    case(
        "bool_secure_transport_false_denies_plain_http",
        call(**{"aws:SecureTransport": "false"}),
        EXPLICIT_IDENTITY,
        identity=secure("false"),
    ),
    case(
        "bool_compares_a_python_bool_context_value",
        call(**{"aws:SecureTransport": False}),
        EXPLICIT_IDENTITY,
        identity=secure("false"),
    ),
    case(
        "bool_secure_transport_true_is_not_denied",
        call(**{"aws:SecureTransport": True}),
        Allowed("identity"),
        identity=secure("false"),
    ),
    case(
        "ip_address_allows_an_address_in_the_range",
        call("ec2:RunInstances", "*", **{"aws:SourceIp": "203.0.113.7"}),
        Allowed("identity"),
        identity=FROM_RANGE,
    ),
    case(
        "ip_address_allows_an_ipv6_address_in_the_range",
        call("ec2:RunInstances", "*", **{"aws:SourceIp": "2001:db8:1234:5678::1"}),
        Allowed("identity"),
        identity=FROM_RANGE,
    ),
    case(
        "ip_address_refuses_an_address_outside_the_range",
        call("ec2:RunInstances", "*", **{"aws:SourceIp": "198.51.100.1"}),
        no_identity("ec2:RunInstances"),
        identity=FROM_RANGE,
    ),
    case(
        "ip_address_without_a_prefix_means_slash_32",
        call("ec2:RunInstances", "*", **{"aws:SourceIp": "203.0.113.8"}),
        no_identity("ec2:RunInstances"),
        identity=[policy(allow("ec2:*", "*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.7"}}))],
    ),
    case(
        "not_ip_address_denies_outside_the_range",
        call("ec2:RunInstances", "*", **{"aws:SourceIp": "198.51.100.1"}),
        EXPLICIT_IDENTITY,
        identity=OUTSIDE_RANGE_DENIED,
    ),
    case(
        "not_ip_address_spares_the_range",
        call("ec2:RunInstances", "*", **{"aws:SourceIp": "203.0.113.200"}),
        Allowed("identity"),
        identity=OUTSIDE_RANGE_DENIED,
    ),
    case(
        "binary_equals_compares_the_decoded_bytes",
        call("ec2:RunInstances", "*", key="QmluYXJ5VmFsdWVJbkJhc2U2NA=="),
        Allowed("identity"),
        identity=[policy(allow("ec2:*", "*", Condition={"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}))],
    ),
    case(
        "binary_equals_refuses_other_bytes",
        call("ec2:RunInstances", "*", key="T3RoZXI="),
        no_identity("ec2:RunInstances"),
        identity=[policy(allow("ec2:*", "*", Condition={"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}))],
    ),
    case(
        "string_like_without_if_exists_fails_when_the_key_is_absent",
        RUN,
        no_identity("ec2:RunInstances"),
        identity=[
            policy(
                allow(
                    "ec2:RunInstances",
                    "*",
                    Sid="THISPOLICYDOESNOTWORK",
                    Condition={"StringLike": {"ec2:InstanceType": INSTANCE_TYPES}},
                )
            )
        ],
    ),
    case(
        "if_exists_holds_when_the_key_is_absent",
        RUN,
        Allowed("RunInstance"),
        identity=[
            policy(
                allow(
                    "ec2:RunInstances",
                    "*",
                    Sid="RunInstance",
                    Condition={"StringLikeIfExists": {"ec2:InstanceType": INSTANCE_TYPES}},
                )
            )
        ],
    ),
    case(
        "if_exists_checks_the_key_when_present",
        call("ec2:RunInstances", "*", **{"ec2:InstanceType": "m5.large"}),
        no_identity("ec2:RunInstances"),
        identity=[
            policy(
                allow("ec2:RunInstances", "*", Condition={"StringLikeIfExists": {"ec2:InstanceType": INSTANCE_TYPES}})
            )
        ],
    ),
    case(
        "if_exists_allows_a_matching_present_key",
        call("ec2:RunInstances", "*", **{"ec2:InstanceType": "t2.micro"}),
        Allowed("identity"),
        identity=[
            policy(
                allow("ec2:RunInstances", "*", Condition={"StringLikeIfExists": {"ec2:InstanceType": INSTANCE_TYPES}})
            )
        ],
    ),
    case(
        "negated_if_exists_deny_still_denies_when_the_key_is_missing",
        call(),
        EXPLICIT_IDENTITY,
        identity=[policy(allow(), deny(Condition={"StringNotEqualsIfExists": {"aws:ResourceTag/team": "batch"}}))],
    ),
    case("null_true_holds_when_the_key_is_absent", EC2, Allowed("identity"), identity=NO_TEMPORARY_CREDENTIALS),
    case(
        "null_true_fails_when_the_key_is_present",
        call("ec2:DescribeInstances", "*", **{"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}),
        no_identity("ec2:DescribeInstances"),
        identity=NO_TEMPORARY_CREDENTIALS,
    ),
    case(
        "null_false_holds_when_the_key_is_present",
        call("ec2:DescribeInstances", "*", **{"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}),
        Allowed("identity"),
        identity=[policy(allow("ec2:*", "*", Condition={"Null": {"aws:TokenIssueTime": "false"}}))],
    ),
]

# One row per operator not covered above, in an Allow on aws:ResourceTag/x, so "holds" means allowed.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
NEW_YEAR = "2020-01-01T00:00:00Z"
OPERATOR_ROWS = [
    ("StringNotEqualsIgnoreCase", "batch", "BATCH", False, "string_not_equals_ignore_case_fails_for_another_case"),
    ("StringNotEqualsIgnoreCase", "batch", "web", True, "string_not_equals_ignore_case_holds_for_another_value"),
    ("StringNotLike", "batch-*", "batch-1", False, "string_not_like_fails_for_a_match"),
    ("StringNotLike", "batch-*", "web-1", True, "string_not_like_holds_without_a_match"),
    (
        "ArnNotEquals",
        "arn:aws:sns:*:123456789012:*",
        "arn:aws:sns:us-east-1:123456789012:t",
        False,
        "arn_not_equals_fails",
    ),
    (
        "ArnNotEquals",
        "arn:aws:sns:*:123456789012:*",
        "arn:aws:sns:us-east-1:999999999999:t",
        True,
        "arn_not_equals_holds",
    ),
    ("NumericEquals", "10", 10, True, "numeric_equals_holds_for_the_same_number"),
    ("NumericEquals", 1.5, "1.50", True, "numeric_equals_compares_values_not_text"),
    ("NumericEquals", "10", "10.5", False, "numeric_equals_fails_for_another_number"),
    ("NumericNotEquals", "10", 10, False, "numeric_not_equals_fails_for_the_same_number"),
    ("NumericNotEquals", "10", 11, True, "numeric_not_equals_holds_for_another_number"),
    ("NumericGreaterThan", "10", 10, False, "numeric_greater_than_is_strict"),
    ("NumericGreaterThanEquals", "10", 10, True, "numeric_greater_than_equals_holds_at_the_bound"),
    ("NumericGreaterThanEquals", "10", 9, False, "numeric_greater_than_equals_fails_below"),
    ("DateEquals", NEW_YEAR, 1577836800, True, "date_equals_compares_iso_with_epoch"),
    ("DateNotEquals", NEW_YEAR, NEW_YEAR, False, "date_not_equals_fails_for_the_same_instant"),
    ("DateNotEquals", NEW_YEAR, "2020-01-02T00:00:00Z", True, "date_not_equals_holds_for_another_instant"),
    ("DateLessThanEquals", NEW_YEAR, NEW_YEAR, True, "date_less_than_equals_holds_at_the_bound"),
    ("DateGreaterThanEquals", NEW_YEAR, NEW_YEAR, True, "date_greater_than_equals_holds_at_the_bound"),
    ("DateGreaterThanEquals", NEW_YEAR, "2019-12-31T23:59:59Z", False, "date_greater_than_equals_fails_before"),
]
EACH_OPERATOR = [
    case(
        name,
        call(**{"aws:ResourceTag/x": value}),
        Allowed("identity") if holds else no_identity("s3:GetObject"),
        identity=[policy(allow(Condition={operator: {"aws:ResourceTag/x": policy_value}}))],
    )
    for operator, policy_value, value, holds, name in OPERATOR_ROWS
]

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
THREAD = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Thread"
ONLY_SOME_ATTRIBUTES = [
    policy(
        allow(
            "dynamodb:GetItem",
            THREAD,
            Condition={
                "ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}
            },
        )
    )
]
NO_ID_OR_DATE_UPDATES = [
    policy(
        allow("dynamodb:*", THREAD),
        deny(
            "dynamodb:PutItem",
            THREAD,
            Condition={"ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}},
        ),
    )
]


def get_item(*attributes):
    context = {"dynamodb:requestedAttributes": list(attributes)} if attributes != (None,) else {}
    return call("dynamodb:GetItem", THREAD, **context)


def put_item(*attributes):
    context = {"dynamodb:requestedAttributes": list(attributes)} if attributes != (None,) else {}
    return call("dynamodb:PutItem", THREAD, **context)


MULTIVALUED_KEYS = [
    case(
        "for_all_values_allows_when_every_request_value_is_listed",
        get_item("PostDateTime", "Message"),
        Allowed("identity"),
        identity=ONLY_SOME_ATTRIBUTES,
    ),
    case(
        "for_all_values_refuses_when_one_request_value_is_not_listed",
        get_item("PostDateTime", "UserName"),
        no_identity("dynamodb:GetItem"),
        identity=ONLY_SOME_ATTRIBUTES,
    ),
    case(
        "for_all_values_holds_when_the_key_is_absent",
        get_item(None),
        Allowed("identity"),
        identity=ONLY_SOME_ATTRIBUTES,
    ),
    case("for_all_values_holds_for_an_empty_set", get_item(), Allowed("identity"), identity=ONLY_SOME_ATTRIBUTES),
    case(
        "for_any_value_deny_applies_when_one_request_value_is_listed",
        put_item("UserName", "Message", "PostDateTime"),
        EXPLICIT_IDENTITY,
        identity=NO_ID_OR_DATE_UPDATES,
    ),
    case(
        "for_any_value_deny_does_not_apply_when_no_value_is_listed",
        put_item("UserName"),
        Allowed("identity"),
        identity=NO_ID_OR_DATE_UPDATES,
    ),
    case(
        "for_any_value_is_false_when_the_key_is_absent",
        put_item(None),
        Allowed("identity"),
        identity=NO_ID_OR_DATE_UPDATES,
    ),
    case(
        "for_any_value_is_false_for_an_empty_set",
        put_item(),
        Allowed("identity"),
        identity=NO_ID_OR_DATE_UPDATES,
    ),
    case(
        "null_false_guard_keeps_for_all_values_deny_off_an_empty_set",
        call("iam:TagUser", IAM_USER, **{"aws:TagKeys": []}),
        Allowed("identity"),
        identity=[
            policy(
                allow("iam:*", "*"),
                deny(
                    ["iam:Tag*", "iam:UnTag*"],
                    ["*"],
                    Sid="DenyRestrictedTags",
                    Condition={
                        "Null": {"aws:TagKeys": "false"},
                        "ForAllValues:StringLike": {"aws:TagKeys": ["key1*", "key2*", "key3*"]},
                    },
                ),
            )
        ],
    ),
    case(
        "for_any_value_negated_is_false_when_the_key_is_absent",
        call("ec2:CreateTags", "*"),
        Allowed("identity"),
        identity=[
            policy(
                allow("ec2:CreateTags", "*"),
                deny("ec2:CreateTags", "*", Condition={"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["owner"]}}),
            )
        ],
    ),
    case(
        "for_all_values_negated_holds_when_no_request_value_is_listed",
        call("ec2:CreateTags", "*", **{"aws:TagKeys": ["owner", "team"]}),
        Allowed("identity"),
        identity=[
            policy(
                allow("ec2:CreateTags", "*", Condition={"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}})
            )
        ],
    ),
    case(
        "for_all_values_negated_fails_when_one_request_value_is_listed",
        call("ec2:CreateTags", "*", **{"aws:TagKeys": ["owner", "secret"]}),
        no_identity("ec2:CreateTags"),
        identity=[
            policy(
                allow("ec2:CreateTags", "*", Condition={"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}})
            )
        ],
    ),
    case(
        "single_valued_operator_on_a_list_holds_when_any_value_matches",
        call("ec2:CreateTags", "*", **{"aws:TagKeys": ["owner", "team"]}),
        Allowed("identity"),
        identity=[policy(allow("ec2:CreateTags", "*", Condition={"StringEquals": {"aws:TagKeys": "team"}}))],
    ),
    case(
        "single_valued_negated_operator_on_a_list_fails_when_any_value_matches",
        call("ec2:CreateTags", "*", **{"aws:TagKeys": ["owner", "team"]}),
        Allowed("identity"),
        identity=[
            policy(
                allow("ec2:CreateTags", "*"),
                deny("ec2:CreateTags", "*", Condition={"StringNotEquals": {"aws:TagKeys": "team"}}),
            )
        ],
    ),
]

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
HOME = [
    policy(allow("s3:*", ["arn:aws:s3:::bucket/home/${aws:username}", "arn:aws:s3:::bucket/home/${aws:username}/*"]))
]
PREFIXES = [
    policy(
        allow(
            "s3:ListBucket",
            "arn:aws:s3:::bucket",
            Condition={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}},
        )
    )
]


def listing(prefix, **context):
    return call("s3:ListBucket", "arn:aws:s3:::bucket", **{"s3:prefix": prefix}, **context)


POLICY_VARIABLES = [
    case(
        "resource_variable_allows_the_users_own_folder",
        call(resource="arn:aws:s3:::bucket/home/bob/notes.txt", **{"aws:username": "bob"}),
        Allowed("identity"),
        identity=HOME,
    ),
    case(
        "resource_variable_refuses_another_users_folder",
        call(resource="arn:aws:s3:::bucket/home/alice/notes.txt", **{"aws:username": "bob"}),
        no_identity("s3:GetObject"),
        identity=HOME,
    ),
    case(
        "resource_variable_with_the_key_absent_matches_nothing",
        call(resource="arn:aws:s3:::bucket/home//notes.txt"),
        no_identity("s3:GetObject"),
        identity=HOME,
    ),
    case(
        "a_variables_value_is_literal_never_a_wildcard",
        call(resource="arn:aws:s3:::bucket/home/alice/notes.txt", **{"aws:username": "*"}),
        no_identity("s3:GetObject"),
        identity=HOME,
    ),
    case(
        "a_multivalued_key_cannot_be_a_variable",
        call(resource="arn:aws:s3:::bucket/home/bob/notes.txt", **{"aws:username": ["bob"]}),
        no_identity("s3:GetObject"),
        identity=HOME,
    ),
    case(
        "escaped_star_matches_only_a_literal_star",
        call(resource="arn:aws:s3:::bucket/*"),
        Allowed("identity"),
        identity=[policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${*}"))],
    ),
    case(
        "escaped_star_is_not_a_wildcard",
        call(resource="arn:aws:s3:::bucket/anything"),
        no_identity("s3:GetObject"),
        identity=[policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${*}"))],
    ),
    case(
        "escaped_dollar_is_a_literal_dollar",
        call(resource="arn:aws:s3:::bucket/$price"),
        Allowed("identity"),
        identity=[policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${$}price"))],
    ),
    case(
        "a_multivalued_key_as_a_variable_falls_back_to_the_default",
        call(resource="arn:aws:s3:::bucket/company-wide/x", **{"aws:PrincipalTag/team": ["a", "b"]}),
        Allowed("identity"),
        identity=[policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*"))],
    ),
    case(
        "variable_default_value_applies_when_the_key_is_absent",
        call(resource="arn:aws:s3:::bucket/company-wide/x"),
        Allowed("identity"),
        identity=[policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*"))],
    ),
    case(
        "without_version_2012_10_17_a_variable_is_literal_text",
        call(resource="arn:aws:s3:::bucket/home/${aws:username}/x", **{"aws:username": "bob"}),
        Allowed("identity"),
        identity=[policy(allow("s3:*", "arn:aws:s3:::bucket/home/${aws:username}/*"), version="2008-10-17")],
    ),
    case(
        "without_version_2012_10_17_a_variable_is_not_substituted",
        call(resource="arn:aws:s3:::bucket/home/bob/x", **{"aws:username": "bob"}),
        no_identity("s3:GetObject"),
        identity=[policy(allow("s3:*", "arn:aws:s3:::bucket/home/${aws:username}/*"), version="2008-10-17")],
    ),
    case(
        "string_like_variable_allows_the_users_prefix",
        listing("home/bob/", **{"aws:username": "bob"}),
        Allowed("identity"),
        identity=PREFIXES,
    ),
    case(
        "string_like_variable_allows_the_empty_prefix",
        listing("", **{"aws:username": "bob"}),
        Allowed("identity"),
        identity=PREFIXES,
    ),
    case(
        "string_like_variable_refuses_another_users_prefix",
        listing("home/alice/", **{"aws:username": "bob"}),
        no_identity("s3:ListBucket"),
        identity=PREFIXES,
    ),
    case(
        "condition_variable_reads_another_context_key",
        call(**{"aws:ResourceAccount": ACCOUNT, "aws:PrincipalAccount": ACCOUNT}),
        Allowed("identity"),
        identity=[policy(allow(Condition={"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}))],
    ),
    case(
        "condition_variable_refuses_another_account",
        call(**{"aws:ResourceAccount": "999999999999", "aws:PrincipalAccount": ACCOUNT}),
        no_identity("s3:GetObject"),
        identity=[policy(allow(Condition={"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}))],
    ),
]

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:my-topic"
DOC_PATTERN = "arn:aws:someservice:*:111122223333:finance/*"
DOC_VALUE = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"


def sourced(operator: str, pattern: str, source: str | None) -> tuple[Request, list[dict]]:
    context = {} if source is None else {"aws:SourceArn": source}
    return call("sqs:SendMessage", QUEUE, **context), [
        policy(allow("sqs:SendMessage", QUEUE, Condition={operator: {"aws:SourceArn": pattern}}))
    ]


def arn_case(name, operator, pattern, source, expected):
    request, identity = sourced(operator, pattern, source)
    return case(name, request, expected, identity=identity)


SNS_ANY = f"arn:aws:sns:*:{ACCOUNT}:*"
ARN_OPERATORS = [
    arn_case("arn_like_matches_each_component", "ArnLike", SNS_ANY, TOPIC, Allowed("identity")),
    arn_case(
        "arn_like_refuses_another_account",
        "ArnLike",
        SNS_ANY,
        "arn:aws:sns:us-east-1:999999999999:t",
        no_identity("sqs:SendMessage"),
    ),
    arn_case(
        "arn_like_star_does_not_cross_a_component_boundary",
        "ArnLike",
        DOC_PATTERN,
        DOC_VALUE,
        no_identity("sqs:SendMessage"),
    ),
    arn_case(
        "string_like_star_crosses_colons_where_arn_like_does_not",
        "StringLike",
        DOC_PATTERN,
        DOC_VALUE,
        Allowed("identity"),
    ),
    arn_case("arn_equals_behaves_as_arn_like", "ArnEquals", SNS_ANY, TOPIC, Allowed("identity")),
    arn_case(
        "arn_like_is_case_sensitive", "ArnLike", f"arn:aws:SNS:*:{ACCOUNT}:*", TOPIC, no_identity("sqs:SendMessage")
    ),
    arn_case(
        "arn_like_star_in_the_resource_component_spans_colons",
        "ArnLike",
        f"arn:aws:logs:*:{ACCOUNT}:*",
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/batch:log-stream:task/1",
        Allowed("identity"),
    ),
    arn_case(
        "arn_like_refuses_a_value_that_is_not_an_arn", "ArnLike", "*", "not-an-arn", no_identity("sqs:SendMessage")
    ),
    arn_case("arn_like_with_the_key_absent_is_false", "ArnLike", SNS_ANY, None, no_identity("sqs:SendMessage")),
    case(
        "arn_not_like_with_the_key_absent_is_true",
        call("sqs:SendMessage", QUEUE),
        EXPLICIT_IDENTITY,
        identity=[
            policy(allow("sqs:*", "*"), deny("sqs:*", "*", Condition={"ArnNotLike": {"aws:SourceArn": SNS_ANY}}))
        ],
    ),
]

# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
# https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
ENABLE_IAM = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT},
    "Action": "kms:*",
    "Resource": "*",
}
ROLE_USES_KEY = {
    "Sid": "Allow use of the key",
    "Effect": "Allow",
    "Principal": {"AWS": ROLE_ARN},
    "Action": "kms:Decrypt",
    "Resource": "*",
}
KEY_ADMIN_ONLY = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"},
    "Action": "kms:*",
    "Resource": "*",
}
DECRYPT = call("kms:Decrypt", KEY)
IDENTITY_DECRYPT = [policy(allow("kms:Decrypt", KEY))]


def kms(name, request, expected, *, identity=(), key_policy=None):
    return case(name, request, expected, identity=identity, resource=key_policy, kind=PolicyKind.KMS)


KMS_KEY_POLICIES = [
    kms(
        "key_policy_naming_the_account_lets_an_identity_policy_allow",
        DECRYPT,
        Allowed("identity-based policy #1"),
        identity=IDENTITY_DECRYPT,
        key_policy=policy(ENABLE_IAM),
    ),
    kms(
        "key_policy_naming_the_account_without_identity_allow_denies_in_identity_words",
        DECRYPT,
        no_identity("kms:Decrypt"),
        key_policy=policy(ENABLE_IAM),
    ),
    kms(
        "key_policy_naming_the_bare_account_id_delegates_too",
        DECRYPT,
        Allowed("identity"),
        identity=IDENTITY_DECRYPT,
        key_policy=policy({**ENABLE_IAM, "Principal": {"AWS": ACCOUNT}}),
    ),
    kms(
        "key_policy_naming_the_role_allows_without_identity_policy",
        DECRYPT,
        Allowed("key policy"),
        key_policy=policy(ROLE_USES_KEY),
    ),
    kms(
        "key_policy_silent_about_the_caller_denies_despite_identity_allow",
        DECRYPT,
        no_resource("kms:Decrypt"),
        identity=IDENTITY_DECRYPT,
        key_policy=policy(KEY_ADMIN_ONLY),
    ),
    kms(
        "key_policy_silent_about_the_caller_denies_in_resource_words",
        DECRYPT,
        no_resource("kms:Decrypt"),
        key_policy=policy(KEY_ADMIN_ONLY),
    ),
    kms(
        "key_policy_deny_beats_its_own_allow",
        DECRYPT,
        EXPLICIT_RESOURCE,
        key_policy=policy(ROLE_USES_KEY, {**ROLE_USES_KEY, "Sid": "NoDecrypt", "Effect": "Deny"}),
    ),
    kms(
        "identity_deny_beats_key_policy_allow",
        DECRYPT,
        EXPLICIT_IDENTITY,
        identity=[policy(deny("kms:*", "*"))],
        key_policy=policy(ROLE_USES_KEY),
    ),
    kms(
        "key_policy_via_service_condition_allows_calls_through_that_service",
        call("kms:Decrypt", KEY, **{"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}),
        Allowed("key policy"),
        key_policy=policy(
            {
                **ROLE_USES_KEY,
                "Principal": {"AWS": "*"},
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "s3.us-east-1.amazonaws.com"}
                },
            }
        ),
    ),
    kms(
        "key_policy_via_service_condition_refuses_direct_calls",
        call("kms:Decrypt", KEY, **{"kms:CallerAccount": ACCOUNT}),
        no_resource("kms:Decrypt"),
        key_policy=policy(
            {
                **ROLE_USES_KEY,
                "Principal": {"AWS": "*"},
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "s3.us-east-1.amazonaws.com"}
                },
            }
        ),
    ),
    kms("missing_key_policy_denies_loudly", DECRYPT, Loud("no kms policy was given"), identity=IDENTITY_DECRYPT),
]

# https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html (the execution role trust policy)
# https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/batch/SchedulerRole"
GROUP = f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/batch"
SCHEDULER_TRUST = policy(
    {
        "Effect": "Allow",
        "Principal": {"Service": "scheduler.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnEquals": {"aws:SourceArn": GROUP}},
    }
)


def assume(principal=SCHEDULER, **context):
    return call("sts:AssumeRole", EXECUTION_ROLE, principal, **context)


def trust(name, request, expected, *, trust_policy=SCHEDULER_TRUST, identity=()):
    return case(name, request, expected, identity=identity, resource=trust_policy, kind=PolicyKind.TRUST)


SOURCE = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": GROUP}
TRUST_POLICIES = [
    trust("scheduler_from_the_named_group_may_assume_the_role", assume(**SOURCE), Allowed("trust policy")),
    trust(
        "scheduler_from_another_group_may_not",
        assume(**{**SOURCE, "aws:SourceArn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/other"}),
        no_resource("sts:AssumeRole"),
    ),
    trust(
        "scheduler_on_behalf_of_another_account_may_not",
        assume(**{**SOURCE, "aws:SourceAccount": "999999999999"}),
        no_resource("sts:AssumeRole"),
    ),
    trust(
        "scheduler_without_a_source_arn_may_not",
        assume(**{"aws:SourceAccount": ACCOUNT}),
        no_resource("sts:AssumeRole"),
    ),
    trust("another_service_may_not", assume(EVENTS, **SOURCE), no_resource("sts:AssumeRole")),
    trust(
        "identity_policies_do_not_count_for_a_trust_policy",
        assume(ROLE),
        no_resource("sts:AssumeRole"),
        identity=[policy(allow("sts:AssumeRole", "*"))],
    ),
    trust(
        "identity_deny_is_not_consulted_for_a_trust_policy",
        assume(**SOURCE),
        Allowed("trust policy"),
        identity=[policy(deny("sts:AssumeRole", "*"))],
    ),
    trust(
        "trust_policy_naming_the_role_allows_its_session",
        assume(ROLE),
        Allowed("trust policy"),
        trust_policy=policy({"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "sts:AssumeRole"}),
    ),
    trust(
        "trust_policy_deny_is_an_explicit_deny_in_a_resource_based_policy",
        assume(**SOURCE),
        EXPLICIT_RESOURCE,
        trust_policy=policy(
            SCHEDULER_TRUST["Statement"][0], {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}
        ),
    ),
    trust("missing_trust_policy_denies_loudly", assume(**SOURCE), Loud("no trust policy was given"), trust_policy=None),
]

# Anything the evaluator does not understand denies, and says what it was; never a silent allow.
UNKNOWN = 'the condition operator "StringFoo", which the local evaluator does not know'
LOUD = [
    case(
        "unknown_operator_in_an_allow_denies",
        call(),
        Loud(UNKNOWN),
        identity=[policy(allow(Condition={"StringFoo": {"k": "v"}}))],
    ),
    case(
        "unknown_operator_in_a_deny_denies_even_when_another_statement_allows",
        call(),
        Loud(UNKNOWN),
        identity=[policy(allow(), deny(Condition={"StringFoo": {"k": "v"}}))],
    ),
    case(
        "unknown_operator_in_a_statement_for_another_action_still_denies",
        call(),
        Loud(UNKNOWN),
        identity=[policy(allow(), deny("ec2:*", "*", Condition={"StringFoo": {"k": "v"}}))],
    ),
    case(
        "unknown_operator_in_a_resource_policy_denies_despite_identity_allow",
        call(),
        Loud(UNKNOWN),
        identity=[policy(allow())],
        resource=policy(grant("*", effect="Deny", Condition={"StringFoo": {"k": "v"}})),
    ),
    case(
        "reason_names_where_the_unknown_operator_is",
        call(),
        Loud('(in the identity-based policy #2, statement "Broken")'),
        identity=[policy(allow()), policy(deny(Sid="Broken", Condition={"StringFoo": {"k": "v"}}))],
    ),
    case(
        "null_if_exists_is_not_an_operator",
        call(),
        Loud('"NullIfExists"'),
        identity=[policy(allow(Condition={"NullIfExists": {"k": "true"}}))],
    ),
    case(
        "unknown_set_operator_denies",
        call(),
        Loud('"ForEveryValue:StringEquals"'),
        identity=[policy(allow(Condition={"ForEveryValue:StringEquals": {"k": "v"}}))],
    ),
    case(
        "effect_is_case_sensitive", call(), Loud('the Effect "allow"'), identity=[policy(allow() | {"Effect": "allow"})]
    ),
    case(
        "principal_in_an_identity_policy_denies",
        call(),
        Loud("cannot have a Principal"),
        identity=[policy(allow(Principal="*"))],
    ),
    case(
        "misspelt_element_denies",
        call(),
        Loud('the statement element "Resources"'),
        identity=[policy(allow(Resources="*"))],
    ),
    case(
        "identity_statement_without_resource_denies",
        call(),
        Loud("exactly one of Resource and NotResource"),
        identity=[policy({"Effect": "Allow", "Action": "s3:GetObject"})],
    ),
    case(
        "action_and_not_action_together_deny",
        call(),
        Loud("exactly one of Action and NotAction"),
        identity=[policy(allow(NotAction="iam:*"))],
    ),
    case(
        "action_without_a_service_prefix_denies",
        call(),
        Loud('the action "GetObject" has no service prefix'),
        identity=[policy(allow("GetObject"))],
    ),
    case(
        "non_numeric_policy_value_denies",
        call(),
        Loud("'ten' is not a number"),
        identity=[policy(allow(), deny("ec2:*", "*", Condition={"NumericLessThan": {"s3:max-keys": "ten"}}))],
    ),
    case(
        "non_numeric_context_value_denies",
        call(**{"s3:max-keys": "ten"}),
        Loud("request context key \"s3:max-keys\" has the value 'ten', which is not a number"),
        identity=[policy(allow(Condition={"NumericLessThan": {"s3:max-keys": 10}}))],
    ),
    case(
        "policy_variable_in_a_numeric_condition_denies",
        call(),
        Loud("'${aws:username}' is not a number"),
        identity=[
            policy(allow(), deny("ec2:*", "*", Condition={"NumericLessThan": {"s3:max-keys": "${aws:username}"}}))
        ],
    ),
    case(
        "non_boolean_bool_value_denies",
        call(**{"aws:SecureTransport": True}),
        Loud("'yes' is not true or false"),
        identity=[policy(allow(Condition={"Bool": {"aws:SecureTransport": "yes"}}))],
    ),
    case(
        "non_date_value_denies",
        call(),
        Loud("'tomorrow' is not a date"),
        identity=[policy(allow(Condition={"DateLessThan": {"aws:CurrentTime": "tomorrow"}}))],
    ),
    case(
        "malformed_cidr_denies",
        call(),
        Loud("'203.0.113.0/33' is not an IP address"),
        identity=[policy(allow(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}))],
    ),
    case(
        "unsupported_context_value_type_denies",
        call(**{"aws:SourceIp": {"ip": "203.0.113.1"}}),
        Loud('request context key "aws:SourceIp" has a dict value'),
        identity=[policy(allow())],
    ),
    case(
        "unknown_policy_version_denies",
        call(),
        Loud('the policy Version "2012-10-18"'),
        identity=[policy(allow(), version="2012-10-18")],
    ),
    case(
        "misspelt_policy_element_denies",
        call(),
        Loud('the policy element "Statements"'),
        identity=[{"Version": "2012-10-17", "Statements": [allow()]}],
    ),
    case(
        "policy_given_as_json_text_denies",
        call(),
        Loud("a policy must be a JSON object"),
        identity=['{"Version": "2012-10-17", "Statement": []}'],
    ),
    case(
        "empty_statement_list_denies",
        call(),
        Loud("Statement must be an object or a non-empty list"),
        identity=[policy(allow()), policy()],
    ),
    case(
        "statement_that_is_not_an_object_denies",
        call(),
        Loud("a statement must be a JSON object"),
        identity=[policy(allow(), "s3:GetObject")],
    ),
    case(
        "empty_action_list_denies",
        call(),
        Loud("Action must be a string or a non-empty list of strings"),
        identity=[policy(allow(), allow([]))],
    ),
    case(
        "non_string_resource_denies",
        call(),
        Loud("Resource must be a string or a non-empty list of strings"),
        identity=[policy(allow(resource=["arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", 7]))],
    ),
    case(
        "operator_without_keys_denies",
        call(),
        Loud("StringEquals must map condition keys to values"),
        identity=[policy(allow(Condition={"StringEquals": {}}))],
    ),
    case(
        "object_as_a_condition_value_denies",
        call(),
        Loud("must be a string, boolean, number or a non-empty list of them"),
        identity=[policy(allow(Condition={"StringEquals": {"aws:SourceAccount": {"id": ACCOUNT}}}))],
    ),
    case(
        "empty_principal_object_denies",
        call(),
        Loud('a principal must be "*" or an object'),
        identity=[policy(allow())],
        resource=policy(grant({})),
    ),
    case(
        "unknown_principal_type_denies",
        call(),
        Loud('the principal type "Services"'),
        resource=policy(grant({"Services": "s3.amazonaws.com"})),
    ),
    case(
        "partial_wildcard_principal_denies",
        call(),
        Loud("no wildcard within a principal"),
        resource=policy(grant({"AWS": f"arn:aws:iam::{ACCOUNT}:role/*"})),
    ),
    case(
        "resource_policy_statement_without_principal_denies",
        call(),
        Loud("exactly one of Principal and NotPrincipal"),
        identity=[policy(allow())],
        resource=policy(allow()),
    ),
    case(
        "broken_key_policy_denies_even_when_it_names_the_caller",
        DECRYPT,
        Loud('the statement element "Conditions"'),
        resource=policy(ROLE_USES_KEY, {**ROLE_USES_KEY, "Effect": "Deny", "Conditions": {}}),
        kind=PolicyKind.KMS,
    ),
]


@pytest.mark.parametrize(PARAMS, EVALUATION_LOGIC)
def test_evaluation_logic(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, RESOURCE_POLICY_PRINCIPALS)
def test_resource_policy_principals(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, STATEMENT_MATCHING)
def test_action_and_resource_matching(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, CONDITION_OPERATORS)
def test_condition_operators(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, EACH_OPERATOR)
def test_each_operator_compares_as_documented(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, MULTIVALUED_KEYS)
def test_multivalued_context_keys(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, POLICY_VARIABLES)
def test_policy_variables(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, ARN_OPERATORS)
def test_arn_operators(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, KMS_KEY_POLICIES)
def test_kms_key_policies(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, TRUST_POLICIES)
def test_trust_policies(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


@pytest.mark.parametrize(PARAMS, LOUD)
def test_what_the_evaluator_does_not_understand_denies(aws_request, identity, resource, kind, expected):
    check(aws_request, identity, resource, kind, expected)


# https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
@pytest.mark.parametrize(
    "aws_request, identity, resource, kind, message",
    [
        pytest.param(
            call("ecs:RunTask", TASK_DEFINITION),
            [],
            None,
            PolicyKind.DEFAULT,
            f"User: {SESSION_ARN} is not authorized to perform: ecs:RunTask on resource: {TASK_DEFINITION} "
            "because no identity-based policy allows the ecs:RunTask action",
            id="implicit_deny_message",
        ),
        pytest.param(
            call("ecs:RunTask", TASK_DEFINITION),
            [policy(allow("ecs:*", "*"), deny("ecs:RunTask", "*"))],
            None,
            PolicyKind.DEFAULT,
            f"User: {SESSION_ARN} is not authorized to perform: ecs:RunTask on resource: {TASK_DEFINITION} "
            "with an explicit deny in an identity-based policy",
            id="explicit_deny_message",
        ),
        pytest.param(
            assume(**{**SOURCE, "aws:SourceArn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/other"}),
            [],
            SCHEDULER_TRUST,
            PolicyKind.TRUST,
            f"User: scheduler.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: {EXECUTION_ROLE} "
            "because no resource-based policy allows the sts:AssumeRole action",
            id="service_principal_trust_denial_message",
        ),
    ],
)
def test_denial_message_is_in_aws_words(aws_request, identity, resource, kind, message):
    decision = evaluate(aws_request, identity_policies=identity, resource_policy=resource, kind=kind)
    assert denial_message(decision) == message


def test_message_for_an_allowed_decision_says_authorized():
    decision = evaluate(call(), identity_policies=[policy(allow(Sid="ReadReports"))])
    assert denial_message(decision) == (
        f"User: {SESSION_ARN} is authorized to perform: s3:GetObject on resource: {OBJECT} "
        'allowed by the identity-based policy #1, statement "ReadReports"'
    )
