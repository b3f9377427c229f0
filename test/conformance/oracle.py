"""Conformance oracle: runs the real Alembic on a project and prints what it says, as JSON.

Usage: python3 oracle.py PROJECT_DIR [WALKS_JSON]

Runs the real CLI (`alembic heads`, `alembic branches`, `alembic history`) through
alembic.config.main with the project's alembic.ini, and computes upgrade/downgrade walks with
the RevisionMap calls that ScriptDirectory._upgrade_revs / _downgrade_revs make (the steps of
`alembic upgrade` / `alembic downgrade`, without needing a database).

Alembic 1.8 lists version folders with os.listdir (file-system order); Alembic 1.10+ sorts file
names. We follow the newest behaviour, so listdir is sorted here.
"""
import contextlib
import io
import json
import os
import sys
import warnings

_listdir = os.listdir
os.listdir = lambda p=".": sorted(_listdir(p))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.util import CommandError  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402


class Utf8Buffer(io.StringIO):
    """Alembic writes ids with `encoding` of its stream (ASCII with '?' when a stream has none)."""

    encoding = "utf-8"


def run_cli(ini, name):
    """What `alembic -c INI NAME` prints: the same command function the CLI calls."""
    out, err = Utf8Buffer(), io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            getattr(command, name)(Config(ini, stdout=out))
        except CommandError as e:
            code = 1
            err.write("FAILED: %s" % e)
        except BaseException as e:  # KeyError and friends escape the CLI
            code = 1
            err.write("%s: %s" % (type(e).__name__, e))
    return {"code": code, "out": out.getvalue(), "err": err.getvalue(), "warnings": [str(x.message) for x in w]}


def main():
    project = sys.argv[1]
    walks = json.loads(sys.argv[2]) if len(sys.argv) > 2 else []
    ini = os.path.join(project, "alembic.ini")
    result = {
        "heads": run_cli(ini, "heads"),
        "branches": run_cli(ini, "branches"),
        "history": run_cli(ini, "history"),
        "walks": [],
        "revisions": None,
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            script = ScriptDirectory.from_config(Config(ini))
            revs = {}
            for rev in script.walk_revisions():
                revs[rev.revision] = {
                    "down": list(rev._versioned_down_revisions),
                    "labels": sorted(rev.branch_labels),
                    "next": sorted(rev.nextrev),
                    "deps": sorted(rev._resolved_dependencies),
                    "doc": rev.doc,
                }
            result["revisions"] = revs
            result["heads_api"] = list(script.get_heads())
            result["bases_api"] = list(script.get_bases())
    except BaseException as e:
        result["load_error"] = "%s: %s" % (type(e).__name__, e)
    for w in walks:
        entry = {"walk": w}
        try:
            current = tuple(w["current"])
            if w["kind"] == "upgrade":
                revs = script.revision_map.iterate_revisions(w["target"], current, implicit_base=True)
                entry["steps"] = [r.revision for r in reversed(list(revs))]
            elif w["kind"] == "downgrade":
                revs = script.revision_map.iterate_revisions(current, w["target"], select_for_downgrade=True)
                entry["steps"] = [r.revision for r in revs]
            else:
                entry["ids"] = [r.revision for r in script.revision_map.get_revisions(w["target"]) if r is not None]
        except BaseException as e:
            entry["error"] = "%s: %s" % (type(e).__name__, e)
        result["walks"].append(entry)
    json.dump(result, sys.stdout)


main()
