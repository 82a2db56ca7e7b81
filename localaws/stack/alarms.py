"""CloudWatch alarms that fire locally as on AWS.

moto stores the template's alarms and never evaluates them. This module does what CloudWatch
does for them:

- **metrics**: :class:`Metrics` holds datapoints. The functions' EMF log lines (Powertools
  Metrics output) become metrics as Lambda's log pipeline makes them (:func:`emf_points`); the
  emulated services add their own: ``AWS/Lambda`` Invocations, Errors, Duration per function,
  ``AWS/States`` Executions{Started,Succeeded,Failed,TimedOut,Aborted} per state machine (from
  the interpreter's history), ``AWS/SQS`` queue depths (sampled at each evaluation) and
  ``AWS/ApiGateway`` Count, 4XXError, 5XXError, Latency for the REST API (:meth:`api_request`)
  and whatever gauges a sampler gives (:meth:`add_sampler`: e.g. an ECS service's task counts).
- **evaluation**: :meth:`AlarmEvaluator.evaluate` evaluates every metric alarm of the stack
  (statistic or pNN, period, evaluation periods, datapoints to alarm, comparison, threshold,
  TreatMissingData, metric math with FILL/IF and arithmetic) and then every composite alarm
  (ALARM()/OK()/INSUFFICIENT_DATA(), AND, OR, NOT, TRUE, FALSE; ActionsSuppressor with its
  wait and extension periods), and on a state change
  publishes CloudWatch's notification to the SNS actions (so the ops mailbox gets the email)
  and records the state in moto (``DescribeAlarms`` shows it).

Entry points, for ``make run``, tests and fault-injection rehearsals:

- ``AlarmEvaluator.for_stack(cloud, stack)`` builds it and subscribes it to the cloud's
  invocations and execution history; ``start(interval)`` evaluates on a thread; ``stop()``
  ends both (a test may build one for a stack of its own and stop it after).
- ``evaluate()`` runs one evaluation now and returns the state changes; ``states()`` lists
  every alarm with its state; ``wait_for(name, state)`` evaluates until an alarm is there.
- The seam for tests: ``clock`` (seconds; datapoints are stamped with it when they arrive) and
  ``period_scale`` (a 60 s period lasts ``60 * period_scale`` seconds of that clock). A test
  moves a fake clock on by a period instead of sleeping for minutes.
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import datetime as dt
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from localaws.provision.deploy import Stack

OK, ALARM, INSUFFICIENT = "OK", "ALARM", "INSUFFICIENT_DATA"
#: Datapoints kept per metric (the newest); an alarm looks back at most a day on AWS.
KEEP_POINTS = 20_000
#: CloudWatch's names of regions in notification subjects.
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-central-1": "EU (Frankfurt)",
}
#: SNS refuses a Subject of 100 characters or more.
SUBJECT_MAX = 99

MetricKey = tuple[str, str, frozenset[tuple[str, str]]]


def metric_key(namespace: str, name: str, dimensions: dict[str, str]) -> MetricKey:
    """A metric is its namespace, name and exact set of dimensions, as in CloudWatch."""
    return namespace, name, frozenset(dimensions.items())


# ------------------------------------------------------------------------------- metrics
class Metrics:
    """Datapoints by metric, stamped with ``clock`` when they arrive."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._points: dict[MetricKey, tuple[list[float], list[float]]] = {}
        self._lock = threading.Lock()

    def put(
        self, namespace: str, name: str, dimensions: dict[str, str], values: Iterable[float]
    ) -> None:
        now = self.clock()
        key = metric_key(namespace, name, dimensions)
        with self._lock:
            times, points = self._points.setdefault(key, ([], []))
            for value in values:
                # A fake clock may be set back between tests: keep the lists sorted by time.
                at = bisect.bisect_right(times, now)
                times.insert(at, now)
                points.insert(at, float(value))
            if len(times) > KEEP_POINTS:
                del times[:-KEEP_POINTS], points[:-KEEP_POINTS]

    def values(self, key: MetricKey, start: float, end: float) -> list[float]:
        """The datapoints with ``start < time <= end``."""
        with self._lock:
            times, points = self._points.get(key, ([], []))
            return points[bisect.bisect_right(times, start) : bisect.bisect_right(times, end)]

    def names(self) -> list[MetricKey]:
        with self._lock:
            return list(self._points)

    def put_emf(self, text: str) -> int:
        """Every EMF document in ``text`` (a function's log) as metrics; how many points."""
        count = 0
        for namespace, name, dims, values in emf_points(text):
            self.put(namespace, name, dims, values)
            count += len(values)
        return count


