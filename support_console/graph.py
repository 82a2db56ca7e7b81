"""The booking state machine as a picture: an inline SVG drawn from the ASL definition.

States are boxes on a grid. The happy path (StartAt, then each state's Next, a Choice's
Default) runs top-down in the first column; every other state (compensations, failure
recording, Fail states) goes beside it, each a row below the earliest state that can lead to
it and below the states before it in its own chain. Edges come from Next, Catch, Choices and
Default and are drawn as orthogonal lines in the gaps between boxes, so no line crosses a box.

Given an execution's path, the states it visited are numbered in order and coloured, the
transitions it took are drawn bold, the state where it failed is red.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from support_console import templating
from support_console.records import Path

BOX_W, BOX_H = 150, 42
GAP_X, GAP_Y = 44, 34
PAD = 30
TOP = 34  # room for the start marker
MAX_COLUMNS = 4
LANE = 6


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # next | default | choice | catch
    labels: list[str] = field(default_factory=list)


@dataclass
class Box:
    name: str
    type: str
    row: int
    col: int

    @property
    def left(self) -> float:
        return PAD + self.col * (BOX_W + GAP_X)

    @property
    def top(self) -> float:
        return TOP + PAD + self.row * (BOX_H + GAP_Y)

    @property
    def cx(self) -> float:
        return self.left + BOX_W / 2

    @property
    def cy(self) -> float:
        return self.top + BOX_H / 2


def edges(definition: dict[str, Any]) -> list[Edge]:
    """Every possible transition, one edge per (source, target) with what leads along it."""
    found: dict[tuple[str, str], Edge] = {}
    rank = {"next": 0, "default": 1, "choice": 2, "catch": 3}

    def add(source: str, target: str | None, kind: str, label: str) -> None:
        if not target:
            return
        edge = found.setdefault((source, target), Edge(source, target, kind))
        if rank[kind] < rank[edge.kind]:
            edge.kind = kind
        if label and label not in edge.labels:
            edge.labels.append(label)

    for name, state in definition.get("States", {}).items():
        add(name, state.get("Next"), "next", "")
        add(name, state.get("Default"), "default", "default")
        for choice in state.get("Choices", []):
            add(name, choice.get("Next"), "choice", _condition(choice))
        for catch in state.get("Catch", []):
            add(name, catch.get("Next"), "catch", ", ".join(catch.get("ErrorEquals", [])))
    return list(found.values())


def happy_path(definition: dict[str, Any]) -> list[str]:
    states = definition.get("States", {})
    path: list[str] = []
    name = str(definition.get("StartAt", ""))
    while name in states and name not in path:
        path.append(name)
        state = states[name]
        name = str(state.get("Next") or state.get("Default") or "")
    return path


def layout(definition: dict[str, Any]) -> dict[str, Box]:
    states: dict[str, Any] = definition.get("States", {})
    order = {name: i for i, name in enumerate(states)}
    happy = happy_path(definition)
    row_of_happy = {name: i for i, name in enumerate(happy)}
    preds: dict[str, list[str]] = defaultdict(list)
    for edge in edges(definition):
        if edge.target in states and edge.source != edge.target:
            preds[edge.target].append(edge.source)

    # Layers: happy states by their place on the path; the others one below the earliest
    # happy state leading to them, and below every other state leading to them.
    layer = {name: row_of_happy.get(name, 0) for name in states}
    others = [n for n in states if n not in row_of_happy]
    for _ in range(len(states)):
        changed = False
        for name in others:
            happy_preds = [row_of_happy[p] + 1 for p in preds[name] if p in row_of_happy]
            other_preds = [layer[p] + 1 for p in preds[name] if p not in row_of_happy]
            value = max([min(happy_preds, default=0), *other_preds])
            if value != layer[name] and value <= len(states):
                layer[name], changed = value, True
        if not changed:
            break

    boxes: dict[str, Box] = {}
    grid_row = 0
    last_happy_layer = len(happy) - 1
    for current in range(max(layer.values(), default=0) + 1):
        members = [n for n in states if layer[n] == current]
        if not members:
            continue
        on_path = [n for n in members if n in row_of_happy]
        rest = [n for n in members if n not in row_of_happy]
        for name in on_path:
            boxes[name] = Box(name, states[name].get("Type", ""), grid_row, 0)

        def preferred(name: str) -> int:
            placed = [boxes[p].col for p in preds[name] if p in boxes and p not in row_of_happy]
            return min(placed) if placed else 1

        rest.sort(key=lambda n: (preferred(n), order[n]))
        first_free = [c for c in range(MAX_COLUMNS) if not (on_path and c == 0)]
        if len(rest) <= len(first_free):
            for name in rest:
                col = _nearest(first_free, preferred(name))
                first_free.remove(col)
                boxes[name] = Box(name, states[name].get("Type", ""), grid_row, col)
            grid_row += 1
            continue
        # Too many for one row (a Choice fanning out): wrap into more rows.
        free, row = first_free, grid_row
        keep_happy_column = current < last_happy_layer
        for i, name in enumerate(rest):
            if not free:
                row += 1
                free = [c for c in range(MAX_COLUMNS) if not (keep_happy_column and c == 0)]
            # On the last, part-filled row each state takes the column nearest its source's
            # (a state reached from beside the fan-out, such as the operations alert's end).
            last_row = len(rest) - i <= len(free)
            col = _nearest(free, preferred(name)) if last_row else free[0]
            free.remove(col)
            boxes[name] = Box(name, states[name].get("Type", ""), row, col)
        grid_row = row + 1
    return boxes


class _Router:
    """Orthogonal routes through the gaps between boxes, with a lane per source."""

    def __init__(self) -> None:
        self.vlanes: dict[int, list[str]] = defaultdict(list)
        self.hlanes: dict[int, list[str]] = defaultdict(list)

    def _lane(self, lanes: dict[int, list[str]], index: int, source: str) -> float:
        users = lanes[index]
        if source not in users:
            users.append(source)
        i = users.index(source)
        return ((i + 1) // 2) * LANE * (1 if i % 2 else -1)

    def vchan(self, col: int, source: str) -> float:
        """x of the gap to the right of column ``col`` (-1: left of the first column)."""
        base = PAD + col * (BOX_W + GAP_X) + BOX_W + GAP_X / 2
        return base + self._lane(self.vlanes, col, source)

    def hchan(self, row: int, source: str) -> float:
        """y of the gap below grid row ``row``."""
        base = TOP + PAD + row * (BOX_H + GAP_Y) + BOX_H + GAP_Y / 2
        return base + self._lane(self.hlanes, row, source)

    def route(self, a: Box, b: Box) -> list[tuple[float, float]]:
        s = a.name
        if b.row == a.row and abs(b.col - a.col) == 1:
            right = b.col > a.col
            return [
                (a.left + BOX_W if right else a.left, a.cy),
                (b.left if right else b.left + BOX_W, b.cy),
            ]
        if b.row == a.row + 1:
            if a.col == b.col:
                return [(a.cx, a.top + BOX_H), (b.cx, b.top)]
            y = self.hchan(a.row, s)
            return [(a.cx, a.top + BOX_H), (a.cx, y), (b.cx, y), (b.cx, b.top)]
        if b.row > a.row + 1:
            col = b.col - 1 if b.col > a.col else b.col
            x = self.vchan(col, s)
            y = self.hchan(b.row - 1, s)
            if col == a.col:  # the gap is right of the source: leave by its right side
                start = [(a.left + BOX_W, a.cy), (x, a.cy)]
            elif col == a.col - 1:
                start = [(a.left, a.cy), (x, a.cy)]
            else:
                y0 = self.hchan(a.row, s)
                start = [(a.cx, a.top + BOX_H), (a.cx, y0), (x, y0)]
            return [*start, (x, y), (b.cx, y), (b.cx, b.top)]
        # Upwards (or along a row to a box further away): beside the target, into its side.
        if b.col > a.col:
            x = self.vchan(b.col - 1, s)
            end = [(b.left, b.cy)]
        else:
            x = self.vchan(b.col, s)
            end = [(b.left + BOX_W, b.cy)]
        if abs(b.col - a.col) <= 1 and b.col != a.col:
            start = [(a.left + BOX_W if b.col > a.col else a.left, a.cy)]
        else:
            y0 = self.hchan(a.row - 1, s)
            start = [(a.cx, a.top), (a.cx, y0)]
            start.append((x, y0))
        return [*start, (x, start[-1][1]), (x, b.cy), *end]


@dataclass(frozen=True)
class Line:
    """An edge as drawn: an SVG path with its arrowhead and a tooltip."""

    css: str
    d: str
    marker: str
    title: str | None = None


@dataclass(frozen=True)
class Node:
    """A state as drawn: its box, its CSS classes and, if visited, its step numbers."""

    box: Box
    classes: str
    title: str
    label: str
    kind: str
    steps: str = ""  # "1" or "2,5": when the execution entered it
    attempts: int = 0  # shown when more than one

    @property
    def polygon(self) -> str | None:
        """A Choice is a hexagon; other states are rounded rectangles."""
        if self.box.type != "Choice":
            return None
        x, y, w, h, k = self.box.left, self.box.top, BOX_W, BOX_H, 12
        return (
            f"{x + k},{y} {x + w - k},{y} {x + w},{y + h / 2} {x + w - k},{y + h} "
            f"{x + k},{y + h} {x},{y + h / 2}"
        )

    @property
    def radius(self) -> float:
        return BOX_H / 2 if self.box.type in {"Fail", "Succeed"} else 6

    @property
    def step_radius(self) -> int:
        return 9 if len(self.steps) < 3 else 12


@dataclass(frozen=True)
class Picture:
    """What templates/graph.svg draws."""

    width: int
    height: int
    start: Line | None = None  # from the start marker to the StartAt state
    start_at: tuple[float, float] | None = None  # the start marker's centre
    start_taken: bool = False
    lines: list[Line] = field(default_factory=list)  # the faint ones first, bold on top
    nodes: list[Node] = field(default_factory=list)
    box_w: int = BOX_W
    box_h: int = BOX_H
    markers: tuple[str, ...] = ("arrow", "arrow-taken", "arrow-error")


def render(definition: dict[str, Any], path: Path | None = None) -> Markup:
    """The SVG (markup to put inline in a page)."""
    return templating.render("graph.svg", picture=picture(definition, path))


def picture(definition: dict[str, Any], path: Path | None = None) -> Picture:
    """Where everything goes and how it looks, for an execution's ``path`` (or none)."""
    states: dict[str, Any] = definition.get("States", {})
    boxes = layout(definition)
    if not boxes:
        return Picture(0, 0)
    width = max(b.left for b in boxes.values()) + BOX_W + PAD
    width = max(width, PAD * 2 + MAX_COLUMNS * BOX_W + (MAX_COLUMNS - 1) * GAP_X)
    height = max(b.top for b in boxes.values()) + BOX_H + PAD

    visits = path.visits if path else []
    taken = path.transitions if path else set()
    step_numbers: dict[str, list[int]] = defaultdict(list)
    for i, seen in enumerate(visits, 1):
        step_numbers[seen.name].append(i)
    last_visit = {v.name: v for v in visits}
    failed = path.failed_state if path else None
    end = path.end_state if path else None

    router = _Router()
    faint: list[Line] = []
    bold: list[Line] = []
    for edge in edges(definition):
        if edge.source not in boxes or edge.target not in boxes:
            continue
        points = router.route(boxes[edge.source], boxes[edge.target])
        went = (edge.source, edge.target) in taken
        error_edge = went and edge.kind == "catch" and _caught(last_visit.get(edge.source))
        css = "edge" + (" taken" if went else "") + (" error" if error_edge else "")
        css += " catch" if edge.kind == "catch" else ""
        title = f"{edge.source} → {edge.target}"
        if edge.labels:
            title += f" ({edge.kind}: {'; '.join(edge.labels)})"
        marker = "arrow-error" if error_edge else "arrow-taken" if went else "arrow"
        (bold if went else faint).append(Line(css, _rounded(points), marker, title))

    start_line, start_at = None, None
    start = boxes.get(definition.get("StartAt", ""))
    if start is not None:
        went = bool(visits)
        start_at = (start.cx, start.top - 24)
        start_line = Line(
            "edge taken" if went else "edge",
            f"M{start.cx},{start.top - 18} L{start.cx},{start.top}",
            "arrow-taken" if went else "arrow",
        )

    nodes = []
    for name, box in boxes.items():
        state = states.get(name, {})
        visit = last_visit.get(name)
        classes = ["state", f"type-{box.type.lower()}"]
        if visit is not None:
            classes.append("visited")
            if visit.outcome in {"running", "waiting"}:
                classes.append("current")
        if name == failed:
            classes.append("failed")
        if name == end:
            classes.append("end-fail" if box.type == "Fail" else "end")
        tip = [f"{name} ({box.type})"]
        if state.get("Comment"):
            tip.append(str(state["Comment"]))
        if visit is not None:
            steps = ", ".join(str(n) for n in step_numbers[name])
            tip.append(f"step {steps}: {visit.outcome}")
            if visit.attempts > 1:
                tip.append(f"{visit.attempts} attempts")
            if visit.error:
                tip.append(f"{visit.error}: {visit.cause or ''}"[:300])
        nodes.append(
            Node(
                box,
                " ".join(classes),
                "\n".join(tip),
                _fit(name),
                _kind(box.type, state),
                ",".join(str(n) for n in step_numbers[name]) if visit is not None else "",
                visit.attempts if visit is not None else 0,
            )
        )
    return Picture(
        round(width), round(height), start_line, start_at, bool(visits), [*faint, *bold], nodes
    )


