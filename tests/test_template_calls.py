"""views.template_calls: templates call every kind of callable as Jinja itself does."""
import jinja2
from jinja2 import pass_context, pass_environment, pass_eval_context

from views.template_calls import RoutineCallContext


class _Greeter:
    """A callable object whose ``__call__`` wants the context (Jinja looks there too)."""

    @pass_context
    def __call__(self, context, name):
        return f"{context['greeting']}, {name}"


class _Box:
    def __init__(self, value):
        self.value = value

    def plain(self, suffix=""):
        return f"{self.value}{suffix}"

    @pass_context
    def with_context(self, context):
        return f"{self.value}/{context.get('inner', 'outer')}"


def _stop():
    raise StopIteration


TEMPLATE = """
{%- macro m(v) %}<{{ v }}>{% endmacro %}
{{- plain(1, b=2) }}|{{ counts.get('a') }}|{{ counts.get('z', 'none') }}
|{% for i in [1, 2] %}{% set inner = 'loop' ~ i %}{{ ctx_fn() }},{{ box.with_context() }},{{ plain(i, b=inner) }},{% endfor %}
|{% set inner = 'block' %}{{ ctx_fn() }}|{{ eval_fn() }}|{{ env_fn() }}|{{ greeter('Eva') }}
|{{ box.plain('!') }}|{{ 'abc'.upper() }}|{{ stop() is undefined }}|{{ m('x') }}"""


def _render(context_class):
    env = jinja2.Environment(autoescape=True)
    env.context_class = context_class
    return env.from_string(TEMPLATE).render(
        plain=lambda a, b: f"{a}+{b}",
        counts={"a": 3},
        ctx_fn=pass_context(lambda context: context.get("inner", "outer")),
        eval_fn=pass_eval_context(lambda eval_ctx: f"autoescape={eval_ctx.autoescape}"),
        env_fn=pass_environment(lambda environment: type(environment).__name__),
        greeter=_Greeter(),
        greeting="Ahoj",
        box=_Box(7),
        stop=_stop,
    )


def test_every_kind_of_callable_gives_what_jinja_gives():
    """Plain functions, builtin and bound methods, functions and methods that take the
    context (with loop and block variables), the evaluation context or the environment,
    a callable object, a StopIteration and a macro: the same output as Jinja's context."""
    ours, jinjas = _render(RoutineCallContext), _render(jinja2.runtime.Context)
    assert ours == jinjas
    assert "1+2|3|none" in ours
    assert "loop1,7/loop1,1+loop1,loop2,7/loop2,2+loop2," in ours
    assert "|block|autoescape=True|Environment|Ahoj, Eva" in ours
    assert "|7!|ABC|True|<x>" in ours  # the macro's output is not escaped again


def test_the_application_uses_it(app):
    assert app.jinja_env.context_class is RoutineCallContext
