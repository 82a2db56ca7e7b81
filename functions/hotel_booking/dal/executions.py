"""Step Functions as the logic needs it: start a booking's saga, resume a waiting one.

botocore's error codes stop here; the logic sees :mod:`hotel_booking.errors`' domain errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from hotel_booking.dal.items import error_code
from hotel_booking.errors import SagaAlreadyStarted, SagaNotStarted, TaskNoLongerWaiting

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient

# Step Functions' answers that mean the execution stopped waiting for this token.
_TOKEN_GONE = frozenset({"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"})


def execution_arn_of(state_machine_arn: str, name: str) -> str:
    prefix, sep, machine = state_machine_arn.rpartition(":stateMachine:")
    return f"{prefix}:execution:{machine}:{name}" if sep else ""


class Executions:
    def __init__(self, client: SFNClient, state_machine_arn: str = "") -> None:
        self._sfn = client
        self.state_machine_arn = state_machine_arn

    def execution_arn(self, name: str) -> str:
        return execution_arn_of(self.state_machine_arn, name)

    def start(self, name: str, input_json: str) -> str:
        """Start an execution named ``name``; its ARN. Raises SagaAlreadyStarted (with the
        existing execution's ARN) or SagaNotStarted."""
        try:
            resp = self._sfn.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=input_json
            )
        except ClientError as exc:
            if error_code(exc) == "ExecutionAlreadyExists":
                raise SagaAlreadyStarted(execution_arn_of(self.state_machine_arn, name)) from exc
            raise SagaNotStarted(str(exc)) from exc
        except BotoCoreError as exc:
            raise SagaNotStarted(str(exc)) from exc
        return str(resp["executionArn"])

    def succeed(self, task_token: str, output_json: str) -> None:
        with _token_gone():
            self._sfn.send_task_success(taskToken=task_token, output=output_json)

    def fail(self, task_token: str, error: str, cause: str) -> None:
        with _token_gone():
            self._sfn.send_task_failure(taskToken=task_token, error=error, cause=cause)


@contextmanager
def _token_gone() -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        if error_code(exc) in _TOKEN_GONE:
            raise TaskNoLongerWaiting(error_code(exc)) from exc
        raise
