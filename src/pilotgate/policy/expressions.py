"""A small, safe grammar for metric criteria; parsed by hand and never passed to ``eval``.

Grammar::

    condition  := comparison (("and" | "or") comparison)*
    comparison := operand ("<" | "<=" | ">" | ">=" | "==" | "!=") operand
    operand    := NUMBER | call | reference
    call       := dotted "(" [argument ("," argument)*] ")"
    argument   := [NAME "="] (STRING | NUMBER)
    reference  := dotted            e.g. slo.uptime
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Functions the evidence layer evaluates, with the keyword arguments each accepts.
FUNCTIONS: dict[str, frozenset[str]] = {
    "uptime": frozenset({"window"}),
    "p95_latency": frozenset({"window"}),
    "latency_percentile": frozenset({"window", "p"}),
    "error_rate": frozenset({"window"}),
    "adoption_rate": frozenset({"cohort", "window"}),
    "metric": frozenset({"key", "window", "agg", "cohort"}),
    "mlflow.metric": frozenset({"name"}),
}
# The argument a positional value fills: `metric("revenue")`, `mlflow.metric("f1")`.
POSITIONAL: dict[str, str] = {"metric": "key", "mlflow.metric": "name", "latency_percentile": "p"}
REQUIRED: dict[str, frozenset[str]] = {"metric": frozenset({"key"}), "mlflow.metric": frozenset({"name"})}
AGGREGATES = ("avg", "min", "max", "sum", "count", "last", "p50", "p90", "p95", "p99")
_WINDOW = re.compile(r"^\d+[smhdw]$")
REFERENCES = frozenset({"slo.uptime", "slo.latency_ms", "slo.error_rate", "rules.adoption_threshold"})
COMPARATORS = ("<=", ">=", "==", "!=", "<", ">")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>"[^"\\]*"|'[^'\\]*')
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
      | (?P<op><=|>=|==|!=|<|>|\(|\)|,|=)
    )""",
    re.VERBOSE,
)


class ExpressionError(ValueError):
    """The expression does not follow the grammar or names something unknown."""


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Reference:
    name: str


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[str | float, ...]
    kwargs: tuple[tuple[str, str | float], ...]

    def arguments(self) -> dict[str, str | float]:
        """Keyword and positional arguments by name."""
        named = dict(self.kwargs)
        if self.args:
            named[POSITIONAL[self.function]] = self.args[0]
        return named

    def text(self) -> str:
        parts = [repr(a) if isinstance(a, str) else f"{a:g}" for a in self.args]
        parts += [f"{k}={v!r}" if isinstance(v, str) else f"{k}={v:g}" for k, v in self.kwargs]
        return f"{self.function}({', '.join(parts)})".replace("'", '"')


Operand = Number | Reference | Call


@dataclass(frozen=True)
class Comparison:
    left: Operand
    op: str
    right: Operand


@dataclass(frozen=True)
class Condition:
    """Comparisons joined left to right by ``and`` / ``or``."""

    first: Comparison
    rest: tuple[tuple[str, Comparison], ...] = ()


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"unexpected character {text[position:].strip()[:1]!r} at position {position}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, what: str = "more", *, literal: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"expression ends early; expected {what}")
        if literal is not None and token[1] != literal:
            raise ExpressionError(f"expected {literal!r} but found {token[1]!r}")
        self.index += 1
        return token

    def condition(self) -> Condition:
        first = self.comparison()
        rest: list[tuple[str, Comparison]] = []
        while (token := self.peek()) is not None and token[1] in ("and", "or"):
            self.index += 1
            rest.append((token[1], self.comparison()))
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.tokens[self.index][1]!r} after a complete comparison")
        return Condition(first, tuple(rest))

    def comparison(self) -> Comparison:
        left = self.operand()
        _, op = self.take("a comparison such as >=")
        if op not in COMPARATORS:
            raise ExpressionError(f"expected a comparison (one of {', '.join(COMPARATORS)}) but found {op!r}")
        return Comparison(left, op, self.operand())

    def operand(self) -> Operand:
        kind, value = self.take("a number, a function call or a reference")
        if kind == "number":
            return Number(float(value))
        if kind != "name":
            raise ExpressionError(f"expected a number, a function call or a reference but found {value!r}")
        next_token = self.peek()
        if next_token is not None and next_token[1] == "(":
            return self.call(value)
        if value not in REFERENCES:
            raise ExpressionError(f"unknown reference {value!r}; known: {', '.join(sorted(REFERENCES))}")
        return Reference(value)

    def call(self, function: str) -> Call:
        if function not in FUNCTIONS:
            raise ExpressionError(f"unknown function {function!r}; known: {', '.join(sorted(FUNCTIONS))}")
        self.take(literal="(")
        args: list[str | float] = []
        kwargs: list[tuple[str, str | float]] = []
        while (token := self.peek()) is not None and token[1] != ")":
            if args or kwargs:
                self.take(literal=",")
            kind, value = self.take("an argument")
            following = self.peek()
            if kind == "name" and following is not None and following[1] == "=":
                self.take(literal="=")
                if any(name == value for name, _ in kwargs):
                    raise ExpressionError(f"{function}() is given {value!r} twice")
                if value not in FUNCTIONS[function]:
                    allowed = ", ".join(sorted(FUNCTIONS[function]))
                    raise ExpressionError(f"{function}() takes no argument {value!r}; it takes {allowed}")
                kwargs.append((value, self.literal()))
            else:
                self.index -= 1
                args.append(self.literal())
        self.take(literal=")")
        call = Call(function, tuple(args), tuple(kwargs))
        _check_arguments(call)
        return call

    def literal(self) -> str | float:
        kind, value = self.take("a string or a number")
        if kind == "number":
            return float(value)
        if kind == "string":
            return value[1:-1]
        raise ExpressionError(f"expected a quoted string or a number but found {value!r}")


def _check_arguments(call: Call) -> None:
    function = call.function
    if len(call.args) > (1 if function in POSITIONAL else 0):
        raise ExpressionError(f'{function}() takes keyword arguments such as window="30d", not positional ones')
    if call.args and POSITIONAL[function] in dict(call.kwargs):
        raise ExpressionError(f"{function}() is given {POSITIONAL[function]!r} twice")
    named = call.arguments()
    missing = REQUIRED.get(function, frozenset()) - named.keys()
    if missing:
        raise ExpressionError(f"{function}() needs {', '.join(sorted(missing))}")
    for name, value in named.items():
        if name in ("window", "key", "name", "cohort", "agg") and not isinstance(value, str):
            raise ExpressionError(f"{function}(): {name} must be a quoted string")
    window = named.get("window")
    if isinstance(window, str) and not _WINDOW.match(window):
        raise ExpressionError(f'{function}(): window {window!r} is not a duration like "30d", "12h" or "4w"')
    agg = named.get("agg")
    if agg is not None and agg not in AGGREGATES:
        raise ExpressionError(f"{function}(): agg {agg!r} is not one of {', '.join(AGGREGATES)}")
    p = named.get("p")
    if p is not None and (not isinstance(p, float) or not 0 < p < 100):
        raise ExpressionError(f"{function}(): p must be a number between 0 and 100, e.g. p=99")


def parse(text: str) -> Condition:
    """Parse a metric criterion's expression or raise ExpressionError saying what is wrong."""
    if not text.strip():
        raise ExpressionError("expression is empty")
    return _Parser(text).condition()
