"""Template function calls without Jinja's per-call inspection.

Jinja sends every call a template makes (``url_for(…)``, ``counts.get(…)``, a macro) through
``Context.call``, which asks the callable twice whether it wants the template context
(once for its ``__call__``) before calling it: about 0.7 µs a call, and a page makes
dozens. For plain functions and methods, whose ``__call__`` never carries Jinja's mark,
one look at the function itself is enough. Anything else (callable objects,
macros, partials) goes to Jinja's own ``call``. tests/test_template_calls.py compares
the two for every kind of callable.
"""
import types

from jinja2.runtime import Context

#: Callables whose ``__call__`` is the interpreter's own (never marked for Jinja): only the
#: callable itself can carry ``jinja_pass_arg`` (a bound method reads its function's).
_ROUTINES = frozenset({
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,  # also the type of builtin bound methods (dict.get)
    types.MethodWrapperType,
    types.MethodDescriptorType,
})


class RoutineCallContext(Context):
    """Jinja's template context with a shorter path for calling plain functions."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        if type(__obj) not in _ROUTINES or getattr(__obj, "jinja_pass_arg", None) is not None:
            return Context.call(__self, __obj, *args, **kwargs)
        if kwargs:
            # Jinja passes the variables of the enclosing loop or block for context functions
            # only; it drops them for all others.
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )
