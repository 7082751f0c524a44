"""Benchmark mode only (``OPORA_BENCHMARK=1``, see bench/run.py): the floor of the benchmark.

``create_app`` registers this blueprint only in benchmark mode; a normal instance has no
such URL.
"""
from flask import Blueprint

from .permissions import public

bp = Blueprint("bench", __name__, url_prefix="/_bench")


@bp.route("/noop")
@public
def noop():
    """The cheapest page the stack can serve: no template, no database query."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
