#!/usr/bin/env python3
"""Times commands in interleaved rounds, so that load on a shared machine hits each alike.

Usage: python3 benches/interleave.py [--runs N] [--warmup N] [--json FILE] -- CMD1 -- CMD2 ...

Each CMD is a command line split on whitespace (no shell). Every round runs each command once,
in an order rotated by the round number; stdout and stderr go to /dev/null. Per run it records
the wall time (spawn to exit) and the child's user+system CPU (wait4 rusage). It prints, per
command, the mean / p50 / p95 / max wall time and the mean CPU, the p95 difference of each
command against the first, and the load average before and after; `--json` writes every
per-run time too.
"""
import json
import os
import sys
import time


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def run_once(argv, devnull):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                        (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(argv)}: exit code {code}")
    return (t1 - t0) / 1e6, (ru.ru_utime + ru.ru_stime) * 1000


def main():
    args = sys.argv[1:]
    runs, warmup, out = 60, 5, None
    while args and args[0] != "--":
        flag, value = args[0], args[1]
        args = args[2:]
        if flag == "--runs":
            runs = int(value)
        elif flag == "--warmup":
            warmup = int(value)
        elif flag == "--json":
            out = value
        else:
            sys.exit(f"unknown option {flag}")
    cmds, cur = [], None
    for a in args:
        if a == "--":
            cur = []
            cmds.append(cur)
        else:
            cur.append(a)
    cmds = [c for c in cmds if c]
    if not cmds:
        sys.exit(__doc__)
    devnull = os.open(os.devnull, os.O_WRONLY)
    load_before = os.getloadavg()
    wall = [[] for _ in cmds]
    cpu = [[] for _ in cmds]
    for r in range(warmup + runs):
        for k in range(len(cmds)):
            i = (k + r) % len(cmds)
            w, c = run_once(cmds[i], devnull)
            if r >= warmup:
                wall[i].append(w)
                cpu[i].append(c)
    load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; {runs} rounds")
    for i, c in enumerate(cmds):
        w = wall[i]
        print(f"{' '.join(c)}: wall mean {sum(w) / len(w):.1f} ms, p50 {pct(w, 0.5):.1f} ms, "
              f"p95 {pct(w, 0.95):.1f} ms, max {max(w):.1f} ms; cpu mean {sum(cpu[i]) / len(w):.1f} ms")
    for i in range(1, len(cmds)):
        d = pct(wall[i], 0.95) - pct(wall[0], 0.95)
        dm = pct(wall[i], 0.5) - pct(wall[0], 0.5)
        print(f"p95 difference {' '.join(cmds[i][:1])}… − {' '.join(cmds[0][:1])}…: {d:.1f} ms "
              f"(p50 difference {dm:.1f} ms)")
    if out:
        with open(out, "w") as f:
            json.dump({"load_before": load_before, "load_after": load_after,
                       "commands": [{"command": c, "wall_ms": wall[i], "cpu_ms": cpu[i]}
                                    for i, c in enumerate(cmds)]}, f)


if __name__ == "__main__":
    main()
