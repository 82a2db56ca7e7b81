"""Caches for work moto repeats on every request, each keeping moto's answers exactly.

Under load (issue 13) a profile of the stack showed two kinds of repeated work that did not
depend on the request at all:

- **JSONPath parsing.** The Step Functions interpreter and EventBridge's input transformer
  parse each JSONPath (``$$.Task.Token``, ``$.orderId``…) again at every evaluation, and
  ``jsonpath_ng`` builds a fresh PLY lexer for each parse: ~10% of the stack's CPU. A parsed
  path is an immutable tree (``find`` builds new result objects), so one parse per string
  serves every evaluation on every thread.
- **Response attribute lookups.** moto's generic response serializer asks six alias providers,
  for every member of every structure it serializes, which names the value may have on the
  Python object (``ItemCount``, ``item_count``…): ~15-20% of the stack's CPU (DynamoDB items,
  stream records). The candidate names depend only on the member's shape, its parent shape and
  the object's class, so they are computed once per combination; the lookup itself, in
  moto's order, still runs for every value.
- **Per-request reflection and parsing.** moto lists a response class's methods
  (``inspect.getmembers``) on every request, and parses an UpdateExpression twice per
  UpdateItem (the handler, then the backend). The method list is cached per class (and redone
  if the class gains an attribute); the parsed expression per string: its only users read it
  or deep-copy it before validating, so one parse serves every call.
- **Copying a parsed UpdateExpression.** The validator deep-copies the (now shared) parsed
  expression on every UpdateItem, ~10% of the stack's CPU: ``copy.deepcopy`` walks the tree in
  Python. The tree is pickled once and each copy is an unpickling (about 3 times cheaper),
  which rebuilds the same objects through the same ``__reduce_ex__`` protocol as ``deepcopy``.
- **Walking an UpdateExpression's tree.** Ten walkers validate and evaluate each
  UpdateItem's expression, ~35 nodes each, and at every node asked ``isinstance`` of
  abstract classes (Python-level ``ABCMeta.__instancecheck__``) and rebuilt the walker's
  class-to-method map twice: ~11% of the stack's CPU under load. The replacements do the same
  walk in the same order, asking once per class (the node classes register no virtual
  subclasses, so a class's answer never changes) and building a walker's map once.
- **Checks of an expression's shape.** Two of those walkers (one SET/ADD/REMOVE clause each,
  no overlapping paths) look only at the parsed expression and the attribute names, yet ran
  their recursive searches again on every UpdateItem, a third of the validation's time. An
  expression (a parse-cache entry) with the same names that passed once passes again; one
  that is refused is checked, and refused, every time.
- **Lexing a ConditionExpression.** moto lexes every condition by compiling six regular
  expressions per token. The tokens depend only on the string: they are remembered per
  string (as (kind, text) pairs) and each parse gets new nodes built from them, as the lexer
  builds them. An expression the lexer refuses is lexed, and refused, every time.
- **Turning a stored value into JSON.** Every stream record converts the item's images, and
  moto's conversion deep-copied each list and map, nested values included, then converted
  each nested value again (copying it again): ~2% of the stack's CPU. The replacement builds
  the same new lists and maps, converting nested values once.
- **Serializing DynamoDB's attribute values.** moto's response serializer walks every
  attribute value member by member through the service model (ten members, each looked up
  under several alias names): over half the CPU of a GetItem of a small item. An attribute
  value of the plain form moto's DynamoDB handler produces (one type key; strings, bytes,
  booleans, lists and maps of those) is written straight into the same JSON; anything else
  takes moto's path.
- **The clients' side of the same values.** botocore serializes each attribute value of a
  request, and parses each of a response, through the same ten-member shape walk (~3% of the
  CPU under load, for the handlers' clients in this process). Plain values take the same
  short cut in both directions: the same JSON out, the same Python values back (blobs
  through the parser's own blob parser); anything else takes botocore's path.
- **Random strings.** Every moto response carries a 52-character request id, drawn one
  ``random.choice`` call per character (~1.5% of the CPU under load). The same characters
  from the same pool are drawn in one ``random.choices`` call.
- **Signing calls nobody checks.** A call moto's stubber answers in this process was SigV4
  signed first (canonical request, payload hash, five HMACs): ~5% of the stack's CPU. moto
  never checks a signature; it reads the Authorization header's credential scope (the access
  key, for the account; SQS's region). Such calls carry that header with the scope and a
  zero signature. S3's keep their signature: they travel over loopback, and its presigned
  URLs are signed URLs.
- **Garbage collection.** The stack keeps about a million objects alive (modules, service
  models, moto's state); each full collection walked them all, 0.2-0.4 s with the GIL held,
  ~15% of the CPU under load. :func:`settle_heap` moves what start-up built out of the
  collector's sight and collects young objects less often.
"""