def _nearest(columns: list[int], wanted: int) -> int:
    """The free column closest to the wanted one (to the right on a tie)."""
    return min(columns, key=lambda c: (abs(c - wanted), -c))


def _caught(visit: Any) -> bool:
    return visit is not None and visit.outcome == "failed"


def _kind(state_type: str, state: dict[str, Any]) -> str:
    if state_type == "Fail":
        return f"Fail · {state.get('Error', '')}" if state.get("Error") else "Fail"
    if state_type == "Task":
        resource = str(state.get("Resource", ""))
        if ".waitForTaskToken" in resource:
            return "Task · waits for a token"
        if resource.startswith("arn:aws:states:::"):
            return f"Task · {resource.removeprefix('arn:aws:states:::')}"
        return "Task · Lambda"
    return state_type


def _fit(name: str, limit: int = 20) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _condition(choice: dict[str, Any]) -> str:
    variable = choice.get("Variable", "")
    for key, value in choice.items():
        if key not in {"Variable", "Next"}:
            return f"{variable} {key} {value}".strip()
    return str(variable)


def _rounded(points: list[tuple[float, float]], radius: float = 6) -> str:
    """An SVG path through ``points`` with rounded corners."""
    pts = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(pts) < 2:
        return ""
    d = [f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"]
    for prev, here, nxt in zip(pts, pts[1:], pts[2:], strict=False):
        r = min(radius, _dist(prev, here) / 2, _dist(here, nxt) / 2)
        a = _towards(here, prev, r)
        b = _towards(here, nxt, r)
        d.append(f"L{a[0]:.1f},{a[1]:.1f} Q{here[0]:.1f},{here[1]:.1f} {b[0]:.1f},{b[1]:.1f}")
    d.append(f"L{pts[-1][0]:.1f},{pts[-1][1]:.1f}")
    return " ".join(d)


def _dist(p: tuple[float, float], q: tuple[float, float]) -> float:
    return float(((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5)


def _towards(p: tuple[float, float], q: tuple[float, float], r: float) -> tuple[float, float]:
    d = _dist(p, q) or 1.0
    return (p[0] + (q[0] - p[0]) * r / d, p[1] + (q[1] - p[1]) * r / d)
