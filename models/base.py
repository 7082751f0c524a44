"""The database handle and the base class every model derives from."""
import datetime
import json
import os
import threading

from peewee import OP, SQL, DateTimeField, Expression, Model, NodeList, Value
from playhouse.pool import PooledSqliteDatabase


class Database(PooledSqliteDatabase):
    """SQLite whose connections stay open between requests.

    A request borrows a connection (``db.connect()``) and gives it back (``db.close()``);
    one given back inside a transaction is rolled back. Opening a connection for every
    request would cost its pragmas, and closing the last connection of a WAL database
    checkpoints and deletes the WAL with an fsync: together about 1 ms of CPU and several ms
    of waiting on every request, tens of ms after a write (measured by bench/run.py).
    """

    def init(self, database, **kwargs):
        # Pointed at another file (tests do that often): drop the old file's connections.
        if not getattr(self, "deferred", True):
            self.close_all()
        super().init(database, **kwargs)

    def _after_fork(self):
        """In a forked child: forget the parent's connections (SQLite's rule: never share
        one across fork). They are kept referenced, so the child does not close them."""
        _inherited.extend(conn for _ts, _n, conn in self._connections)
        _inherited.extend(pooled.connection for pooled in self._in_use.values())
        self._connections, self._in_use = [], {}
        self._pool_lock = threading.RLock()
        self._pool_available = threading.Condition(self._pool_lock)
        self._lock = threading.Lock()
        self._state.reset()


_inherited = []

# Initialised by create_app() with the configured file. The pragmas are applied on every
# new connection: WAL lets readers work while one writer writes, foreign keys are off in
# SQLite unless asked for, and the busy timeout makes a second writer wait instead of failing.
db = Database(
    None,
    max_connections=None,  # as many as threads serve requests at once
    # A pooled connection serves one thread at a time, but not always the thread that
    # opened it (the threaded development server starts a thread per request).
    check_same_thread=False,
    pragmas={
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "synchronous": "normal",
    },
)
os.register_at_fork(after_in_child=db._after_fork)


class _QueryCounter(threading.local):
    """Statements executed through :data:`db` by this thread (benchmark mode only)."""

    count = 0


#: Read and reset per request by the benchmark mode of ``create_app`` (``X-Query-Count``).
query_counter = _QueryCounter()


def count_queries(database=None):
    """Count every statement ``database`` (default :data:`db`) executes, per thread.

    Used only in benchmark mode. The counting wrapper is set on the instance, so a process
    that never calls this runs peewee's own ``execute_sql`` without any extra cost.
    Savepoints of nested transactions count; ``BEGIN``/``COMMIT`` and the pragmas of a new
    connection do not, since peewee issues them without ``execute_sql``.
    """
    database = database or db
    if "execute_sql" in vars(database):
        return  # already counting
    execute_sql = database.execute_sql  # the class's bound method

    def counted(sql, params=None):
        query_counter.count += 1
        return execute_sql(sql, params)

    database.execute_sql = counted