def emf_points(text: str) -> list[tuple[str, str, dict[str, str], list[float]]]:
    """(namespace, metric, dimensions, values) for each EMF document line in ``text``, one per
    dimension set, as CloudWatch extracts them from a log event."""
    found = []
    for line in text.splitlines():
        if '"_aws"' not in line:
            continue
        try:
            doc = json.loads(line[line.index("{") :])
            directives = doc["_aws"]["CloudWatchMetrics"]
        except (ValueError, KeyError, TypeError):
            continue
        for directive in directives:
            for dimension_set in directive.get("Dimensions", [[]]):
                dims = {d: str(doc[d]) for d in dimension_set if d in doc}
                if len(dims) != len(dimension_set):
                    continue  # CloudWatch drops a set naming a missing member
                for metric in directive.get("Metrics", []):
                    raw = doc.get(metric["Name"])
                    values = raw if isinstance(raw, list) else [raw]
                    numbers = [float(v) for v in values if isinstance(v, (int, float))]
                    if numbers:
                        found.append((directive["Namespace"], metric["Name"], dims, numbers))
    return found


def statistic(values: list[float], stat: str) -> float | None:
    """CloudWatch's statistic of one period's datapoints (None: no data)."""
    if not values:
        return None
    if stat == "Sum":
        return sum(values)
    if stat == "Average":
        return sum(values) / len(values)
    if stat == "Minimum":
        return min(values)
    if stat == "Maximum":
        return max(values)
    if stat == "SampleCount":
        return float(len(values))
    match = re.fullmatch(r"p(\d+(?:\.\d+)?)", stat)
    if match:  # nearest rank, as CloudWatch computes percentiles of raw values
        ordered = sorted(values)
        rank = max(1, math.ceil(float(match.group(1)) / 100 * len(ordered)))
        return ordered[rank - 1]
    raise ValueError(f"statistic {stat!r} is not evaluated locally")


# ---------------------------------------------------------------------------- metric math
_MATH_FUNCTIONS = {"FILL", "IF", "MAX", "MIN", "ABS"}


