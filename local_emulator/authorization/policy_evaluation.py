"""IAM policy evaluation for a single account, as AWS documents it, so the emulator refuses what AWS refuses.

Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
Denial wording: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html

Loud by design: a policy element, condition operator or context value this module does not understand makes
the decision a deny whose reason names it, even inside a Deny statement and even when another statement
allows. A silent allow (or an ignored Deny) would hide exactly the mistakes the emulator exists to catch.
"""

from __future__ import annotations

import base64
import enum
import ipaddress
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import NamedTuple


@dataclass(frozen=True)
class Principal:
    """Who calls. For an assumed-role session: arn = 'arn:aws:sts::123456789012:assumed-role/RoleName/session',
    role_arn = 'arn:aws:iam::123456789012:role/some/path/RoleName', account = '123456789012'.
    For a service principal (a service assuming a role): arn = service = 'scheduler.amazonaws.com', account None."""

    arn: str
    account: str | None = None
    role_arn: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class Request:
    """One call to authorize. Context keys are matched case-insensitively, as AWS does; a value is a str, bool,
    int/float, or a list of them (a multivalued key); None means absent. The caller supplies every key, global
    ones included: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"""

    principal: Principal
    action: str  # "ecs:RunTask"
    resource: str  # full ARN
    context: Mapping[str, object] = field(default_factory=dict)