def utcnow():
    """The current time in UTC as a naive datetime (how every timestamp is stored)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class BaseModel(Model):
    """Common table naming (``care_plan``, not ``careplan``) and creation/update stamps."""

    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        database = db
        legacy_table_names = False

    def save(self, *args, **kwargs):
        self.updated_at = utcnow()
        return super().save(*args, **kwargs)

    def save_if_version(self, expected):
        """Save only if the stored row is still at version ``expected`` (compare-and-set).

        For models with a ``version`` field edited by several people: returns False, and
        writes nothing, when someone else saved in between, so no update is lost silently.
        """
        cls = type(self)
        self.version = expected + 1
        self.updated_at = utcnow()
        data = {f: getattr(self, f.name) for f in self._meta.sorted_fields if not f.primary_key}
        pk = self._meta.primary_key
        changed = cls.update(data).where((pk == self._pk) & (cls.version == expected)).execute()
        return changed == 1


def versions_stamp(rows):
    """The ids and versions of ``rows`` as one text ("12:1,15:3"). A removal form carries
    the stamp of the rows that go with its record (a goal's actions, a child's relatives),
    so the removal is refused if any of them was added, changed or removed meanwhile."""
    return ",".join(f"{row.id}:{row.version}" for row in sorted(rows, key=lambda row: row.id))


class Prepared:
    """A query compiled to SQL once and then run many times with new parameter values.

    Peewee builds a query's SQL text on every execution; for the lookups that pages make on
    every request, building it costs more than running it. ``build`` receives one
    placeholder value per parameter name and returns the query; the placeholders' positions
    in the compiled parameters are found on first use (when the database is bound) and the
    SQL text is kept. The text comes from peewee, never from input, and the values stay
    bound parameters.

    Values are passed as the database stores them (ids, ISO date strings, enum values):
    peewee's field conversions ran on the placeholders, not on them. A list of ids goes in
    as one parameter with :func:`id_list` in the query (a JSON array read by ``json_each``),
    so the SQL text does not change with the list's length.
    """

    #: Distinct values nobody stores: they mark where each parameter goes.
    _MARKERS = tuple(f"\x00prepared-{i}\x00" for i in range(12))

    def __init__(self, build, *names):
        if len(names) > len(self._MARKERS):
            raise ValueError(f"at most {len(self._MARKERS)} parameters")
        self.build, self.names = build, names
        self._compiled = None
        self._lock = threading.Lock()
        #: What peewee's cursor wrapper works out from the columns on every execution.
        self._wrapper_state = None

    def _compile(self):
        with self._lock:
            if self._compiled is None:
                markers = dict(zip(self.names, self._MARKERS))
                query = self.build(**markers)
                sql, params = query.sql()
                slots = [(i, name) for i, value in enumerate(params) for name, marker in markers.items()
                         if value == marker]
                if {name for _i, name in slots} != set(self.names):
                    raise ValueError(f"each parameter must appear in the query: {self.names}")
                self._compiled = (query, sql, list(params), slots)
        return self._compiled

    def _params(self, values):
        query, sql, params, slots = self._compiled or self._compile()
        params = list(params)
        for index, name in slots:
            value = values[name]
            # A list or tuple is an id_list parameter: one JSON array.
            params[index] = json.dumps(list(value)) if isinstance(value, (list, tuple, set, frozenset)) else value
        return query, sql, params

    def all(self, **values):
        """Every row, as the query itself returns them (models with their joined models,
        or dicts or tuples when the query asks for those)."""
        query, sql, params = self._params(values)
        cursor = db.execute_sql(sql, params)
        wrapper = query._get_cursor_wrapper(cursor)
        state = self._wrapper_state
        if state is None:
            state = self._wrapper_state = self._initial_state(wrapper)
        else:
            wrapper.__dict__.update(state)
        # What peewee's iteration does row by row (fetchone, process_row, cache), for all
        # rows at once: the same rows without its per-row bookkeeping.
        process_row = wrapper.process_row
        return [process_row(row) for row in cursor.fetchall()]

    @staticmethod
    def _initial_state(wrapper):
        """Initialise ``wrapper`` and return what its ``initialize`` set.

        Peewee's model cursor wrappers map the result's columns to fields, converters and
        joined models at the start of every result, which costs more than a one-row query
        itself. The mapping depends only on the query and the result's columns, and both are
        the same on every run of a prepared statement, so it is worked out once and given
        to the later wrappers (peewee is pinned in requirements.lock).
        """
        before = dict(wrapper.__dict__)
        wrapper.initialize()
        state = {key: value for key, value in wrapper.__dict__.items()
                 if key not in before or before[key] is not value}
        impl = state.get("impl")
        if impl is not None and "constructor" in state:
            # Named-tuple rows: peewee's constructor is a closure over this first wrapper
            # (and so over its rows); an equivalent without it.
            state["constructor"] = lambda row: impl(*row)
        fast = _plain_model_rows(wrapper, state)
        if fast is None:
            fast = _joined_model_rows(wrapper, state)
        if fast is not None:
            state["process_row"] = fast
        return state

    def first(self, **values):
        """The first row as the query returns it (of a ``.limit(1)`` query), or None."""
        rows = self.all(**values)
        return rows[0] if rows else None

    def rows(self, **values):
        """Every row as the database returns it: tuples of plain values, without peewee's
        conversions (which cost more than the query for a page of rows). Times come as
        the stored ISO text."""
        _query, sql, params = self._params(values)
        return db.execute_sql(sql, params).fetchall()

    def execute(self, **values):
        """Run the statement (an INSERT, say) and return the cursor."""
        _query, sql, params = self._params(values)
        return db.execute_sql(sql, params)

    def scalar(self, **values):
        """The first column of the first row, or None."""
        _query, sql, params = self._params(values)
        row = db.execute_sql(sql, params).fetchone()
        return row[0] if row else None


def _plain_model_rows(wrapper, state):
    """A row-to-model function for a one-model query whose columns are its fields and
    plain extra values (``fn.COUNT(…).alias("total")``), or None for any other query.

    Peewee builds each model through ``__init__`` and one ``setattr`` per column; for a
    model's own fields that amounts to filling ``__data__`` (FieldAccessor, and
    ForeignKeyAccessor for a plain id), and for a name the class does not define, to
    setting the instance's attribute: both are done here directly. Anything else (a
    name the class defines otherwise, a joined model, a custom constructor) keeps
    peewee's way.
    """
    from peewee import ModelObjectCursorWrapper

    model = wrapper.model
    if type(wrapper) is not ModelObjectCursorWrapper or wrapper.constructor is not model:
        return None
    if model.__init__ is not Model.__init__:
        return None
    columns = state["unique_columns"]
    fields, extras = [], []
    for i, (name, convert) in enumerate(zip(columns, state["converters"])):
        if _direct_field(model, name):
            fields.append((i, name, convert))
        elif any(name in k.__dict__ for k in model.__mro__) or name in ("__data__", "__rel__", "_dirty"):
            return None
        else:
            extras.append((i, name, convert))
    fields, extras = tuple(fields), tuple(extras)
    new = model.__new__

    def process_row(row):
        obj = new(model)
        obj.__data__ = {name: row[i] if convert is None else convert(row[i]) for i, name, convert in fields}
        obj._dirty = set()
        obj.__rel__ = {}
        for i, name, convert in extras:
            obj.__dict__[name] = row[i] if convert is None else convert(row[i])
        return obj

    return process_row


def _direct_field(model, name):
    """Whether setting attribute ``name`` of a ``model`` instance to a plain value only
    stores it in ``__data__`` (a field's own accessor, or a foreign key's given its id)."""
    from peewee import FieldAccessor, ForeignKeyAccessor

    if name not in model._meta.fields:
        return False
    accessor = next((k.__dict__[name] for k in model.__mro__ if name in k.__dict__), None)
    return type(accessor) in (FieldAccessor, ForeignKeyAccessor)


def _joined_model_rows(wrapper, state):
    """A row-to-models function for a query of joined models (``select(A, B).join(B)``),
    or None for any other query.

    Peewee's ``ModelCursorWrapper.process_row`` with its two costly steps done directly:
    each model is created empty (what ``__init__(__no_default__=True)`` does), and a
    column of a model's own field is put in ``__data__`` instead of through the field's
    accessor. Everything else (other attributes such as aliases, and attaching the joined
    models, outer joins included) runs as in peewee, whose code this follows.
    """
    from peewee import ModelCursorWrapper

    if type(wrapper) is not ModelCursorWrapper:
        return None
    constructors = state["_constructor_list"]
    if not all(is_model and ctor.__init__ is Model.__init__ for _key, ctor, is_model in constructors):
        return None
    root = wrapper.model
    by_key = {key: ctor for key, ctor, _is_model in constructors}
    # (index, column's source, model it goes to, attribute, converter, whether the
    # attribute is a plain field); a column of no selected model goes to the root model.
    spec = tuple(
        (i, key, key if key in by_key else root, column, convert,
         _direct_field(by_key.get(key, by_key[root]), column))
        for i, key, column, convert in state["_row_spec"]
    )
    joins = tuple(state["src_to_dest"])
    reachable_of = state["_dest_reachable"]
    keys = tuple((key, ctor) for key, ctor, _is_model in constructors)

    def process_row(row):
        objects = {}
        for key, ctor in keys:
            obj = ctor.__new__(ctor)
            obj.__data__ = {}
            obj._dirty = set()
            obj.__rel__ = {}
            objects[key] = obj
        set_keys = set()
        for i, key, target, column, convert, direct in spec:
            value = row[i]
            if value is not None:
                set_keys.add(key)
            if convert is not None:
                value = convert(value)
            if direct:
                objects[target].__data__[column] = value
            else:
                setattr(objects[target], column, value)
        for src, attr, dest, _is_dict, is_outer, is_fk in joins:
            instance = objects.get(src)
            joined = objects.get(dest)
            if joined is None and dest not in objects:
                continue
            assign = False
            if dest not in set_keys and dest in reachable_of:
                assign = bool(reachable_of[dest] & set_keys)
            if dest not in set_keys and not assign:
                if is_outer:
                    joined = None
                else:
                    continue
            if src not in set_keys and dest not in set_keys and is_outer:
                continue
            if is_fk and joined is None:
                instance.__rel__[attr] = None
            else:
                setattr(instance, attr, joined)
        for obj in objects.values():
            obj._dirty.clear()
        return objects[root]

    return process_row


def once_per_request(name, load):
    """``load()``, kept in the request's ``g`` under ``name`` so that a request loads it
    once however often it asks (organisation-wide rows the layout and pages all read);
    outside an application context, loaded every time."""
    from flask import g, has_app_context

    if not has_app_context():
        return load()
    request_globals = g._get_current_object()  # once, not through the proxy each time
    value = getattr(request_globals, name, None)
    if value is None:
        value = load()
        setattr(request_globals, name, value)
    return value


def like_pattern(text):
    """The LIKE pattern of the values containing ``text``, its wildcards escaped with a
    backslash as peewee's ``contains`` escapes them; for :func:`like`."""
    escaped = text.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")
    return f"%{escaped}%"


def like(field, pattern):
    """``field LIKE pattern ESCAPE '\\'``: peewee's ``field.contains(text)`` with the
    pattern (:func:`like_pattern`) as one parameter, so it can be a Prepared marker."""
    escape = NodeList((Value(pattern, converter=False), SQL("ESCAPE"), Value("\\", converter=False)))
    return Expression(field, OP.ILIKE, escape)


def id_list(marker):
    """``IN`` operand for a Prepared parameter holding a list of ids (any length, one
    parameter): ``Model.id.in_(id_list(ids))``."""
    return SQL("(SELECT value FROM json_each(?))", [marker])