def evaluate_expression(expression: str, values: dict[str, float | None]) -> float | None:
    """One period's value of a metric math expression over other queries' values.

    Arithmetic, comparisons, FILL(m, value), IF(cond, a, b), MAX/MIN([..]), ABS; missing data
    (None) stays missing unless FILLed. Other functions raise ValueError."""
    tree = ast.parse(expression.replace("\n", " "), mode="eval")

    def ev(node: ast.AST) -> float | None:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ValueError(f"unknown metric id {node.id!r} in {expression!r}")
            return values[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = ev(node.operand)
            return None if v is None else -v
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            if a is None or b is None:
                return None
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return None if b == 0 else a / b
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            a, b = ev(node.left), ev(node.comparators[0])
            if a is None or b is None:
                return None
            op = node.ops[0]
            result = {
                ast.Gt: a > b,
                ast.GtE: a >= b,
                ast.Lt: a < b,
                ast.LtE: a <= b,
                ast.Eq: a == b,
                ast.NotEq: a != b,
            }.get(type(op))
            if result is not None:
                return 1.0 if result else 0.0
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name == "FILL" and len(node.args) == 2:
                v = ev(node.args[0])
                return ev(node.args[1]) if v is None else v
            if name == "IF" and len(node.args) in (2, 3):
                cond = ev(node.args[0])
                if cond is None:
                    return None
                if cond:
                    return ev(node.args[1])
                return ev(node.args[2]) if len(node.args) == 3 else None
            if name in ("MAX", "MIN") and len(node.args) == 1:
                arg = node.args[0]
                items = [ev(e) for e in arg.elts] if isinstance(arg, ast.List) else [ev(arg)]
                present = [i for i in items if i is not None]
                if not present:
                    return None
                return max(present) if name == "MAX" else min(present)
            if name == "ABS" and len(node.args) == 1:
                v = ev(node.args[0])
                return None if v is None else abs(v)
        raise ValueError(f"{ast.dump(node)} is not evaluated locally ({expression!r})")

    return ev(tree)


# -------------------------------------------------------------------------- alarm rules
_RULE_TOKENS = re.compile(
    r"\s*(?:(?P<fn>ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?P<name>\"[^\"]+\"|[^\s()]+)\s*\)"
    r"|(?P<word>AND|OR|NOT|TRUE|FALSE)\b|(?P<paren>[()]))"
)


def evaluate_rule(rule: str, state_of: Callable[[str], str]) -> bool:
    """A composite alarm's AlarmRule, with ``state_of(name or ARN)`` giving each alarm's state.
    NOT binds tighter than AND, AND tighter than OR; parentheses group."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = rule.strip()
    while pos < len(text):
        match = _RULE_TOKENS.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"cannot read AlarmRule at {text[pos:]!r}")
        if match.group("fn"):
            tokens.append(("state", f"{match.group('fn')}:{match.group('name').strip(chr(34))}"))
        elif match.group("word"):
            tokens.append(("word", match.group("word")))
        else:
            tokens.append(("paren", match.group("paren")))
        pos = match.end()
    at = 0

    def peek() -> tuple[str, str] | None:
        return tokens[at] if at < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal at
        at += 1
        return tokens[at - 1]

    def disjunction() -> bool:
        value = conjunction()
        while peek() == ("word", "OR"):
            take()
            value = conjunction() or value
        return value

    def conjunction() -> bool:
        value = negation()
        while peek() == ("word", "AND"):
            take()
            value = negation() and value
        return value

    def negation() -> bool:
        if peek() == ("word", "NOT"):
            take()
            return not negation()
        kind, token = take()
        if kind == "paren" and token == "(":
            value = disjunction()
            take()
            return value
        if kind == "word" and token in ("TRUE", "FALSE"):
            return token == "TRUE"
        want, _, name = token.partition(":")
        return state_of(name) == want

    result = disjunction()
    if at != len(tokens):
        raise ValueError(f"cannot read AlarmRule {rule!r}")
    return result


# ------------------------------------------------------------------------------- alarms
_COMPARE = {
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "GreaterThanThreshold": lambda v, t: v > t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}


@dataclass
class Query:
    """One entry of an alarm's ``Metrics`` (or the alarm's own single metric)."""

    id: str
    key: MetricKey | None = None
    period: int = 60
    stat: str = "Sum"
    expression: str | None = None
    return_data: bool = True


@dataclass
class Alarm:
    logical_id: str
    name: str
    arn: str
    description: str
    composite: bool
    properties: dict[str, Any]
    queries: list[Query] = field(default_factory=list)
    state: str = INSUFFICIENT
    reason: str = "Unchecked: Initial alarm creation"
    changed_at: float = 0.0
    #: The values of the last evaluation's periods, newest first (None: missing).
    last_values: list[float | None] = field(default_factory=list)
    #: When it last left ALARM (an actions suppressor's extension period counts from here).
    left_alarm_at: float | None = None
    #: A composite's ALARM whose actions its suppressor held back: why (CloudWatch's
    #: ActionsSuppressedReason), or (deadline, old state) while it waits for the suppressor.
    suppressed: str | None = None
    pending: tuple[float, str] | None = None

    @property
    def period(self) -> int:
        return max((q.period for q in self.queries if q.key is not None), default=60)

    @classmethod
    def from_resource(cls, logical_id: str, name: str, arn: str, props: dict[str, Any]) -> Alarm:
        composite = "AlarmRule" in props
        alarm = cls(logical_id, name, arn, props.get("AlarmDescription", ""), composite, props)
        if composite:
            return alarm
        if "Metrics" in props:
            for q in props["Metrics"]:
                stat = q.get("MetricStat")
                if stat:
                    m = stat["Metric"]
                    dims = {d["Name"]: str(d["Value"]) for d in m.get("Dimensions", [])}
                    alarm.queries.append(
                        Query(
                            q["Id"],
                            metric_key(m["Namespace"], m["MetricName"], dims),
                            int(stat["Period"]),
                            stat["Stat"],
                            return_data=q.get("ReturnData", True) not in (False, "false"),
                        )
                    )
                else:
                    alarm.queries.append(
                        Query(
                            q["Id"],
                            expression=q["Expression"],
                            period=int(q.get("Period", 60)),
                            return_data=q.get("ReturnData", True) not in (False, "false"),
                        )
                    )
        else:
            dims = {d["Name"]: str(d["Value"]) for d in props.get("Dimensions", [])}
            alarm.queries.append(
                Query(
                    "m1",
                    metric_key(props["Namespace"], props["MetricName"], dims),
                    int(props["Period"]),
                    props.get("ExtendedStatistic") or props["Statistic"],
                )
            )
        return alarm

    def metric_keys(self) -> list[MetricKey]:
        return [q.key for q in self.queries if q.key is not None]


@dataclass
class StateChange:
    """One alarm's transition, as its notification describes it."""

    alarm: str
    old: str
    new: str
    reason: str


