"""Write text reports with known values in the three layouts the seeds show (tab-separated,
` | `-separated, one cell per line closed by `|`), for the text path's tests.

    python scripts/make_text_reports.py --out tests/text/data --seed 7

Each report `<name>.txt` comes with `<name>.truth.json` ({"template", "values"}).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path

from recover.templates import Template, get_template

Row = list[str]


def consistent_values(template: Template, rng: random.Random) -> dict[str, int | float]:
    """Values that satisfy every consistency rule, with plenty of zeros."""
    values: dict[str, int | float] = {}
    active = template.tables["active"]
    for row in active.rows:
        for column in active.row_columns(row):
            cid = f"active.{row.id}.{column.id}"
            if column.type == "decimal":
                values[cid] = rng.choice([0, 0, round(rng.uniform(0, 500), 2)])
            elif column.type == "signed_count":
                values[cid] = rng.choice([0, 0, rng.randint(-20, 20)])
            else:
                values[cid] = rng.choice([0, 0, rng.randint(1, 3000)])
    apps = template.tables["applications"]
    outcome_rows = [r.id for r in apps.rows if r.id not in
                    ("new", "carried_over", "total", "carried_forward")]
    for column in apps.columns[:-1]:
        outcomes = {r: rng.choice([0, 0, 0, rng.randint(1, 40)]) for r in outcome_rows}
        total = sum(outcomes.values())
        carried_forward = rng.choice([0, rng.randint(0, 9)])
        carried_over = rng.randint(0, total + carried_forward)
        col_values = {**outcomes, "total": total, "carried_forward": carried_forward,
                      "carried_over": carried_over,
                      "new": total + carried_forward - carried_over}
        for row_id, value in col_values.items():
            values[f"applications.{row_id}.{column.id}"] = value
    for row in apps.rows:
        values[f"applications.{row.id}.total"] = sum(
            values[f"applications.{row.id}.{c.id}"] for c in apps.columns[:-1])
    for row in template.tables["reviews"].rows:
        parts = {c: rng.choice([0, 0, rng.randint(1, 12)])
                 for c in ("upheld", "corrected", "other", "pending")}
        for column_id, value in {**parts, "total": sum(parts.values())}.items():
            values[f"reviews.{row.id}.{column_id}"] = value
    return values


def _active_rows(template: Template, values: dict) -> list[Row]:
    """Blocks as in the official form: a new block where the columns change, and 行政处罚
    opening the block of 第二十条第（六）项."""
    table = template.tables["active"]
    rows: list[Row] = []
    previous: tuple[str, ...] = ()
    for row in table.rows:
        columns = table.row_columns(row)
        key = tuple(c.id for c in columns)
        if key != previous or row.id == "penalty":
            rows.append(["第二十条第（x）项", "", "", ""])
            rows.append(["信息内容"] + [c.label for c in columns])
        previous = key
        rows.append([row.label] + [_text(values[f"active.{row.id}.{c.id}"]) for c in columns])
    return rows


def _applications_rows(template: Template, values: dict) -> list[Row]:
    table = template.tables["applications"]
    rows: list[Row] = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "申请人情况"],
        ["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
        ["", "", "", *[c.label for c in table.columns[1:6]]],
    ]
    for row in table.rows:
        rows.append([row.label, ""] + [_text(values[f"applications.{row.id}.{c.id}"])
                                       for c in table.columns])
    return rows


def _reviews_rows(template: Template, values: dict) -> list[Row]:
    table = template.tables["reviews"]
    leaf = [c.label for c in table.columns]
    return [
        ["行政复议", "", "", "", "", "行政诉讼"],
        [*leaf, "未经复议直接起诉", "", "", "", "", "复议后起诉"],
        ["", "", "", "", "", *leaf, *leaf],
        [_text(values[f"reviews.{r.id}.{c.id}"]) for r in table.rows for c in table.columns],
    ]


def _text(value: int | float | None) -> str:
    return "/" if value is None else str(value)


def _tab(rows: list[Row]) -> str:
    return "\n".join("\t".join(r) for r in rows)


def _pipe(rows: list[Row]) -> str:
    return "\n".join(" | ".join(c for c in r if c) + " |" + "|" * r.count("") for r in rows)


def _line(rows: list[Row]) -> str:
    out = []
    for r in rows:
        out += [f"{c} |" for c in r if c]
        out.append("|" * (r.count("") + 1))
    return "\n".join(out)


LAYOUTS: dict[str, Callable[[list[Row]], str]] = {"tab": _tab, "pipe": _pipe, "line": _line}


def render(template: Template, values: dict, layout: str) -> str:
    fmt = LAYOUTS[layout]
    parts = [
        "某某区司法局2023年政府信息公开工作年度报告",
        "一、总体情况",
        "本机关认真贯彻落实政府信息公开条例。",
        "二、主动公开政府信息情况",
        fmt(_active_rows(template, values)),
        "三、收到和处理政府信息公开申请情况",
        fmt(_applications_rows(template, values)),
        "四、政府信息公开行政复议、行政诉讼情况",
        fmt(_reviews_rows(template, values)),
        "五、存在的主要问题及改进情况",
        "无。",
    ]
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    for template_id in ("2021", "2019"):
        template = get_template(template_id)
        for layout in LAYOUTS:
            values = consistent_values(template, rng)
            name = f"layout_{layout}_{template_id}"
            if layout == "pipe":
                # a report that breaks a rule as printed: the balance of one column is off
                values["applications.new.natural_person"] += 1
                name += "_breaks_rule"
            (args.out / f"{name}.txt").write_text(render(template, values, layout),
                                                  encoding="utf-8")
            truth = {"template": template_id, "values": values}
            (args.out / f"{name}.truth.json").write_text(
                json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
