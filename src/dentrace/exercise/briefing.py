"""The briefing trainees read first: the institution, the task, the time allowed and what to
hand in, as one self-contained HTML page with every value escaped.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from dentrace.exercise.levels import Level

_STYLE = ("body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
          "line-height:1.5;padding:0 1rem}code{background:#f2f2f2;padding:0 .2rem}"
          "th{text-align:left;padding-right:1rem}")


def _text(value: object) -> str:
    """``value`` as HTML text: markup escaped, control characters (not allowed in HTML) shown
    as escapes."""
    return escape(html_text("-" if value is None else value), quote=True)


def _institution_rows(manifest: dict[str, Any]) -> str:
    rows = []
    for inst in manifest.get("institutions", []):
        rows.append(
            "<tr>" + "".join(f"<td>{_text(inst.get(k))}</td>" for k in (
                "name", "kind", "country", "currency", "date_from", "date_to", "customers",
                "transactions", "folder")) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("institution", "kind", "country", "currency",
                                              "from", "to", "customers", "payments", "folder"))
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _load_steps(manifest: dict[str, Any]) -> str:
    steps = []
    for inst in manifest.get("institutions", []):
        folder = str(inst.get("folder"))
        workspace = f"work-{inst.get('name')}"
        steps.append(f"dentrace ingest --workspace {workspace} --transactions {folder}/"
                     f"transactions --customers {folder}/customers.parquet "
                     f"--known {folder}/known.parquet\n"
                     f"dentrace scan --workspace {workspace}")
    return "<pre><code>" + _text("\n".join(steps)) + "</code></pre>"


def briefing_html(level: Level, manifest: dict[str, Any]) -> str:
    """The briefing page of an exercise built at ``level`` and described by ``manifest``."""
    several = len(manifest.get("institutions", [])) > 1
    sharing = ("<p>The institutions agreed to share signals without personal data "
               "(<code>dentrace share export</code> and <code>dentrace share match</code>, "
               "docs/sharing.md). A party flagged by another institution is a lead, not a "
               "finding: check it in your own data.</p>") if several else ""
    minutes = int(manifest.get("minutes", level.minutes))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Exercise {_text(manifest.get("exercise"))}: {_text(level.title)}</title>
<style>{_STYLE}</style></head><body>
<h1>Exercise {_text(manifest.get("exercise"))}: {_text(level.title)}</h1>
<p>All data in this exercise is synthetic: no real person, account or payment.</p>
<h2>The institution</h2>
<p>You work in the financial crime unit of {_text(level.setting)}.</p>
{_institution_rows(manifest)}
{sharing}
<h2>The task</h2>
<p>Find the customers who pay for live-streamed child sexual abuse and the accounts that
collect those payments (the facilitators of a den), and leave honest customers alone:
families sending money home, partners, sponsors and adults paying adult services look alike
at first sight. Earlier cases of the institution are in the known file.</p>
<h2>Time allowed</h2>
<p><strong>{minutes} minutes</strong> from the start the trainer announces.</p>
<h2>What to hand in</h2>
<ul>
<li>Either work in the dentrace app on the exercise workspace: escalate the alerts you
believe, dismiss the others with a reason, open cases. Your dispositions are recorded.</li>
<li>Or a ranked list: a CSV file with a header and the column <code>party_id</code>, most
suspicious first{", with a column <code>institution</code>" if several else ""}.
Only the first 50 rows count towards precision; every row counts as an accusation.</li>
<li>Optionally a draft goAML report (XML) on your strongest case.</li>
</ul>
<h2>Loading the data</h2>
{_load_steps(manifest)}
<p>Exercise bundle made by {_text(manifest.get("generator"))}; level {level.number},
seed {_text(manifest.get("seed"))}.</p>
</body></html>
"""


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def html_text(value: object) -> str:
    """``str(value)`` with the control characters HTML forbids written as ``\\x1b`` escapes."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"),
                         str(value))
