"""The report's "Inconsistent translations" section: each set of disagreeing segments side by side.

A set is what `inconsistent_translation` flags link (a segment and the ids its flag names, of one
kind): one source translated several ways, or one translation given to several sources. Each set
is a table of its segments (id, file, source, translation), grouped by variant, so a reviewer sees
the competing translations next to each other. The section is plain HTML (no script), inserted
before the end of the page's <main>; at most MAX_SETS sets and MAX_MEMBERS segments a set are shown.
"""

from __future__ import annotations

import html
from collections import defaultdict

from lacuna.flag_types import INCONSISTENT_TRANSLATION as FLAG_TYPE

MAX_SETS = 200
MAX_MEMBERS = 20
KIND_TITLES = {
    "source": "Same source, different translations",
    "translation": "Same translation, different sources",
}
STYLE = """<style>
#consistency table { border-collapse: collapse; width: 100%; margin: .3em 0 1.2em; font-size: 13px; }
#consistency th, #consistency td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
#consistency td.flagged { background: #fff7ed; }
#consistency caption { text-align: left; font-weight: 600; padding: 4px 0; }
</style>"""


def _kind(flag: dict) -> str:
    return "translation" if "same translation" in str(flag.get("message", "")) else "source"


def inconsistent_sets(records: list[dict]) -> list[tuple[str, list[str], set[str]]]:
    """(kind, member ids, flagged ids) of every set, largest first."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    flagged: dict[str, set[str]] = defaultdict(set)
    for rec in records:
        for flag in rec.get("flags") or []:
            if flag.get("type") != FLAG_TYPE:
                continue
            kind, me = _kind(flag), str(rec.get("id"))
            flagged[kind].add(me)
            for other in flag.get("related_ids") or []:
                parent[find((kind, me))] = find((kind, str(other)))
            find((kind, me))
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node in list(parent):
        groups[find(node)].append(node[1])
    sets = [(root[0], sorted(ids), flagged[root[0]]) for root, ids in groups.items()]
    sets.sort(key=lambda s: (-len(s[1]), s[0], s[1][0]))
    return sets


def render_section(records: list[dict]) -> str:
    """The section's HTML, or "" when the job has no inconsistent sets."""
    sets = inconsistent_sets(records)
    if not sets:
        return ""
    by_id = {str(r.get("id")): r for r in records}
    e = html.escape
    parts = [STYLE, '<section id="consistency"><h2>Inconsistent translations</h2>',
             f"<p>{len(sets)} set(s) of segments that disagree; flagged segments are shaded. "
             "Segments whose <code>context</code> or <code>resname</code> label differs are never compared.</p>"]
    for kind, ids, flagged in sets[:MAX_SETS]:
        other = "translation" if kind == "source" else "source"
        members = sorted(ids, key=lambda i: (str(by_id.get(i, {}).get(other, "")), i))
        parts.append(f"<table><caption>{e(KIND_TITLES[kind])} ({len(ids)} segments)</caption>"
                     "<tr><th>id</th><th>file</th><th>source</th><th>translation</th></tr>")
        for seg_id in members[:MAX_MEMBERS]:
            rec = by_id.get(seg_id, {})
            shade = ' class="flagged"' if seg_id in flagged else ""
            parts.append(f"<tr><td{shade}>{e(seg_id)}</td><td>{e(str(rec.get('source_file', '')))}</td>"
                         f"<td>{e(str(rec.get('source', '')))}</td><td>{e(str(rec.get('translation', '')))}</td></tr>")
        if len(members) > MAX_MEMBERS:
            parts.append(f"<tr><td colspan=4>… and {len(members) - MAX_MEMBERS} more</td></tr>")
        parts.append("</table>")
    if len(sets) > MAX_SETS:
        parts.append(f"<p>… and {len(sets) - MAX_SETS} more sets (see the results file).</p>")
    parts.append("</section>")
    return "".join(parts)


def add_section(page: str, records: list[dict]) -> str:
    """`page` with the section inserted before its last </main> (or </body>)."""
    section = render_section(records)
    if not section:
        return page
    for tag in ("</main>", "</body>"):
        at = page.rfind(tag)
        if at >= 0:
            return page[:at] + section + page[at:]
    return page + section
