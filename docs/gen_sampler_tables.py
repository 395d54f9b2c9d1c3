"""MkDocs hook: the "Choosing a sampler" tables and plot, generated from benchmark results.

``python -m benchmarks.sampler_choice`` writes ``docs/data/sampler_choice.json``; this hook
replaces the line ``<!-- sampler-tables -->`` of ``choosing-a-sampler.md`` with tables and an
SVG plot computed from it at build time, so the page can only show measured numbers. Run it
by hand to print the generated Markdown: ``python docs/gen_sampler_tables.py``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "data" / "sampler_choice.json"
MARKER = "<!-- sampler-tables -->"
SHORT = {
    "RandomSampler": "Random",
    "QMCSampler": "QMC",
    "TPESampler": "TPE",
    "CmaEsSampler": "CMA-ES",
    "GPSampler": "GP",
    "NSGAIISampler": "NSGA-II",
}


def _cell(row: dict[str, Any]) -> str:
    return f"{row['median']:.4g} <small>({row['q25']:.3g}–{row['q75']:.3g})</small>"


def _table(rows: list[dict[str, Any]], budget: int) -> str:
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    samplers = list(dict.fromkeys(r["sampler"] for r in rows))
    header = "| problem | kind | " + " | ".join(SHORT.get(s, s) for s in samplers) + " |"
    lines = [header, "|" + " --- |" * (len(samplers) + 2)]
    for problem in problems:
        here = {r["sampler"]: r for r in rows if r["problem"] == problem and r["budget"] == budget}
        better = next(iter(here.values()))["better"]
        best = (min if better == "min" else max)(r["median"] for r in here.values())
        cells = []
        for sampler in samplers:
            row = here.get(sampler)
            if row is None:
                cells.append("")
                continue
            text = _cell(row)
            cells.append(f"**{text}**" if row["median"] == best else text)
        kind = next(iter(here.values()))["kind"]
        arrow = "↓" if better == "min" else "↑"
        lines.append(f"| {problem} {arrow} | {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _wins(rows: list[dict[str, Any]], budgets: list[int]) -> str:
    lines = ["| budget | sampler with the best median, by problem |", "| --- | --- |"]
    for budget in budgets:
        tally: dict[str, list[str]] = {}
        for problem in dict.fromkeys(r["problem"] for r in rows):
            here = [r for r in rows if r["problem"] == problem and r["budget"] == budget]
            pick = min if here[0]["better"] == "min" else max
            winner = pick(here, key=lambda r: r["median"])["sampler"]
            tally.setdefault(SHORT.get(winner, winner), []).append(problem)
        text = "; ".join(f"**{s}**: {', '.join(p)}" for s, p in sorted(tally.items()))
        lines.append(f"| {budget} trials | {text} |")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.2g} s"


def _seconds(rows: list[dict[str, Any]], budget: int) -> str:
    """Wall seconds per run of ``budget`` trials (the objectives are instant)."""
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    samplers = list(dict.fromkeys(r["sampler"] for r in rows))
    lines = [
        "| problem | " + " | ".join(SHORT.get(s, s) for s in samplers) + " |",
        "|" + " --- |" * (len(samplers) + 1),
    ]
    for problem in problems:
        here = {r["sampler"]: r for r in rows if r["problem"] == problem and r["budget"] == budget}
        cells = [_duration(here[s]["seconds_per_run"]) if s in here else "" for s in samplers]
        lines.append(f"| {problem} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _plot(rows: list[dict[str, Any]], budgets: list[int]) -> str:
    """Median score per sampler and budget, one small panel per problem, as inline SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problems = list(dict.fromkeys(r["problem"] for r in rows))
    columns = 4
    fig, axes = plt.subplots(
        (len(problems) + columns - 1) // columns, columns, figsize=(12, 5.5), squeeze=False
    )
    for ax, problem in zip(axes.flat, problems):
        here = [r for r in rows if r["problem"] == problem]
        for sampler in dict.fromkeys(r["sampler"] for r in here):
            points = sorted((r["budget"], r["median"]) for r in here if r["sampler"] == sampler)
            ax.plot(*zip(*points), marker="o", label=SHORT.get(sampler, sampler))
        if here[0]["better"] == "min" and all(r["median"] > 0 for r in here):
            ax.set_yscale("log")
        ax.set_title(problem, fontsize=9)
        ax.set_xticks(budgets)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(problems) :]:
        ax.set_visible(False)
    fig.supxlabel("trials")
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def render(results: dict[str, Any]) -> str:
    """The Markdown that replaces the marker."""
    rows, budgets = results["rows"], results["budgets"]
    parts = [
        f"*Measured with `{results['generated_by'].strip()}` on {results['date']} "
        f"(trimtab {results['trimtab_version']}, Python {results['python']}, "
        f"{results['seeds']} seeds per cell, {results['wall_seconds']} s wall / "
        f"{results['cpu_seconds']} s CPU on a shared 2-core machine).* Each cell is the median "
        "score over the seeds, with the interquartile range; ↓ lower is better, ↑ higher "
        "is better; the best median is in bold.",
        "### Which sampler was best where",
        _wins(rows, budgets),
    ]
    for budget in budgets:
        parts += [f"### After {budget} trials", _table(rows, budget)]
    if all("seconds_per_run" in r for r in rows):
        parts += [
            f"### Time per run of {max(budgets)} trials",
            "Wall seconds per run, measured on a machine shared with other jobs (so only the "
            "ratios mean much). The test functions cost nothing: this is the sampler's own "
            "work, which matters when trials are cheap.",
            _seconds(rows, max(budgets)),
        ]
    parts += ["### Median score by budget", _plot(rows, budgets)]
    return "\n\n".join(parts) + "\n"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """MkDocs hook: fill in the marker on the page that has it."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render(json.loads(RESULTS.read_text())))


if __name__ == "__main__":
    print(render(json.loads(RESULTS.read_text())))
