"""TestEventPattern.

moto 5.2 routes the call to a stub that raises NotImplementedError. AWS answers whether the event
matches the pattern. This answers with moto's own rule matcher, the one that decides which rules
receive events, so a test of a pattern checks what the emulator will really route.
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
"""

from __future__ import annotations

import json


def apply() -> None:
    from moto.events.models import EventPattern, EventPatternParser
    from moto.events.responses import EventsHandler

    def test_event_pattern(self) -> str:
        raw = self._get_param("EventPattern")
        pattern = EventPattern(raw, EventPatternParser(raw).parse())
        event = json.loads(self._get_param("Event"))
        return json.dumps({"Result": pattern.matches_event(event)})

    EventsHandler.test_event_pattern = test_event_pattern
