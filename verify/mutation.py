#!/usr/bin/env python3
"""Memory-order mutation audit.

For every memory order written in include/nexus/ (the named orders in the
`*_orders` traits and any literal std::memory_order_* argument), produce each
single weakening, rebuild only the model drivers that include the mutated
header, run their positive variants, and classify the mutant:

  KILLED     some positive driver failed (which driver, which failure)
  SURVIVED   every positive driver still passed: either the order can really
             be weaker (fix it) or the line carries a justification comment
             `// mutation-survives: <reason>`, which makes it JUSTIFIED
  JUSTIFIED  survived, with the written reason at that line (such lines are
             re-run only with --rerun-justified: verify/run --deep)
  INVALID    the weaker order is not valid for that operation (e.g. a store
             with acquire): relacy rejects it; not counted
An unexplained survivor fails the audit.

Usage: verify/mutation.py [--quick] [--jobs N] [--json FILE] [--only SUBSTR] [--rerun-justified]
"""
import argparse
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "verify" / "mutants"
ORDER_RE = re.compile(r"std::memory_order_(relaxed|consume|acquire|release|acq_rel|seq_cst)\b")
WEAKER = {
    "seq_cst": ["acq_rel", "release", "acquire", "relaxed"],
    "acq_rel": ["release", "acquire", "relaxed"],
    "release": ["relaxed"],
    "acquire": ["relaxed"],
    "consume": ["relaxed"],
    "relaxed": [],
}
# `// mutation-survives: reason` justifies every weakening of the order on that
# line (or the next); `// mutation-survives(release): reason` only the listed
# mutants (comma-separated), so the other weakenings are still run and must be killed.
JUSTIFY_RE = re.compile(r"//\s*mutation-survives(?:\s*\(([\w,\s]+)\))?:\s*(.+)")
CXX = os.environ.get("CXX", "g++")
# -Og, not the ctest drivers' -O1: a mutant's cost is mostly compiling the
# drivers that include its header (-Og compiles ~40% faster, the drivers run
# ~60% slower, and most mutants die in their first second of model checking).
# NEXUS_MODEL_POSITIVE_ONLY: only positive variants run here, so the negative
# twins are not compiled (model/runner.hpp), which halves the compile again.
COMPILE = [CXX, "-std=c++20", "-Og", "-g0", "-DRL_DO_ASSERT=1", "-DNEXUS_MODEL_POSITIVE_ONLY=1",
           "-fno-sized-deallocation",
           "-Wno-unused-parameter"]


def find_sites():
    """Every memory order in include/nexus/, with its name if it is a named order."""
    sites = []
    for f in sorted((ROOT / "include" / "nexus").rglob("*.hpp")):
        lines = f.read_text().splitlines()
        for i, line in enumerate(lines):
            code = line.split("//", 1)[0]
            for m in ORDER_RE.finditer(code):
                name = None
                nm = re.search(r"static\s+constexpr\s+\S+\s+(\w+)\s*=", code)
                if nm:
                    name = nm.group(1)
                just = JUSTIFY_RE.search(line) or (i > 0 and JUSTIFY_RE.search(lines[i - 1]))
                sites.append({
                    "file": str(f.relative_to(ROOT)), "line": i + 1, "col": m.start(),
                    "order": m.group(1), "name": name,
                    "justification": just.group(2).strip() if just else None,
                    "justified_mutants": ([w.strip() for w in just.group(1).split(",")]
                                          if just and just.group(1) else None),
                })
    return sites


def mutants(sites):
    out = []
    for s in sites:
        for w in WEAKER[s["order"]]:
            m = dict(s, mutant=w, id=f"{Path(s['file']).stem}_{s['line']}_{s['col']}_{w}")
            if s["justified_mutants"] is not None and w not in s["justified_mutants"]:
                m["justification"] = None  # justified for other mutants only: this one must be killed
            out.append(m)
    return out


