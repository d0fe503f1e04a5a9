"""The table `make bench` prints, and the problems that make it exit non-zero."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _spread(figures: dict[str, Any], key: str) -> str:
    p = figures.get(key) or {}
    if p.get("p50") is None:
        return "-"
    return "/".join(_num(p.get(k), 2) for k in ("p50", "p95", "p99", "max"))


def _part(results: dict[str, Any], part: str, show: Callable[[dict[str, Any]], str]) -> str:
    if "skipped" in results:
        return "skipped"
    figures = results.get(part)
    if figures is None:
        return "-"
    if "skipped" in figures:
        return "skipped"
    if "error" in figures:
        return "ERROR"
    return show(figures)


def _fate_text(f: dict[str, Any]) -> str:
    return f"{f.get('published_once')} / {f.get('duplicates')} / {f.get('lost')}"


def _expired(f: dict[str, Any]) -> str:
    expired = f.get("beat_messages_expired") or {}
    return f"{expired.get('dispatch_due', '-')} / {expired.get('reconcile_stuck', '-')}"


def _accounts(f: dict[str, Any]) -> str:
    # "30 x, 30 facebook, 30 sandbox" -> "30 / 30 / 30"
    return " / ".join(part.split()[0] for part in str(f.get("accounts", "")).split(", "))


def _states(f: dict[str, Any], *names: str) -> str:
    return " / ".join(str(f.get("states", {}).get(n, 0)) for n in names)


def _kills(f: dict[str, Any]) -> str:
    return f"{f.get('node_kills')} / {f.get('pool_kills')}, {f.get('redis_restarts')}"


def _faults(f: dict[str, Any]) -> str:
    n = f.get("network_faults", {})
    errors = n.get("server_error", 0) + n.get("server_error_after_work", 0)
    return f"{errors} / {n.get('timeout', 0)} / {n.get('rate_limited', 0)}"


ROWS: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    ("throughput", "deliveries due at once", lambda f: _num(f.get("deliveries"))),
    ("throughput", "published per second", lambda f: _num(f.get("throughput_per_s"))),
    ("throughput", "bare Celery no-op tasks per second", lambda f: _num(f["bare_celery_per_s"])),
    ("throughput", "ratio to bare Celery", lambda f: _num(f.get("throughput_ratio"), 3)),
    ("throughput", "accounts x / facebook / sandbox", lambda f: _accounts(f["smo"])),
    ("throughput", "published once / duplicates / lost", lambda f: _fate_text(f["smo"])),
    ("throughput", "beat messages expired: dispatch / sweep", lambda f: _expired(f)),
    ("lateness", "stream (per second x seconds)", lambda f: f"{f['rate_per_s']} x {f['window_s']}"),
    ("lateness", "published_at late p50/p95/p99/max s", lambda f: _spread(f, "lateness_s")),
    ("lateness", "reached network p50/p95/p99/max s", lambda f: _spread(f, "network_lateness_s")),
    ("lateness", "published once / duplicates / lost", _fate_text),
    ("lateness", "beat messages expired: dispatch / sweep", lambda f: _expired(f)),
    ("chaos", "deliveries (over seconds)", lambda f: f"{f['deliveries']} ({f['window_s']} s)"),
    ("chaos", "published once", lambda f: _num(f.get("chaos_published_once"))),
    ("chaos", "published twice (must be 0)", lambda f: _num(f.get("chaos_duplicates"))),
    ("chaos", "lost (must be 0)", lambda f: _num(f.get("chaos_lost"))),
    ("chaos", "failed / needs attention", lambda f: _states(f, "failed", "needs_attention")),
    ("chaos", "failed although posted", lambda f: _num(f.get("failed_but_posted"))),
    ("chaos", "worker kills (node / pool), Redis restarts", lambda f: _kills(f)),
    ("chaos", "network faults 5xx / timeout / 429", lambda f: _faults(f)),
    ("chaos", "published late p50/p95/p99/max s", lambda f: _spread(f, "lateness_s")),
    ("chaos", "beat messages expired: dispatch / sweep", lambda f: _expired(f)),
    ("chaos", "settled in s", lambda f: _num(f.get("settle_s"))),
]


STORE_ROWS = [
    ("dispatch tick, 10k rows (ms)", "dispatch_tick_ms_10k"),
    ("dispatch tick, 1M rows (ms)", "dispatch_tick_ms_1m"),
    ("calendar month view (ms)", "calendar_month_ms"),
    ("API list (ms)", "api_list_ms"),
]


def render(results: dict[str, Any]) -> str:
    names = list(results["backends"])
    columns = [results["backends"][n].get("label", n) for n in names]
    rows: list[tuple[str, list[str]]] = []  # (label, cells); a part name has no cells
    for part, label, show in ROWS:
        if part not in [label for label, _ in rows]:
            rows.append((part, []))
        cells = []
        for name in names:
            try:
                cells.append(_part(results["backends"][name], part, show))
            except (KeyError, TypeError):
                cells.append("-")
        rows.append((f"  {label}", cells))
    store = results.get("store_scale")
    rows.append(("store scale", []))
    if store is None:
        rows.append(("  not run", []))
    elif "skipped" in store or "error" in store:
        rows.append((f"  {store.get('skipped') or 'ERROR: ' + store['error']}", []))
    else:
        rows += [(f"  {label}", [_num(store.get(key))]) for label, key in STORE_ROWS]
    cells = [c for _, row in rows for c in row]
    width = max(len(c) for c in [*columns, *cells]) + 3
    first = max(len(label) for label, row in rows if row) + 1
    m = results["machine"]
    lines = [
        f"SMO benchmark ({results['mode']}), {m['cores']} cores, {m['ram_gib']} GiB, "
        f"Python {m['python']}, load {m['load_average_at_start'][0]:.1f} at start, "
        f"wall {results['wall_seconds']:.0f} s",
        "",
        " " * first + "".join(f"{c:>{width}}" for c in columns),
    ]
    lines += [
        (f"{label:{first}}" + "".join(f"{c:>{width}}" for c in row)).rstrip() for label, row in rows
    ]
    for name in names:
        for part, figures in results["backends"][name].items():
            if isinstance(figures, dict) and "error" in figures:
                lines.append(f"{name} {part}: {figures['error']}")
    return "\n".join(lines)


def problems(results: dict[str, Any]) -> list[str]:
    """What must not happen: a part that failed to run, a duplicate, a lost delivery."""
    found = []
    for name, backend in results["backends"].items():
        for part, figures in backend.items():
            if not isinstance(figures, dict):
                continue
            if "error" in figures:
                found.append(f"{name} {part}: {figures['error']}")
                continue
            for key in ("duplicates", "lost"):
                if figures.get(key):
                    found.append(f"{name} {part}: {key} = {figures[key]}")
    store = results.get("store_scale") or {}
    if "error" in store:
        found.append(f"store scale: {store['error']}")
    return found