from __future__ import annotations

import base64
import collections
import copy
import functools
import gc
import pickle
import string
import threading
import time
from typing import Any

import boto3
import botocore.auth
import botocore.exceptions
import botocore.handlers

from localaws.compat import guard

#: Services whose calls keep their signature (see the module's docstring).
SIGNED_SERVICES = frozenset({"s3"})
#: The signature version of calls answered in this process: :class:`ScopeOnlyAuth`.
SCOPE_ONLY = "localaws-scope-only"
#: Young objects allocated between two collections (CPython's default is 700).
YOUNG_GENERATION = 50_000


def settle_heap() -> None:
    """Call once a long-running stack has started: what start-up built (modules, botocore's
    and moto's service models, the deployed stack) lives as long as the process, so it is
    frozen out of every later collection, and young collections run every
    ``YOUNG_GENERATION`` allocations instead of 700 (fewer promotions into the old generation,
    whose full collections are what cost). Garbage is still collected: reference counting
    frees most of it at once, and cycles when their generation is collected."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, middle, old)


def _replace(owner: Any, name: str, make: Any) -> None:
    """Put ``make(original)`` in place of ``owner.name``, once: the replacement keeps what it
    replaced as ``_localaws_original`` (the guard reads the original's source there; the
    tests swap it back to compare answers)."""
    original = getattr(owner, name)
    if getattr(original, "_localaws_original", None):
        return
    replacement = make(original)
    replacement._localaws_original = original
    setattr(owner, name, replacement)


def _remember(cache: dict[Any, Any], lock: threading.Lock, key: Any, value: Any) -> None:
    """Store in a cache shared by threads; past 4,096 entries (keys nobody repeats) it starts
    over rather than grow forever."""
    with lock:
        if len(cache) >= 4096:
            cache.clear()
        cache[key] = value


#: This thread's last copy of a parsed UpdateExpression (``copy``) and what it copied
#: (``parsed``, the parse cache's tree for that expression string).
_copies = threading.local()


def remember_expression_shape_checks() -> None:
    for check, names_of in zip(
        guard.expression_shape_checks(),
        (lambda _: (), lambda self: tuple(sorted((self.expression_attribute_names or {}).items()))),
        strict=True,
    ):
        # (id(parsed tree), names) -> the parsed tree; the entry keeps it alive.
        passed: dict[tuple[int, Any], Any] = {}
        lock = threading.Lock()

        def make(
            original: Any, passed: Any = passed, lock: Any = lock, names: Any = names_of
        ) -> Any:
            def traverse(self: Any, node: Any) -> Any:
                parsed = getattr(_copies, "parsed", None)
                if parsed is None or getattr(_copies, "copy", None) is not node:
                    return original(self, node)
                key = (id(parsed), names(self))
                if passed.get(key) is parsed:
                    return node  # passed before: the check returns the root unchanged
                checked = original(self, node)  # a refused expression raises: never remembered
                _remember(passed, lock, key, parsed)
                return checked

            return traverse

        _replace(check, "traverse", make)


def lex_each_condition_once() -> None:
    tokens_of: dict[str, tuple[tuple[str, str], ...]] = {}
    lock = threading.Lock()

    def make(original: Any) -> Any:
        def lex(self: Any) -> Any:
            expression = self.condition_expression
            tokens = tokens_of.get(expression)
            if tokens is None:
                tokens = tuple((n.nonterminal, n.text) for n in original(self))
                _remember(tokens_of, lock, expression, tokens)
            literal = self.Kind.LITERAL
            return collections.deque(
                self.Node(nonterminal=kind, kind=literal, text=text, value=text, children=[])
                for kind, text in tokens
            )

        return lex

    _replace(guard.condition_expression_parser(), "_lex_condition_expression", make)


def convert_values_without_copying() -> None:
    cls = guard.dynamo_type_class()

    def make(original: Any) -> Any:
        def to_regular_json(self: Any) -> dict[str, Any]:
            value = self.value
            if isinstance(value, dict):
                value = {
                    key: nested.to_regular_json()
                    if isinstance(nested, cls)
                    else copy.deepcopy(nested)
                    for key, nested in value.items()
                }
            elif isinstance(value, list):
                value = [
                    nested.to_regular_json() if isinstance(nested, cls) else copy.deepcopy(nested)
                    for nested in value
                ]
            else:
                value = copy.deepcopy(value)  # str, bytes, bool, None: itself
            if self.is_binary() and isinstance(value, str):
                value = base64.b64decode(value)
            return {self.type: value}

        return to_regular_json

    _replace(cls, "to_regular_json", make)


_NOT_PLAIN = object()


def _plain_attribute_value(value: Any, blob_type: type, blob: Any) -> Any:
    """One AttributeValue of the plain form (``{"S": "x"}``, ``{"B": ...}``,
    ``{"M": {...}}``: one type key; strings, booleans, lists and maps of those) with each
    blob, of ``blob_type``, turned by ``blob``; or ``_NOT_PLAIN``. The generic paths give
    the same: strings and booleans as they are, new lists and maps, blobs converted."""
    if type(value) is not dict or len(value) != 1:
        return _NOT_PLAIN
    ((kind, inner),) = value.items()
    kind_of = type(inner)
    if kind in ("S", "N"):
        return {kind: inner} if kind_of is str else _NOT_PLAIN
    if kind in ("BOOL", "NULL"):
        return {kind: inner} if kind_of is bool else _NOT_PLAIN
    if kind == "B":
        return {kind: blob(inner)} if kind_of is blob_type else _NOT_PLAIN
    if kind in ("SS", "NS", "BS"):
        member = blob_type if kind == "BS" else str
        if kind_of is not list or any(type(i) is not member for i in inner):
            return _NOT_PLAIN
        return {kind: [blob(i) for i in inner] if kind == "BS" else list(inner)}
    if kind == "M" and kind_of is dict:
        attributes = {}
        for name, nested in inner.items():
            plain = _plain_attribute_value(nested, blob_type, blob)
            if plain is _NOT_PLAIN:
                return _NOT_PLAIN
            attributes[name] = plain
        return {kind: attributes}
    if kind == "L" and kind_of is list:
        values = []
        for nested in inner:
            plain = _plain_attribute_value(nested, blob_type, blob)
            if plain is _NOT_PLAIN:
                return _NOT_PLAIN
            values.append(plain)
        return {kind: values}
    return _NOT_PLAIN


def _wire_attribute_value(value: Any) -> Any:
    """The JSON moto's serializer makes of one AttributeValue as its DynamoDB handler hands
    it over (blobs as bytes), or ``_NOT_PLAIN``."""
    return _plain_attribute_value(value, bytes, _b64)


_ATTRIBUTE_VALUE_MEMBERS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})


def _is_attribute_value(shape: Any) -> bool:
    return shape.name == "AttributeValue" and shape.members.keys() == _ATTRIBUTE_VALUE_MEMBERS


def _request_attribute_value(value: Any) -> Any:
    """What botocore's JSON serializer writes for one AttributeValue parameter (bytes or
    text for blobs, as its ``_get_base64`` takes them), or ``_NOT_PLAIN``."""
    if type(value) is not dict or len(value) != 1:
        return _NOT_PLAIN
    ((kind, inner),) = value.items()
    if kind == "B" or kind == "BS":
        blobs = [inner] if kind == "B" else inner
        if (kind == "BS" and type(inner) is not list) or any(
            type(b) is not bytes and type(b) is not str for b in blobs
        ):
            return _NOT_PLAIN
        encoded = [_b64(b.encode("utf-8") if type(b) is str else b) for b in blobs]
        return {kind: encoded[0] if kind == "B" else encoded}
    return _wire_attribute_value(value)  # the rest is written as moto writes it


def _response_attribute_value(value: Any, blob: Any) -> Any:
    """What botocore's JSON parser returns for one AttributeValue of a response (blobs, in
    base64 text, through its blob parser), or ``_NOT_PLAIN``."""
    return _plain_attribute_value(value, str, blob)


def client_attribute_values_directly() -> None:
    serializer_cls, parser_cls = guard.botocore_json_structure_handlers()

    def make_serialize(serialize: Any) -> Any:
        def structure(self: Any, serialized: Any, value: Any, shape: Any, key: Any) -> None:
            if key is not None and _is_attribute_value(shape):
                wire = _request_attribute_value(value)
                if wire is not _NOT_PLAIN:
                    serialized[key] = wire
                    return
            serialize(self, serialized, value, shape, key)

        return structure

    def make_parse(parse: Any) -> Any:
        def structure(self: Any, shape: Any, value: Any) -> Any:
            if _is_attribute_value(shape):
                parsed = _response_attribute_value(value, self._blob_parser)
                if parsed is not _NOT_PLAIN:
                    return parsed
            return parse(self, shape, value)

        return structure

    _replace(serializer_cls, "_serialize_type_structure", make_serialize)
    _replace(parser_cls, "_handle_structure", make_parse)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).strip().decode("utf-8")


def serialize_attribute_values_directly() -> None:
    def make(original: Any) -> Any:
        def structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
            if (
                key
                and _is_attribute_value(shape)
                and self.service_model.service_name == "dynamodb"
                and not getattr(self._value_picker, "response_transformers", None)
            ):
                wire = _wire_attribute_value(value)
                if wire is not _NOT_PLAIN:
                    serialized[self.get_serialized_name(shape, key)] = wire
                    return
            original(self, serialized, value, shape, key)

        return structure

    _replace(guard.json_structure_serializer(), "_serialize_type_structure", make)


def draw_random_strings_at_once() -> None:
    letters, digits = string.ascii_letters, string.ascii_letters + string.digits

    def make(original: Any) -> Any:
        def get_random_string(
            self: Any, length: int = 20, include_digits: bool = True, lower_case: bool = False
        ) -> str:
            drawn = "".join(self.choices(digits if include_digits else letters, k=length))
            return drawn.lower() if lower_case else drawn

        return get_random_string

    _replace(guard.moto_random_class(), "get_random_string", make)


def walk_expression_trees_by_class() -> None:
    traverser_cls, node_cls, descend_into = guard.ast_traversal()
    no_pre_processing = traverser_cls.pre_processing_of_child
    is_node: dict[type, bool] = {}
    keys_of: dict[type, tuple[type, ...]] = {}
    processed: dict[tuple[type, type], bool] = {}
    descends: dict[type, bool] = {}

    def nodes_to_be_processed(self: Any) -> tuple[type, ...]:
        keys = keys_of.get(type(self))
        if keys is None:  # every walker's map has classes as keys, whatever the instance
            keys = keys_of[type(self)] = tuple(self._processing_map())
        return keys

    def process(self: Any, node: Any) -> Any:
        processors = self.__dict__.get("_localaws_processors")
        if processors is None:  # bound methods of this walker: built once per walker
            processors = self.__dict__["_localaws_processors"] = self._processing_map()
        for class_key, processor in processors.items():
            if isinstance(node, class_key):
                return processor(node)
        return None

    def traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
        kind = type(node)
        node_like = is_node.get(kind)
        if node_like is None:
            node_like = is_node[kind] = isinstance(node, node_cls)
        if not node_like:
            return node
        walker = type(self)
        parent_node = node.parent
        if node.children is not None:
            pre = walker.pre_processing_of_child is not no_pre_processing
            for i, child_node in enumerate(node.children):
                if pre:
                    self.pre_processing_of_child(node, i)
                self.traverse_node_recursively(child_node, i)
        wanted = processed.get((walker, kind))
        if wanted is None:
            wanted = processed[walker, kind] = isinstance(node, self.nodes_to_be_processed())
        if wanted:
            node = self.process(node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
        return node

    def find_clauses(self: Any, clause_types: Any) -> list[Any]:
        clauses = []
        for child in self.children or []:
            kind = type(child)
            if kind in clause_types:
                clauses.append(child)
                continue
            descend = descends.get(kind)
            if descend is None:
                descend = descends[kind] = isinstance(child, descend_into)
            if descend:
                clauses.extend(child.find_clauses(clause_types))
        return clauses

    for owner, name, replacement in (
        (traverser_cls, "traverse_node_recursively", traverse_node_recursively),
        (traverser_cls, "nodes_to_be_processed", nodes_to_be_processed),
        (traverser_cls, "process", process),
        (node_cls, "find_clauses", find_clauses),
    ):
        _replace(owner, name, lambda _, replacement=replacement: replacement)


class ScopeOnlyAuth(botocore.auth.SigV4Auth):
    """SigV4's headers without the signature: the credential scope moto reads (the access key
    for the account, the region: SQS takes it from there) and ``Signature=0…``."""

    def add_auth(self, request: Any) -> None:
        if self.credentials is None:
            raise botocore.exceptions.NoCredentialsError()
        stamp = _timestamp()
        request.context["timestamp"] = stamp
        headers = request.headers  # case-insensitive: setting a header replaces it
        headers["X-Amz-Date"] = stamp
        if self.credentials.token:
            headers["X-Amz-Security-Token"] = self.credentials.token
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.scope(request)}, "
            f"SignedHeaders=host;x-amz-date, Signature={'0' * 64}"
        )


_stamped: tuple[int, str] = (0, "")


def _timestamp() -> str:
    """SigV4's timestamp (whole seconds), formatted once a second."""
    global _stamped
    now = int(time.time())
    second, stamp = _stamped
    if second != now:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        _stamped = (now, stamp)
    return stamp