def drivers():
    """Every driver registered with nexus_model_driver(NAME) in model/*.cmake and model/CMakeLists.txt."""
    names = set()
    for f in list((ROOT / "model").glob("*.cmake")) + [ROOT / "model" / "CMakeLists.txt"]:
        names.update(re.findall(r"^\s*nexus_model_driver\((\w+)", f.read_text(), re.M))
    return sorted(n for n in names if (ROOT / "model" / f"{n}.cpp").exists())


def driver_deps(driver):
    r = subprocess.run(COMPILE + ["-MM", "-I", str(ROOT / "include"), "-I", str(ROOT / "model"),
                                  str(ROOT / "model" / f"{driver}.cpp")],
                       capture_output=True, text=True, errors="replace", check=True)
    deps = set()
    for tok in r.stdout.replace("\\\n", " ").split()[1:]:
        p = Path(tok).resolve()
        try:
            deps.add(str(p.relative_to(ROOT)))
        except ValueError:
            pass
    return deps


def positive_variants(binary):
    r = subprocess.run([str(binary), "--list"], capture_output=True, text=True, errors="replace", check=True)
    return [l.split()[0] for l in r.stdout.splitlines() if l.split()[1:] == ["pass"]]


def parse_model_line(text):
    for line in text.splitlines():
        if line.startswith("MODEL "):
            return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line[6:]))
    return None


def relevance(header, driver):
    """Drivers about the mutated header first (the likeliest to kill it)."""
    p = Path(header)
    if driver.startswith(f"{p.parent.name}_{p.stem}") or driver.startswith(p.stem):
        return 0
    if driver.startswith(p.parent.name) or (p.parent.name == "sync" and driver.startswith("notify")):
        return 1
    return 2


def run_mutant(m, affected, timeout):
    t0 = time.time()
    d = WORK / m["id"]
    if d.exists():
        shutil.rmtree(d)
    shutil.copytree(ROOT / "include", d / "include")
    src = d / m["file"]
    lines = src.read_text().splitlines(keepends=True)
    line = lines[m["line"] - 1]
    new = line[:m["col"]] + ORDER_RE.sub(f"std::memory_order_{m['mutant']}", line[m["col"]:], count=1)
    lines[m["line"] - 1] = new
    src.write_text("".join(lines))
    result = dict(m, verdict="SURVIVED", driver="", failure="", checked=[])
    for drv in affected:
        exe = d / f"model_{drv}"
        c = subprocess.run(COMPILE + ["-I", str(d / "include"), "-I", str(ROOT / "model"),
                                      str(ROOT / "model" / f"{drv}.cpp"), "-o", str(exe)],
                           capture_output=True, text=True, errors="replace")
        if c.returncode != 0:
            result.update(verdict="BUILD-ERROR", driver=drv, failure=c.stderr[-400:])
            break
        variants = positive_variants(exe)
        # Phase 1: a cheap random search of every positive variant (most weakened
        # orders fail within a few iterations); phase 2, only if all survived:
        # the driver's own CI budget (exhaustive or context-bound).
        for phase in (["--search", "random", "--iters", "20000"], []):
            for v in variants:
                try:
                    r = subprocess.run([str(exe), "--variant", v, "--timeout", str(timeout)] + phase,
                                       capture_output=True, text=True, errors="replace", timeout=timeout + 30)
                    out = r.stdout + r.stderr
                except subprocess.TimeoutExpired:
                    out = "TIMEOUT"
                    r = None
                result["checked"].append(f"{drv}/{v}{' (random)' if phase else ''}")
                if "RELACY INTERNAL ASSERT" in out:
                    result.update(verdict="INVALID", driver=drv, failure="relacy rejects this order for the operation")
                    break
                row = parse_model_line(out)
                if row is None or row.get("verdict") != "PASS":
                    failure = row.get("result", "?").strip('"') if row else ("TIMEOUT" if r is None else f"crash rc={r.returncode}")
                    where = row.get("where", "").strip('"') if row else ""
                    where = where.replace(str(d) + "/", "").replace(str(ROOT) + "/", "")
                    search = f"{row.get('search', '?')} search" if row else "?"
                    result.update(verdict="KILLED", driver=f"{drv}/{v}",
                                  failure=(failure + f" ({search})" + (f" at {where}" if where else "")))
                    break
            if result["verdict"] != "SURVIVED":
                break
        if result["verdict"] != "SURVIVED":
            break
    if result["verdict"] == "SURVIVED" and m["justification"]:
        result["verdict"] = "JUSTIFIED"
    result["seconds"] = round(time.time() - t0, 1)
    shutil.rmtree(d, ignore_errors=True)
    return result


