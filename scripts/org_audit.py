#!/usr/bin/env python3
"""Fan-out helpers for an organisation-wide leakless audit on a job engine (GitHub Actions
matrix, Kubernetes Indexed Job). Standard library only.

  org_audit.py list --org ORG [--api URL] [--include-archived] [--include-forks] -o repos.txt
      Lists the organisation's repositories with the GitHub REST API (GITHUB_TOKEN, if set, is
      sent as a bearer token; pages of 100 followed until an empty or short page) and writes
      their clone URLs, one per line, sorted, for `leakless audit --repos`.

  org_audit.py matrix --repos repos.txt --chunk-size N [--max-shards M]
      Prints the GitHub Actions matrix as JSON: {"shard": ["0/K", ..., "K-1/K"]} with
      K = ceil(repositories / N) (at most M), each value a `leakless audit --shard`.

The shard arithmetic itself lives in leakless (`--shard I/K`: every K-th repository from I), so
every engine splits a list the same way and `leakless report merge` joins the pieces.
"""
import argparse
import json
import math
import os
import sys
import urllib.parse
import urllib.request


def list_repos(api, org, include_archived, include_forks):
    urls = []
    page = 1
    while True:
        query = urllib.parse.urlencode({"per_page": 100, "page": page, "type": "all"})
        req = urllib.request.Request(f"{api.rstrip('/')}/orgs/{urllib.parse.quote(org)}/repos?{query}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        token = os.environ.get("GITHUB_TOKEN")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=60) as resp:
            batch = json.load(resp)
        if not isinstance(batch, list):
            raise SystemExit("org_audit.py: the API did not return a list of repositories")
        for r in batch:
            if r.get("archived") and not include_archived:
                continue
            if r.get("fork") and not include_forks:
                continue
            url = r.get("clone_url")
            if isinstance(url, str) and url and not url.startswith("-") and "\n" not in url:
                urls.append(url)
        if len(batch) < 100:
            break
        page += 1
    return sorted(set(urls))


def matrix(repos_file, chunk, max_shards):
    with open(repos_file, encoding="utf-8") as f:
        n = sum(1 for line in f if line.strip() and not line.strip().startswith("#"))
    shards = max(1, min(math.ceil(n / max(1, chunk)), max_shards))
    return {"shard": [f"{i}/{shards}" for i in range(shards)]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("list")
    lp.add_argument("--org", required=True)
    lp.add_argument("--api", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    lp.add_argument("--include-archived", action="store_true")
    lp.add_argument("--include-forks", action="store_true")
    lp.add_argument("-o", "--output", required=True)
    mp = sub.add_parser("matrix")
    mp.add_argument("--repos", required=True)
    mp.add_argument("--chunk-size", type=int, default=20)
    mp.add_argument("--max-shards", type=int, default=256)
    a = ap.parse_args()
    if a.cmd == "list":
        urls = list_repos(a.api, a.org, a.include_archived, a.include_forks)
        with open(a.output, "w", encoding="utf-8") as f:
            f.writelines(u + "\n" for u in urls)
        print(f"{len(urls)} repositories", file=sys.stderr)
    else:
        print(json.dumps(matrix(a.repos, a.chunk_size, a.max_shards)))


if __name__ == "__main__":
    main()
