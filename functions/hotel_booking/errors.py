"""Exceptions whose class names are the ASL error names, and the Step Functions wrapper's errors.

A Lambda that raises one of these reports ``errorType`` = the class name, and Step Functions
matches that string in ``Retry``/``Catch`` ``ErrorEquals``. Renaming a class is therefore a
change to the state machine contract: ``tests/unit/test_contracts.py`` checks both stay in step.
"""

from __future__ import annotations


class SagaError(Exception):
    """Base class: every saga error carries a message fit for the execution's Cause."""


class BusinessError(SagaError):
    """A decision, not a fault: never retried by the state machine."""


class InvalidBookingInput(BusinessError):
    """The step input does not describe a booking (missing or malformed fields)."""


class HotelNotFound(BusinessError):
    """The booking names a hotel that does not exist."""


class RoomUnavailable(BusinessError):
    """Not enough rooms left on at least one night of the stay."""


class PaymentDeclined(BusinessError):
    """The payment gateway refused the charge (card declined)."""


class PaymentGatewayUnavailable(SagaError):
    """The payment gateway is down, or its circuit breaker is open: nothing was charged.

    Not retried by the step's Retry (that would hammer the gateway); the state machine waits
    (``WaitForPaymentGateway``) and tries again within a bounded time, then compensates
    with reason PAYMENT_UNAVAILABLE.
    """


class BookingCancelled(BusinessError):
    """The guest cancelled while the booking awaited approval (sent via SendTaskFailure)."""


class BookingRejected(BusinessError):
    """The hotel manager rejected the booking (raised via SendTaskFailure)."""


class BookingStateConflict(BusinessError):
    """The booking is not in a state that allows this step (e.g. already failed)."""


class TransientError(SagaError):
    """A fault worth retrying: throttling, a gateway hiccup, a flaky network."""


class NotificationError(SagaError):
    """SNS or SES refused a message; retried. A notice never undoes the outcome it reports:
    past the pivot (CONFIRMED) or once the outcome is written, the state machine alerts
    operations instead of compensating (docs/saga.md)."""


#: The names the state machine relies on, for the contract test.
ASL_ERROR_NAMES = frozenset(
    cls.__name__
    for cls in (
        InvalidBookingInput,
        HotelNotFound,
        RoomUnavailable,
        PaymentDeclined,
        PaymentGatewayUnavailable,
        BookingCancelled,
        BookingRejected,
        BookingStateConflict,
        TransientError,
        NotificationError,
    )
)


# -- Step Functions, as ``dal/executions.py`` reports it (not ASL names) --------------------
class ExecutionProblem(Exception):
    """Base class for what the Step Functions wrapper tells the logic."""


class SagaNotStarted(ExecutionProblem):
    """Step Functions refused or could not be reached; nothing was started."""


class TaskNoLongerWaiting(ExecutionProblem):
    """The execution stopped waiting for this task token (``TaskTimedOut``,
    ``TaskDoesNotExist``, ``InvalidToken``)."""


class SagaAlreadyStarted(ExecutionProblem):
    """An execution with that name exists (``ExecutionAlreadyExists``): the same booking."""

    def __init__(self, execution_arn: str) -> None:
        super().__init__(f"execution {execution_arn} exists already")
        self.execution_arn = execution_arn


# -- the tables, as ``dal/`` reports them (not ASL names) -----------------------------------
class HotelChangedMeanwhile(Exception):
    """The hotel item is no longer at the version a change was based on (its room count may
    have moved, or it was deleted): read it again and decide again."""
