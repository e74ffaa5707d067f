"""Every authorization decision the emulator made for a deployed principal, for the run report."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from local_emulator.authorization.policy_evaluation import Decision, denial_message


@dataclass(frozen=True)
class LoggedDecision:
    principal: str
    action: str
    resource: str
    allowed: bool
    reason: str
    message: str

    def as_json(self) -> dict:
        return {"principal": self.principal, "action": self.action, "resource": self.resource, "reason": self.reason}


class DecisionLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._decisions: list[LoggedDecision] = []

    def record(self, decision: Decision) -> LoggedDecision:
        request = decision.request
        logged = LoggedDecision(
            principal=request.principal.arn,
            action=request.action,
            resource=request.resource,
            allowed=decision.allowed,
            reason=decision.reason,
            message=denial_message(decision),
        )
        with self._lock:
            self._decisions.append(logged)
        return logged

    def summary(self) -> dict:
        """The shape of ``"authorization"`` in ``.local/report.json``."""
        with self._lock:
            decisions = list(self._decisions)
        by_action: dict[str, dict[str, int]] = {}
        for d in decisions:
            counts = by_action.setdefault(d.action, {"allowed": 0, "denied": 0})
            counts["allowed" if d.allowed else "denied"] += 1
        return {
            "decisions": len(decisions),
            "denied": [{**d.as_json(), "message": d.message} for d in decisions if not d.allowed],
            "by_action": dict(sorted(by_action.items())),
        }

    def reset(self) -> None:
        with self._lock:
            self._decisions.clear()


decision_log = DecisionLog()