_stubber: Any = None  # mock_aws's stubber (guard.botocore_stubber), once installed


def _scope_only_when_answered_here(signing_name: str, signature_version: Any, **_: Any) -> Any:
    if (
        signature_version == "v4"  # not presigned ("-query"), not unsigned, not a token
        and signing_name not in SIGNED_SERVICES
        and _stubber is not None
        and _stubber.enabled
    ):
        return SCOPE_ONLY
    return None


def sign_only_what_leaves() -> None:
    global _stubber
    _stubber = guard.botocore_stubber()
    botocore.auth.AUTH_TYPE_MAPS[SCOPE_ONLY] = ScopeOnlyAuth
    handler = ("choose-signer", _scope_only_when_answered_here)
    if handler not in botocore.handlers.BUILTIN_HANDLERS:
        # Every botocore session made from now on (boto3's default one among them) asks it.
        botocore.handlers.BUILTIN_HANDLERS.append(handler)
    if boto3.DEFAULT_SESSION is not None:  # made before: it asks too
        boto3.DEFAULT_SESSION.events.register(
            "choose-signer", _scope_only_when_answered_here, unique_id="localaws-scope-only"
        )


def unsign() -> None:
    """Every call signed again (the handler stays registered, and answers no more)."""
    global _stubber
    _stubber = None


