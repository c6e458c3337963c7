#!/usr/bin/env python3
"""Runs a composite GitHub Action's steps on this machine, the way the runner would.

Usage: action_runner.py ACTION_DIR WORKSPACE CONTEXT_JSON

CONTEXT_JSON: {"event_name": ..., "event": {...}, "inputs": {...}, "cached_binary": path-or-null,
               "action_ref": "v1.2.3" (optional), "path_prepend": [dirs] (optional)}

`run:` steps execute with bash (`--noprofile --norc -eo pipefail`), with `${{ ... }}` expressions
substituted and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / RUNNER_TEMP / GITHUB_WORKSPACE set. Remote
actions are replaced by local stand-ins: `actions/cache` restores `cached_binary` (a cache hit) or
misses; `github/codeql-action/upload-sarif` checks the SARIF file exists and is SARIF 2.1.0 and
records it. Prints a JSON result: steps run, outputs, whether the job failed, the step summary.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def lookup(path, ctx):
    cur = ctx
    for part in path.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part, "")
        else:
            return ""
    return "" if cur is None else cur


def evaluate(expr, ctx):
    """A small evaluator for the expressions our action uses: context lookups, string literals,
    ==, !=, &&, ||, !, parentheses."""
    tokens = re.findall(r"'(?:[^']|'')*'|&&|\|\||==|!=|!|\(|\)|[A-Za-z_][\w.\-]*", expr)
    py = []
    for t in tokens:
        if t.startswith("'"):
            py.append(repr(t[1:-1].replace("''", "'")))
        elif t == "&&":
            py.append(" and ")
        elif t == "||":
            py.append(" or ")
        elif t in ("==", "!=", "(", ")"):
            py.append(f" {t} ")
        elif t == "!":
            py.append(" not ")
        elif t in ("true", "false"):
            py.append(t.capitalize())
        else:
            py.append(repr(str(lookup(t, ctx))))
    return eval("".join(py), {"__builtins__": {}}, {})  # noqa: S307 - our own action's expressions


def substitute(text, ctx):
    return EXPR.sub(lambda m: str(evaluate(m.group(1), ctx)), str(text))


def read_outputs(path):
    out = {}
    if not os.path.exists(path):
        return out
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            key, delim = line.split("<<", 1)
            i += 1
            buf = []
            while i < len(lines) and lines[i] != delim:
                buf.append(lines[i])
                i += 1
            out[key] = "\n".join(buf)
        elif "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
        i += 1
    return out


def main():
    action_dir, workspace, ctx_json = sys.argv[1], sys.argv[2], sys.argv[3]
    given = json.loads(ctx_json)
    action = yaml.safe_load(open(os.path.join(action_dir, "action.yml"), encoding="utf-8"))
    runner_temp = tempfile.mkdtemp(prefix="runner-temp-")
    summary = os.path.join(runner_temp, "step-summary.md")
    open(summary, "w").close()
    inputs = {k: str(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
    inputs.update({k: str(v) for k, v in given.get("inputs", {}).items()})
    ctx = {
        "inputs": inputs,
        "github": {
            "action_path": os.path.abspath(action_dir),
            "action_ref": given.get("action_ref", ""),
            "repository": "leakless/leakless",
            "token": "",
            "workspace": os.path.abspath(workspace),
            "event_name": given["event_name"],
            "event": given.get("event", {}),
            "sha": given.get("event", {}).get("after", ""),
        },
        "runner": {"os": "Linux", "temp": runner_temp},
        "steps": {},
    }
    env_base = dict(os.environ)
    if given.get("path_prepend"):
        env_base["PATH"] = os.pathsep.join(given["path_prepend"] + [env_base.get("PATH", "")])
    env_base.update(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": os.path.abspath(workspace),
            "GITHUB_ACTION_PATH": os.path.abspath(action_dir),
            "GITHUB_EVENT_NAME": given["event_name"],
            "GITHUB_STEP_SUMMARY": summary,
            "RUNNER_TEMP": runner_temp,
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
        }
    )
    result = {"steps": [], "uploaded": [], "failed": False}
    for n, step in enumerate(action["runs"]["steps"]):
        sid = step.get("id", f"step{n}")
        cond = step.get("if")
        if cond is not None:
            cond = EXPR.sub(lambda m: m.group(1), str(cond))
            if not evaluate(cond, ctx):
                result["steps"].append({"id": sid, "skipped": True})
                continue
        outputs = {}
        if "uses" in step:
            uses = step["uses"]
            with_ = {k: substitute(v, ctx) for k, v in step.get("with", {}).items()}
            if uses.startswith("actions/cache@"):
                cached = given.get("cached_binary")
                if cached:
                    dest = os.path.join(with_["path"], "bin")
                    os.makedirs(dest, exist_ok=True)
                    shutil.copy2(cached, os.path.join(dest, "leakless"))
                outputs["cache-hit"] = "true" if cached else "false"
            elif uses.startswith("github/codeql-action/upload-sarif@"):
                path = os.path.join(workspace, with_["sarif_file"])
                doc = json.load(open(path, encoding="utf-8"))
                assert doc["version"] == "2.1.0", "not SARIF 2.1.0"
                result["uploaded"].append({"sarif_file": with_["sarif_file"], "category": with_.get("category")})
            else:
                raise SystemExit(f"no local stand-in for {uses}")
            result["steps"].append({"id": sid, "uses": uses})
        else:
            out_file = os.path.join(runner_temp, f"output-{n}")
            open(out_file, "w").close()
            env = dict(env_base)
            env["GITHUB_OUTPUT"] = out_file
            env.update({k: substitute(v, ctx) for k, v in step.get("env", {}).items()})
            script = os.path.join(runner_temp, f"step-{n}.sh")
            with open(script, "w", encoding="utf-8") as f:
                f.write(substitute(step["run"], ctx))
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                cwd=workspace, env=env, capture_output=True, text=True,
            )
            outputs = read_outputs(out_file)
            result["steps"].append(
                {"id": sid, "exit": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}
            )
            if proc.returncode != 0:
                result["failed"] = True
                ctx["steps"][sid] = {"outputs": outputs}
                break
        ctx["steps"][sid] = {"outputs": outputs}
    result["outputs"] = {k: substitute(v["value"], ctx) for k, v in action.get("outputs", {}).items()}
    result["summary"] = open(summary, encoding="utf-8").read()
    shutil.rmtree(runner_temp, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