class AlarmEvaluator:
    """Evaluates a stack's alarms against :class:`Metrics` and acts on their state changes."""

    def __init__(
        self,
        alarms: list[Alarm],
        metrics: Metrics,
        publish: Callable[[str, str, str], None],
        record_state: Callable[[Alarm], None] = lambda alarm: None,
        sample: Callable[[MetricKey], float | None] = lambda key: None,
        region: str = "eu-west-2",
        account: str = "123456789012",
        period_scale: float = 1.0,
    ) -> None:
        self.alarms = {a.name: a for a in alarms}
        self.metrics = metrics
        self.period_scale = period_scale
        self.region = region
        self.account = account
        self._publish = publish
        self._record_state = record_state
        self._samplers = [sample]
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._detach: Callable[[], None] = lambda: None
        self.errors: list[str] = []

    @property
    def clock(self) -> Callable[[], float]:
        return self.metrics.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self.metrics.clock = clock

    # -- building -------------------------------------------------------------------------
    @classmethod
    def for_stack(
        cls, cloud: Any, stack: Stack, metrics: Metrics | None = None, period_scale: float = 1.0
    ) -> AlarmEvaluator:
        """The stack's alarms, fed by the cloud's invocations and execution history."""
        alarms = [
            Alarm.from_resource(
                r.logical_id, r.ref, r.attributes.get("Arn", r.ref), r.properties or {}
            )
            for r in stack.resources.values()
            if r.type in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
        ]
        metrics = metrics or Metrics()
        sns, sqs, cw = cloud.client("sns"), cloud.client("sqs"), cloud.client("cloudwatch")

        def publish(topic: str, subject: str, message: str) -> None:
            sns.publish(TopicArn=topic, Subject=subject, Message=message)

        def record_state(alarm: Alarm) -> None:
            if not alarm.composite:  # moto 5.2.5 keeps no composite alarms
                cw.set_alarm_state(
                    AlarmName=alarm.name, StateValue=alarm.state, StateReason=alarm.reason[:1023]
                )

        def sample(key: MetricKey) -> float | None:
            namespace, name, dims = key
            queue = dict(dims).get("QueueName")
            if namespace != "AWS/SQS" or queue is None or len(dims) != 1:
                return None
            attribute = _QUEUE_ATTRIBUTES.get(name)
            if attribute is None:
                return None
            url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[attribute])
            return float(attributes["Attributes"].get(attribute, 0))

        evaluator = cls(
            alarms,
            metrics,
            publish,
            record_state,
            sample,
            region=cloud.region,
            period_scale=period_scale,
        )
        for alarm in alarms:  # moto creates alarms OK; CloudWatch, INSUFFICIENT_DATA
            with contextlib.suppress(Exception):
                record_state(alarm)
        runtime = cloud.runtime
        names = {spec.logical_id: spec.name for spec in runtime.functions}

        def on_invocation(inv: Any) -> None:
            if evaluator._stop.is_set():
                return
            function = names.get(inv.function) or runtime.spec(inv.function).name
            evaluator.lambda_invocation(function, inv.error_type, inv.duration_ms, inv.logs)

        cloud.add_listener(on_invocation)
        cloud.add_history_listener(evaluator.history_event)
        evaluator._detach = lambda: cloud.remove_history_listener(evaluator.history_event)
        return evaluator

    # -- what the emulated services report ------------------------------------------------
    def lambda_invocation(
        self, function: str, error_type: str | None, duration_ms: float, logs: str
    ) -> None:
        """What Lambda reports for one invocation, and the EMF metrics in its log."""
        dims = {"FunctionName": function}
        self.metrics.put("AWS/Lambda", "Invocations", dims, [1])
        self.metrics.put("AWS/Lambda", "Errors", dims, [1 if error_type else 0])
        self.metrics.put("AWS/Lambda", "Duration", dims, [duration_ms])
        if '"_aws"' in logs:
            self.metrics.put_emf(logs)

    def history_event(self, execution_arn: str, event: dict[str, Any]) -> None:
        """Step Functions' execution metrics, from the interpreter's history events."""
        metric = _EXECUTION_METRICS.get(event.get("type", ""))
        if metric is None:
            return
        prefix, _, _ = execution_arn.rpartition(":")
        machine = prefix.replace(":execution:", ":stateMachine:")
        self.metrics.put("AWS/States", metric, {"StateMachineArn": machine}, [1])

    def api_request(self, api_name: str, stage: str, status: int, latency_ms: float) -> None:
        """API Gateway's per-stage metrics for one request."""
        dims = {"ApiName": api_name, "Stage": stage}
        self.metrics.put("AWS/ApiGateway", "Count", dims, [1])
        self.metrics.put("AWS/ApiGateway", "4XXError", dims, [1 if 400 <= status < 500 else 0])
        self.metrics.put("AWS/ApiGateway", "5XXError", dims, [1 if status >= 500 else 0])
        self.metrics.put("AWS/ApiGateway", "Latency", dims, [latency_ms])

    # -- evaluation -----------------------------------------------------------------------
    def evaluate(self) -> list[StateChange]:
        """Evaluate every alarm now (metric alarms, then composites); act on changes."""
        with self._lock:
            self._take_samples()  # stamped now: inside the periods evaluated below
            now = self.clock()
            changes = []
            for alarm in self.alarms.values():
                if not alarm.composite:
                    changes += self._settle(alarm, *self._metric_state(alarm, now), now)
            for alarm in self.alarms.values():
                if alarm.composite:
                    changes += self._settle(alarm, *self._composite_state(alarm), now)
            self._release_pending(now)
            return changes

    def states(self) -> list[Alarm]:
        with self._lock:
            return sorted(self.alarms.values(), key=lambda a: (a.state != ALARM, a.name))

    def alarm(self, name_or_logical_id: str) -> Alarm:
        for alarm in self.alarms.values():
            if name_or_logical_id in (alarm.name, alarm.logical_id, alarm.arn):
                return alarm
        raise KeyError(name_or_logical_id)

    def add_sampler(self, sampler: Callable[[MetricKey], float | None]) -> None:
        """Another gauge source, asked at each evaluation for each metric an alarm watches
        (None: not one of its metrics), e.g. the local ECS service's task counts."""
        self._samplers.append(sampler)

    def start(self, interval: float = 10.0) -> AlarmEvaluator:
        """Evaluate every ``interval`` seconds on a thread (CloudWatch: every minute)."""

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.evaluate()
                except Exception as exc:  # keep evaluating; the error is kept for people
                    self.errors = [*self.errors[-9:], f"{type(exc).__name__}: {exc}"]

        self._thread = threading.Thread(target=run, name="alarm-evaluator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop evaluating and stop listening to the cloud (for_stack's listeners)."""
        self._stop.set()
        self._detach()

    # -- internals ------------------------------------------------------------------------
    def _take_samples(self) -> None:
        """Gauges the services publish on their own (queue depths): one point each, now."""
        seen = set()
        for alarm in self.alarms.values():
            for key in alarm.metric_keys():
                if key in seen:
                    continue
                seen.add(key)
                for sampler in self._samplers:
                    with contextlib.suppress(Exception):  # a queue deleted meanwhile: no data
                        value = sampler(key)
                        if value is not None:
                            namespace, name, dims = key
                            self.metrics.put(namespace, name, dict(dims), [value])
                            break

    def _period_values(self, alarm: Alarm, now: float) -> list[float | None]:
        """The alarm's value in each of its evaluation periods, newest first."""
        periods = int(alarm.properties.get("EvaluationPeriods", 1))
        values: list[float | None] = []
        for i in range(periods):
            by_id: dict[str, float | None] = {}
            for q in alarm.queries:
                if q.key is None:
                    continue
                length = q.period * self.period_scale
                end = now - i * length
                by_id[q.id] = statistic(self.metrics.values(q.key, end - length, end), q.stat)
            for q in alarm.queries:
                if q.expression is not None:
                    by_id[q.id] = evaluate_expression(q.expression, by_id)
            returned = [q for q in alarm.queries if q.return_data]
            values.append(by_id[returned[-1].id] if returned else None)
        return values

    def _metric_state(self, alarm: Alarm, now: float) -> tuple[str, str]:
        props = alarm.properties
        values = self._period_values(alarm, now)
        alarm.last_values = values
        threshold = float(props["Threshold"])
        compare = _COMPARE[props["ComparisonOperator"]]
        treat = props.get("TreatMissingData", "missing")
        needed = int(props.get("DatapointsToAlarm", props.get("EvaluationPeriods", 1)))
        verdicts: list[bool] = []
        for value in values:
            if value is None:
                if treat == "breaching":
                    verdicts.append(True)
                elif treat == "notBreaching":
                    verdicts.append(False)
                continue
            verdicts.append(bool(compare(value, threshold)))
        shown = ", ".join("missing" if v is None else f"{v:g}" for v in reversed(values))
        if not verdicts:
            if treat == "ignore":
                return alarm.state, alarm.reason
            return INSUFFICIENT, f"Insufficient Data: no datapoints in {len(values)} periods"
        breaching = sum(verdicts)
        op = props["ComparisonOperator"]
        if breaching >= needed:
            return ALARM, (
                f"Threshold Crossed: {breaching} out of the last {len(values)} datapoints "
                f"[{shown}] were {op} the threshold ({threshold:g})."
            )
        return OK, (
            f"Threshold Crossed: {len(verdicts) - breaching} out of the last {len(values)} "
            f"datapoints [{shown}] were not {op} the threshold ({threshold:g})."
        )

    def _composite_state(self, alarm: Alarm) -> tuple[str, str]:
        def state_of(name: str) -> str:
            return self.alarm(name.rsplit(":alarm:", 1)[-1]).state

        rule = alarm.properties["AlarmRule"]
        if evaluate_rule(rule, state_of):
            return ALARM, f"arn {alarm.arn} transitioned to ALARM: {rule}"
        return OK, f"arn {alarm.arn} transitioned to OK: {rule}"

    def _settle(self, alarm: Alarm, state: str, reason: str, now: float) -> list[StateChange]:
        if state == alarm.state:
            return []
        old = alarm.state
        alarm.state, alarm.reason, alarm.changed_at = state, reason, now
        if old == ALARM:
            alarm.left_alarm_at = now
        with contextlib.suppress(Exception):
            self._record_state(alarm)
        change = [StateChange(alarm.name, old, state, reason)]
        if alarm.composite and alarm.properties.get("ActionsSuppressor"):
            if state == ALARM:
                alarm.suppressed = self._suppressed_by(alarm, now)
                wait = float(alarm.properties.get("ActionsSuppressorWaitPeriod", 0))
                if alarm.suppressed is None and wait > 0:
                    alarm.pending = (now + wait * self.period_scale, old)
                if alarm.suppressed or alarm.pending:
                    return change
            elif alarm.suppressed or alarm.pending:
                # Nobody heard of the ALARM: no OK for it either.
                alarm.suppressed = alarm.pending = None
                return change
        self._act(alarm, old, now)
        return change

    def _suppressed_by(self, alarm: Alarm, now: float) -> str | None:
        """Why a composite's actions are held back now: its suppressor is in ALARM, or left
        it less than ActionsSuppressorExtensionPeriod ago."""
        suppressor = self.alarm(str(alarm.properties["ActionsSuppressor"]).rsplit(":alarm:")[-1])
        if suppressor.state == ALARM:
            return "Alarm"
        extension = float(alarm.properties.get("ActionsSuppressorExtensionPeriod", 0))
        left = suppressor.left_alarm_at
        if left is not None and now - left <= extension * self.period_scale:
            return "ExtensionPeriod"
        return None

    def _release_pending(self, now: float) -> None:
        """Composites waiting for their suppressor: suppressed if it went to ALARM meanwhile,
        else their actions run once the wait period is over."""
        for alarm in self.alarms.values():
            if alarm.pending is None:
                continue
            deadline, old = alarm.pending
            if self._suppressed_by(alarm, now) == "Alarm":
                alarm.pending, alarm.suppressed = None, "WaitPeriod"
            elif now >= deadline:
                alarm.pending = None
                self._act(alarm, old, now)

    def _act(self, alarm: Alarm, old: str, now: float) -> None:
        """Run the actions of the alarm's current state (SNS topics: the notification)."""
        actions = {
            ALARM: "AlarmActions",
            OK: "OKActions",
            INSUFFICIENT: "InsufficientDataActions",
        }[alarm.state]
        if alarm.properties.get("ActionsEnabled", True) in (False, "false"):
            return
        for target in alarm.properties.get(actions, []):
            if str(target).startswith("arn:aws:sns:"):
                subject, message = self.notification(alarm, old, now)
                self._publish(str(target), subject, message)

    def notification(self, alarm: Alarm, old: str, now: float) -> tuple[str, str]:
        """CloudWatch's SNS notification for a state change: subject and JSON message."""
        region = REGION_NAMES.get(self.region, self.region)
        subject = f'{alarm.state}: "{alarm.name}" in {region}'
        if len(subject) > SUBJECT_MAX:
            subject = subject[: SUBJECT_MAX - 3] + "..."
        at = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        message: dict[str, Any] = {
            "AlarmName": alarm.name,
            "AlarmDescription": alarm.description.strip(),
            "AWSAccountId": self.account,
            "NewStateValue": alarm.state,
            "NewStateReason": alarm.reason,
            "StateChangeTime": f"{at}+0000",
            "Region": region,
            "AlarmArn": alarm.arn,
            "OldStateValue": old,
        }
        props = alarm.properties
        if alarm.composite:
            message["AlarmRule"] = props["AlarmRule"]
        else:
            message["Trigger"] = {
                "EvaluationPeriods": int(props.get("EvaluationPeriods", 1)),
                "DatapointsToAlarm": int(
                    props.get("DatapointsToAlarm", props.get("EvaluationPeriods", 1))
                ),
                "ComparisonOperator": props["ComparisonOperator"],
                "Threshold": float(props["Threshold"]),
                "TreatMissingData": props.get("TreatMissingData", "missing"),
                "Period": alarm.period,
            }
        return subject, json.dumps(message, indent=2)

    def wait_for(self, name: str, state: str, timeout: float = 30) -> Alarm:
        """Evaluate until ``name`` (alarm name or logical id) is in ``state``."""
        alarm = self.alarm(name)
        deadline = time.monotonic() + timeout
        while alarm.state != state:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{alarm.name} is {alarm.state}, not {state}: {alarm.reason}")
            self.evaluate()
            if alarm.state != state:
                time.sleep(0.05)
        return alarm


#: SQS's CloudWatch metrics and the queue attributes they are sampled from.
_QUEUE_ATTRIBUTES = {
    "ApproximateNumberOfMessagesVisible": "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible": "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed": "ApproximateNumberOfMessagesDelayed",
}
_EXECUTION_METRICS = {
    "ExecutionStarted": "ExecutionsStarted",
    "ExecutionSucceeded": "ExecutionsSucceeded",
    "ExecutionFailed": "ExecutionsFailed",
    "ExecutionTimedOut": "ExecutionsTimedOut",
    "ExecutionAborted": "ExecutionsAborted",
}

__all__ = ["ALARM", "INSUFFICIENT", "OK", "Alarm", "AlarmEvaluator", "Metrics", "StateChange"]