class PolicyKind(enum.Enum):
    """Which policies decide: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""

    DEFAULT = "default"  # identity policies + optional resource-based policy (bucket, queue, topic policy)
    # The key policy is required: it allows the principal directly, or names the account root and so lets
    # identity policies decide. https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
    KMS = "kms"
    TRUST = "trust"  # a role's trust policy for sts:AssumeRole; identity policies are not consulted


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # AWS's wording for denials; for allows, the policy and statement that allowed
    request: Request


class _Unjudgeable(Exception):
    """A policy or context the evaluator cannot judge; its text becomes the reason of a deny."""


def _unknown(what: str) -> _Unjudgeable:
    return _Unjudgeable(f"because the policy uses {what}, which the local evaluator does not know")


def _malformed(what: str) -> _Unjudgeable:
    return _Unjudgeable(f"because the policy is malformed: {what}")


@contextmanager
def _at(where: str) -> Iterator[None]:
    try:
        yield
    except _Unjudgeable as error:
        raise _Unjudgeable(f"{error} (in {where})") from None


_SCALARS = (str, bool, int, float)


def _text(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _strings(value: object, element: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise _malformed(f"{element} must be a string or a non-empty list of strings, not {value!r}")
    return values


# Policy variables: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_WITH_DEFAULT = re.compile(r"(.*?)\s*,\s*'(.*)'", re.DOTALL)  # ${aws:PrincipalTag/team, 'company-wide'}


def _tokens(text: str, context: dict[str, object], variables: bool) -> list[tuple[bool, str]] | None:
    """(is policy text, chunk) pairs, so that text from a variable or an escape (${*}, ${?}, ${$}) is never a
    wildcard. None when a variable has no single value: then the entry cannot match."""
    if not variables:
        return [(True, text)]
    tokens, position = [], 0
    for found in _VARIABLE.finditer(text):
        spec = found.group(1)
        name, substituted = m.groups() if (m := _WITH_DEFAULT.fullmatch(spec)) else (spec, None)
        value = context.get(name.lower())
        if spec in ("*", "?", "$"):
            substituted = spec
        # A multivalued key cannot be a policy variable (it keeps the default, if any):
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
        elif value is not None and not isinstance(value, tuple):
            substituted = _text(value)
        if substituted is None:
            return None
        tokens += [(True, text[position : found.start()]), (False, substituted)]
        position = found.end()
    return [*tokens, (True, text[position:])]


def _glob(tokens: list[tuple[bool, str]], *, wildcards: bool = True, ignore_case: bool = False, arn: bool = False):
    """A regex for a policy string. ``*`` spans colons and slashes as in the Resource element; with ``arn`` a
    wildcard stays inside one of the first five colon-delimited ARN components (ArnLike, operators page)."""
    parts, colons = [], 0
    for is_policy_text, chunk in tokens:
        for char in chunk:
            if is_policy_text and wildcards and char in "*?":
                any_char = "[^:]" if arn and colons < 5 else "."
                parts.append(any_char + "*" if char == "*" else any_char)
            else:
                parts.append(re.escape(char))
            colons += char == ":"
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


class _Family(NamedTuple):
    """One kind of condition operator: how it reads a policy value and a request value, and compares them."""

    policy: Callable[[list[tuple[bool, str]]], object]  # from _tokens(); None: not of this kind
    request: Callable[[object], object]  # None: not of this kind
    test: Callable[[object, object], bool]  # (policy value, request value)
    kind: str
    variables: bool  # the operators page says, per family, whether "you can use a policy variable"


def _string(**glob_options: bool) -> _Family:
    arn = glob_options.get("arn", False)
    return _Family(
        partial(_glob, **{"wildcards": False, **glob_options}),
        _text,
        lambda pattern, value: (not arn or value.count(":") >= 5) and pattern.fullmatch(value) is not None,
        "a string",
        True,
    )


def _typed(read_policy, read_request, test, kind: str, variables: bool = False) -> _Family:
    return _Family(lambda tokens: read_policy("".join(c for _, c in tokens)), read_request, test, kind, variables)


def _attempt(parse: Callable[[str], object], value: object) -> object:
    try:
        return parse(value.strip()) if isinstance(value, str) else None
    except ValueError:  # binascii.Error included
        return None


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return (
        float(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", value)
        else None
    )


def _date(value: object) -> float | None:
    """Epoch seconds from ISO 8601 or epoch time, the forms the Date operators accept; naive times are UTC."""
    if (number := _number(value)) is not None:
        return number
    moment = _attempt(datetime.fromisoformat, value)
    return moment and (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _boolean(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    return value.lower() == "true" if isinstance(value, str) and value.lower() in ("true", "false") else None


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
# name -> (family, negated). A negated operator is true when the key is absent (the page's "Important" box).
_LIKE, _ARN = _string(wildcards=True), _string(wildcards=True, arn=True)
_IP = _typed(
    partial(_attempt, partial(ipaddress.ip_network, strict=False)),  # an address alone means /32
    partial(_attempt, ipaddress.ip_address),
    lambda network, address: address in network,
    "an IP address or CIDR range",
)
_BINARY = partial(_attempt, partial(base64.b64decode, validate=True))  # both sides give the bytes base64-encoded
_OPERATORS: dict[str, tuple[_Family, bool]] = {
    "StringEquals": (_string(), False),
    "StringNotEquals": (_string(), True),
    "StringEqualsIgnoreCase": (_string(ignore_case=True), False),
    "StringNotEqualsIgnoreCase": (_string(ignore_case=True), True),
    "StringLike": (_LIKE, False),
    "StringNotLike": (_LIKE, True),
    "ArnEquals": (_ARN, False),  # "The ArnEquals and ArnLike condition operators behave identically"
    "ArnLike": (_ARN, False),
    "ArnNotEquals": (_ARN, True),
    "ArnNotLike": (_ARN, True),
    "Bool": (_typed(_boolean, _boolean, operator.eq, "true or false", variables=True), False),
    "BinaryEquals": (_typed(_BINARY, _BINARY, operator.eq, "base64-encoded bytes"), False),
    "IpAddress": (_IP, False),
    "NotIpAddress": (_IP, True),
    "Null": (_typed(_boolean, _boolean, operator.eq, "true or false"), False),  # tests presence, see below
}
_ORDERINGS = zip(
    ("Equals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals"),
    (operator.eq, operator.lt, operator.le, operator.gt, operator.ge),
    strict=True,
)
for _name, _compare in _ORDERINGS:
    _test = partial(lambda compare, policy, value: compare(value, policy), _compare)  # request <op> policy
    _OPERATORS["Numeric" + _name] = (_typed(_number, _number, _test, "a number"), False)
    _OPERATORS["Date" + _name] = (_typed(_date, _date, _test, "a date (ISO 8601 or epoch seconds)"), False)
_OPERATORS["NumericNotEquals"] = (_OPERATORS["NumericEquals"][0], True)
_OPERATORS["DateNotEquals"] = (_OPERATORS["DateEquals"][0], True)


def _operator(name: str) -> tuple[str, str, bool]:
    """(set operator, base operator, IfExists) of e.g. "ForAnyValue:StringLikeIfExists"."""
    set_operator, _, base = name.rpartition(":")
    if_exists, base = base.endswith("IfExists"), base.removesuffix("IfExists")
    # "You can add IfExists to the end of any condition operator name except the Null condition".
    if set_operator not in ("", "ForAnyValue", "ForAllValues") or base not in _OPERATORS:
        raise _unknown(f'the condition operator "{name}"')
    if base == "Null" and (if_exists or set_operator):
        raise _unknown(f'the condition operator "{name}"')
    return set_operator, base, if_exists


def _policy_values(name: str, key: str, raw: object, context: dict[str, object] | None, variables: bool) -> list:
    """The condition's values as its family compares them, less those whose variable has no single value.
    Without a context (checking a policy before any request) values holding a variable are left for later."""
    family = _OPERATORS[_operator(name)[1]][0]
    raws = raw if isinstance(raw, list) else [raw]
    if not raws or not all(isinstance(v, _SCALARS) for v in raws):
        raise _malformed(f"{name} {key} must be a string, boolean, number or a non-empty list of them, not {raw!r}")
    values = []
    for value in raws:
        if context is None and family.variables and "${" in _text(value):
            continue
        if (tokens := _tokens(_text(value), context or {}, variables and family.variables)) is not None:
            if (read := family.policy(tokens)) is None:
                raise _malformed(f"the condition value {value!r} is not {family.kind}")
            values.append(read)
    return values


def _condition_holds(name: str, key: str, raw: object, context: dict[str, object], variables: bool) -> bool:
    """Values of one key OR (NOR for negated operators); set operators as documented in
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html"""
    set_operator, base, if_exists = _operator(name)
    family, negated = _OPERATORS[base]
    found = context.get(key.lower())
    items = list(found) if isinstance(found, tuple) else [] if found is None else [found]
    policy = _policy_values(name, key, raw, context, variables)
    if base == "Null":  # true: the key is absent; false: it is present (an empty list counts as absent)
        return any(absent == (not items) for absent in policy)
    if not items:
        if if_exists or set_operator == "ForAllValues":
            return True
        return False if set_operator == "ForAnyValue" else negated

    def hit(item: object) -> bool:
        if (value := family.request(item)) is None:
            raise _Unjudgeable(
                f'because the request context key "{key}" has the value {item!r}, which is not {family.kind}'
            )
        return any(family.test(p, value) for p in policy)

    # Lists, not generators: every request value is read, so a bad one denies even after a match.
    if set_operator == "ForAllValues":
        return all([hit(item) != negated for item in items])
    if set_operator == "ForAnyValue":
        return any([hit(item) != negated for item in items])
    # A list given to a single-valued operator: true when any value matches (negated: when none does). AWS says
    # multivalued keys "require" a set operator and does not document this case (single-vs-multi-valued page).
    return any([hit(item) for item in items]) != negated


# Principal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
def _principal_entries(element: object) -> dict[str, list[str]]:
    if element == "*":  # "Principal": "*" and {"AWS": "*"} are equivalent
        return {"AWS": ["*"]}
    if not isinstance(element, dict) or not element:
        raise _malformed(f'a principal must be "*" or an object such as {{"AWS": ...}}, not {element!r}')
    entries = {}
    for kind, raw in element.items():
        if kind not in ("AWS", "Service", "Federated", "CanonicalUser"):  # callers here are never the last two
            raise _unknown(f'the principal type "{kind}"')
        entries[kind] = _strings(raw, f"Principal {kind}")
        if partial_wildcards := [name for name in entries[kind] if "*" in name and name != "*"]:
            raise _malformed(f'principal {partial_wildcards[0]!r}: AWS allows no wildcard within a principal, only "*"')
    return entries


def _account_of(entry: str) -> str | None:
    """The account an account principal ("123456789012" or its root ARN) names; None for other principals."""
    found = re.fullmatch(r"(\d{12})|arn:aws[\w-]*:iam::(\d{12}):root", entry)
    return found and (found.group(1) or found.group(2))


def _names(entries: dict[str, list[str]], principal: Principal) -> str | None:
    """ "direct" when the entries name the caller, "account" when they name only its account root."""
    aws = entries.get("AWS", [])
    if "*" in aws:
        return "direct"
    if principal.service:
        return "direct" if principal.service in entries.get("Service", []) else None
    if {principal.arn, principal.role_arn} & set(aws):  # a role ARN also names each of its sessions
        return "direct"
    return "account" if principal.account and principal.account in map(_account_of, aws) else None


def _excluded(entries: dict[str, list[str]], principal: Principal) -> bool:
    """NotPrincipal spares a session only when it lists the session, its role and its account, as AWS advises
    since it may check each (reference_policies_elements_notprincipal.html, next to the Principal page)."""
    if "*" in entries.get("AWS", []):
        return True
    if principal.service:
        return principal.service in entries.get("Service", [])
    listed = {_account_of(entry) or entry for entry in entries.get("AWS", [])}
    return {principal.arn, principal.role_arn, principal.account} - {None} <= listed


class _Statement(NamedTuple):
    where: str
    body: dict
    variables: bool  # Version 2012-10-17; otherwise ${...} is literal text, as the variables page says

    def applies(self, request: Request, context: dict[str, object], resource_based: bool) -> str | None:
        """How the statement names the caller ("direct" or "account") when it applies to the request."""
        body = self.body
        key = "Action" if "Action" in body else "NotAction"
        named = any(_glob([(True, a)], ignore_case=True).fullmatch(request.action) for a in _strings(body[key], key))
        if named != (key == "Action"):
            return None
        # A resource-based policy may omit Resource (a trust policy must): it means the policy's own resource.
        if resource_key := next((k for k in ("Resource", "NotResource") if k in body), None):
            entries = [_tokens(entry, context, self.variables) for entry in _strings(body[resource_key], resource_key)]
            named = any(t is not None and _glob(t).fullmatch(request.resource) for t in entries)
            if named != (resource_key == "Resource"):
                return None
        match = "direct"
        if resource_based and "Principal" in body:
            match = _names(_principal_entries(body["Principal"]), request.principal)
        elif resource_based and _excluded(_principal_entries(body["NotPrincipal"]), request.principal):
            match = None
        conditions = [(name, k, raw) for name, block in body.get("Condition", {}).items() for k, raw in block.items()]
        return match if match and all(_condition_holds(*c, context, self.variables) for c in conditions) else None


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
_ELEMENTS = {"Sid", "Effect", "Condition"} | {
    not_ + name for not_ in ("", "Not") for name in ("Principal", "Action", "Resource")
}


def _check_statement(statement: object, resource_based: bool) -> None:
    """Reject what AWS would reject or this module does not know, whether or not the statement applies."""
    if not isinstance(statement, dict):
        raise _malformed(f"a statement must be a JSON object, not {statement!r}")
    if unknown := [element for element in statement if element not in _ELEMENTS]:
        raise _unknown(f'the statement element "{unknown[0]}"')
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _unknown(f'the Effect "{statement.get("Effect")}" (AWS knows "Allow" and "Deny")')
    if not resource_based and ("Principal" in statement or "NotPrincipal" in statement):
        raise _malformed("an identity-based policy cannot have a Principal element; the caller is implied")
    for one, other, required in [
        ("Action", "NotAction", True),
        ("Resource", "NotResource", not resource_based),
        ("Principal", "NotPrincipal", resource_based),
    ]:
        if (one in statement) + (other in statement) != 1 and (required or one in statement):
            raise _malformed(f"a statement needs exactly one of {one} and {other}")
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        for entry in _strings(statement[key], key) if key in statement else []:
            if key.endswith("Action") and entry != "*" and ":" not in entry:
                raise _malformed(f'the action "{entry}" has no service prefix, as in "ecs:RunTask"')
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            _principal_entries(statement[key])
    if not isinstance(condition := statement.get("Condition", {}), dict):
        raise _malformed(f"Condition must be a JSON object, not {condition!r}")
    for name, block in condition.items():
        if not isinstance(block, dict) or not block:
            raise _malformed(f"{name} must map condition keys to values, not {block!r}")
        for key, raw in block.items():  # read now, so a bad value denies even in a statement never reached
            _policy_values(name, key, raw, None, False)


_VERSIONS = {"2012-10-17": True, "2008-10-17": False}  # whether ${...} is a policy variable


def _statements(policy: object, label: str, resource_based: bool) -> list[_Statement]:
    with _at(label):
        if not isinstance(policy, dict):
            raise _malformed(f"a policy must be a JSON object, not {policy!r}")
        if unknown := [key for key in policy if key not in ("Version", "Id", "Statement")]:
            raise _unknown(f'the policy element "{unknown[0]}"')
        if (version := policy.get("Version", "2008-10-17")) not in _VERSIONS:
            raise _unknown(f'the policy Version "{version}"')
        statements = policy.get("Statement")
        statements = [statements] if isinstance(statements, dict) else statements
        if not isinstance(statements, list) or not statements:
            raise _malformed("Statement must be an object or a non-empty list of them")
    result = []
    for index, body in enumerate(statements, 1):
        sid = body.get("Sid") if isinstance(body, dict) else None
        where = f'{label}, statement "{sid}"' if sid else f"{label}, statement #{index}"
        with _at(where):
            _check_statement(body, resource_based)
        result.append(_Statement(where, body, _VERSIONS[version]))
    return result


def _context(request: Request) -> dict[str, object]:
    context = {}
    for key, value in request.context.items():
        if isinstance(value, list | tuple) and all(isinstance(v, _SCALARS) for v in value):
            value = tuple(value)
        elif value is not None and not isinstance(value, _SCALARS):
            raise _Unjudgeable(
                f'because the request context key "{key}" has a {type(value).__name__} value, which the local '
                "evaluator does not know (give a str, bool, number or list of them)"
            )
        context[key.lower()] = value  # None stays: .get() reads it as absent, the same as a missing key
    return context


def _decide(request: Request, identity_policies: Sequence[dict], resource_policy: dict | None, kind: PolicyKind):
    context, statements = _context(request), []
    for index, document in enumerate([] if kind is PolicyKind.TRUST else identity_policies, 1):
        statements += [(s, False) for s in _statements(document, f"the identity-based policy #{index}", False)]
    if resource_policy is None and kind is not PolicyKind.DEFAULT:
        raise _Unjudgeable(f"because no {kind.value} policy was given, and AWS always evaluates one for this call")
    if resource_policy is not None:
        label = {PolicyKind.DEFAULT: "the resource-based policy", PolicyKind.KMS: "the key policy"}
        label = label.get(kind, "the trust policy")
        statements += [(s, True) for s in _statements(resource_policy, label, True)]
    hits = []  # (statement, in a resource policy, "direct" | "account"); every statement is judged, none skipped
    for statement, resource_based in statements:
        with _at(statement.where):
            if match := statement.applies(request, context, resource_based):
                hits.append((statement, resource_based, match))

    def first(effect: str, resource_based: bool, match: str | None = None) -> _Statement | None:
        found = (s for s, r, m in hits if s.body["Effect"] == effect and r == resource_based and match in (None, m))
        return next(found, None)

    if first("Deny", False):
        return False, "with an explicit deny in an identity-based policy"
    if first("Deny", True):  # an account principal in a Deny covers everyone in that account
        return False, "with an explicit deny in a resource-based policy"
    identity_allow, direct = first("Allow", False), first("Allow", True, "direct")
    if kind is PolicyKind.DEFAULT and (allow := identity_allow or direct):
        return True, f"allowed by {allow.where}"
    if direct:
        return True, f"allowed by {direct.where}, which names the caller"
    # An account root in a same-account resource policy grants nothing by itself: it hands the decision to
    # identity policies (KMS: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
    delegating = first("Allow", True, "account")
    if kind is PolicyKind.KMS and delegating and identity_allow:
        return True, f"allowed by {identity_allow.where}, which {delegating.where} enables by naming the account"
    if kind is PolicyKind.DEFAULT or (kind is PolicyKind.KMS and delegating):
        return False, f"because no identity-based policy allows the {request.action} action"
    return False, f"because no resource-based policy allows the {request.action} action"


def evaluate(
    request: Request,
    *,
    identity_policies: Sequence[dict] = (),
    resource_policy: dict | None = None,
    kind: PolicyKind = PolicyKind.DEFAULT,
) -> Decision:
    """Allow or deny one request the way AWS does for a caller in the resource's own account: an applicable
    explicit Deny wins, then any applicable Allow, else the implicit deny. Anything not understood denies.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    try:
        allowed, reason = _decide(request, identity_policies, resource_policy, kind)
    except _Unjudgeable as error:
        allowed, reason = False, str(error)
    return Decision(allowed, reason, request)


def denial_message(decision: Decision) -> str:
    """'User: <principal arn> is not authorized to perform: <action> on resource: <resource> <reason>', AWS's
    wording: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    An allowed decision gets the same shape with "is authorized", so a log can record every decision alike."""
    request = decision.request
    verdict = "is authorized" if decision.allowed else "is not authorized"
    return (
        f"User: {request.principal.arn} {verdict} to perform: {request.action} "
        f"on resource: {request.resource} {decision.reason}"
    )