def cache_method_names() -> None:
    responses, original = guard.response_method_lister()
    if getattr(original, "_localaws_cached", False):
        return
    names: dict[type, tuple[int, list[str]]] = {}

    def method_names(clazz: Any) -> list[str]:
        size = sum(len(vars(k)) for k in clazz.__mro__)
        entry = names.get(clazz)
        if entry is None or entry[0] != size:
            entry = names[clazz] = (size, original(clazz))
        return list(entry[1])

    method_names._localaws_cached = True  # type: ignore[attr-defined]
    responses.method_names_from_class = method_names


def cache_update_expressions() -> None:
    parser_cls = guard.update_expression_parser()
    if getattr(parser_cls.make, "_localaws_cached", False):
        return
    make = functools.lru_cache(maxsize=4096)(parser_cls.make)

    def cached(cls: Any, expression: str) -> Any:
        return make(expression)

    cached._localaws_cached = True  # type: ignore[attr-defined]
    parser_cls.make = classmethod(cached)


def cache_jsonpath_parsing() -> None:
    for module, name in guard.jsonpath_parse_users():
        original = getattr(module, name)
        if getattr(original, "_localaws_cached", False):
            continue
        cached = functools.lru_cache(maxsize=4096)(original)
        cached._localaws_cached = True  # type: ignore[attr-defined]
        setattr(module, name, cached)