def audit(quick=False, jobs=None, only=None, timeout=300, progress=print, rerun_justified=False):
    jobs = jobs or os.cpu_count() or 2
    WORK.mkdir(parents=True, exist_ok=True)
    sites = find_sites()
    ms = mutants(sites)
    if only:
        ms = [m for m in ms if only in m["id"] or only in (m["name"] or "") or only in m["file"]]
    if quick:
        # A deterministic sample for CI: the first unjustified weakening in each header.
        seen, sample = set(), []
        for m in ms:
            if m["file"] not in seen and not m["justification"]:
                seen.add(m["file"])
                sample.append(m)
        ms = sample
    deps = {d: driver_deps(d) for d in drivers()}
    results = []
    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = {}
        for m in ms:
            affected = sorted((d for d, ds in deps.items() if m["file"] in ds), key=lambda d: relevance(m["file"], d))
            if not affected and not m["justification"]:
                results.append(dict(m, verdict="SURVIVED", driver="", failure="no model driver includes this header",
                                    checked=[], seconds=0.0))
                continue
            if m["justification"] and not rerun_justified:
                # Justified survivors are re-run only with --rerun-justified (verify/run --deep): a
                # survivor runs every positive driver, the slowest case of the audit.
                results.append(dict(m, verdict="JUSTIFIED", driver="(not re-run)", failure="", checked=[],
                                    seconds=0.0))
                continue
            futs[ex.submit(run_mutant, m, affected, timeout)] = m
        done = 0
        for f in cf.as_completed(futs):
            r = f.result()
            done += 1
            progress(f"[mutation {done}/{len(futs)}] {r['file']}:{r['line']} {r['name'] or ''} "
                     f"{r['order']} -> {r['mutant']}: {r['verdict']} {r['driver']} {r['failure']} ({r['seconds']} s)")
            results.append(r)
    results.sort(key=lambda r: (r["file"], r["line"], r["col"], WEAKER[r["order"]].index(r["mutant"])
                                if r["mutant"] in WEAKER[r["order"]] else 0))
    return sites, results


def table(results):
    rows = ["| file:line | order name | original | mutant | verdict | driver/variant | failure or reason | s |",
            "|---|---|---|---|---|---|---|---|"]
    for r in results:
        reason = r["failure"] if r["verdict"] != "JUSTIFIED" else r["justification"]
        rows.append(f"| {r['file']}:{r['line']} | {r['name'] or '(literal)'} | {r['order']} | {r['mutant']} | "
                    f"{r['verdict']} | {r['driver']} | {reason.replace('|', '/')} | {r['seconds']} |")
    return "\n".join(rows)


def score(results):
    counted = [r for r in results if r["verdict"] in ("KILLED", "SURVIVED", "JUSTIFIED", "BUILD-ERROR")]
    killed = sum(r["verdict"] == "KILLED" for r in counted)
    return killed, len(counted)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--json")
    ap.add_argument("--only")
    ap.add_argument("--rerun-justified", action="store_true",
                    help="also re-run mutants at lines that carry a mutation-survives justification")
    a = ap.parse_args()
    sites, results = audit(a.quick, a.jobs, a.only, rerun_justified=a.rerun_justified)
    print(table(results))
    k, n = score(results)
    bad = [r for r in results if r["verdict"] in ("SURVIVED", "BUILD-ERROR")]
    print(f"mutation score: {k}/{n} killed; {len(bad)} unexplained survivors or build errors")
    if a.json:
        Path(a.json).write_text(json.dumps({"sites": sites, "results": results}, indent=1))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
