"""The LLM's circuit breaker: skipped after a failure, probed once after the back-off."""

from __future__ import annotations

from squat_feedback.circuit_breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_failure_skips_the_backend_until_the_backoff_is_over_then_one_probe_goes():
    clock = Clock()
    breaker = CircuitBreaker(first_backoff_s=10.0, max_backoff_s=35.0, clock=clock)
    assert breaker.allow() and breaker.skipped_for_s() == 0.0
    assert breaker.failed() == 10.0
    assert not breaker.allow() and breaker.skipped_for_s() == 10.0
    clock.now += 10.0
    assert breaker.allow(), "the probe"
    assert not breaker.allow(), "one probe at a time"
    assert breaker.failed() == 20.0, "the back-off doubles"
    clock.now += 20.0
    assert breaker.allow()
    assert breaker.failed() == 35.0, "up to its limit"
    clock.now += 35.0
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.allow() and breaker.allow(), "closed again: every call goes"
    assert breaker.failed() == 10.0, "a new run of failures starts from the first back-off"