def cache_attribute_names() -> None:
    picker_cls, get_value, missing = guard.serializer_attribute_picker()
    original = picker_cls.__call__
    if getattr(original, "_localaws_cached", False):
        return
    # (id(shape), id(parent), key, class, picker class) -> (shape, parent, candidate names).
    # The entry keeps the shape and parent alive, so their ids cannot be reused by others.
    names: dict[tuple[Any, ...], tuple[Any, Any, tuple[str, ...]]] = {}
    lock = threading.Lock()

    def pick(self: Any, context: Any) -> Any:
        obj = context.obj
        if "Meta" in getattr(obj, "__dict__", ()):  # per-instance aliases: ask every time
            return original(self, context)
        shape = context.shape
        parent = getattr(shape, "parent", None)
        key = (id(shape), id(parent), context.key, type(obj), type(self))
        entry = names.get(key)
        if entry is None or entry[0] is not shape or entry[1] is not parent:
            entry = (shape, parent, tuple(self.get_possible_keys(context)))
            with lock:
                names[key] = entry
        value = None
        for candidate in entry[2]:
            found = get_value(obj, candidate, missing)
            if found is not missing:
                value = found
                break
        if self.response_transformers:
            key_path = f"{context.key_path}.{context.key}"
            for transform_path, transform in self.response_transformers.items():
                if key_path.endswith(transform_path):
                    return transform(value)
        return value

    pick._localaws_cached = True  # type: ignore[attr-defined]
    pick._localaws_original = original  # type: ignore[attr-defined]
    picker_cls.__call__ = pick


def copy_expressions_by_pickle() -> None:
    validators, node_cls = guard.update_expression_validator_module()
    if getattr(validators.deepcopy, "_localaws_cached", False):
        return
    # id(tree) -> (tree, pickled tree); the entry keeps the tree alive so its id stays its own.
    pickled: dict[int, tuple[Any, bytes]] = {}
    lock = threading.Lock()

    def copy_tree(obj: Any, memo: Any = None) -> Any:
        if memo is not None or not isinstance(obj, node_cls):
            return copy.deepcopy(obj, memo)
        entry = pickled.get(id(obj))
        if entry is None or entry[0] is not obj:
            try:
                entry = (obj, pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))
            except Exception:  # not picklable: copy it as moto does
                return copy.deepcopy(obj)
            _remember(pickled, lock, id(obj), entry)
        copied = pickle.loads(entry[1])
        _copies.parsed, _copies.copy = obj, copied
        return copied

    copy_tree._localaws_cached = True  # type: ignore[attr-defined]
    validators.deepcopy = copy_tree
