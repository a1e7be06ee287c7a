#!/usr/bin/env python3
"""Run SANY and TLC on every spec/*.cfg.

  X.cfg or X_suffix.cfg checks module X.tla (override: a line
  `\\* MODULE: Name` in the cfg). A cfg whose name contains "buggy" must be
  refuted by TLC (exit 12: invariant violated, 13: temporal property
  violated); a refutation that does not happen FAILS the run. Any other cfg
  must pass (exit 0).

TLC is in no Debian package: it is found through TLA2TOOLS (a Java classpath:
a tla2tools.jar or a class folder). Without it every cfg gets a SKIPPED row
and the runner exits 77 (ctest: skipped), never 0.

  verify/spec_runner.py [--json FILE] [--only PATTERN] [--timeout S] [--deep]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"


def module_of(cfg: Path) -> str:
    m = re.search(r"\\\*\s*MODULE:\s*(\w+)", cfg.read_text())
    if m:
        return m.group(1)
    stem = cfg.stem
    if (SPEC / f"{stem}.tla").exists():
        return stem
    return stem.split("_")[0]


def run_one(cfg: Path, cp: str, timeout: int, deep: bool) -> dict:
    mod = module_of(cfg)
    kind = "buggy" if "buggy" in cfg.name.lower() else "normal"
    row = {"spec": mod, "cfg": cfg.name, "kind": kind, "sany": "", "tlc": "", "distinct_states": "",
           "generated_states": "", "depth": "", "seconds": "", "result": ""}
    with tempfile.TemporaryDirectory(prefix="nexus-tlc-") as tmp:
        for f in SPEC.glob("*.tla"):
            shutil.copy(f, tmp)
        shutil.copy(cfg, Path(tmp) / cfg.name)
        t0 = time.time()
        s = subprocess.run(["java", "-cp", cp, "tla2sany.SANY", "-error-codes", f"{mod}.tla"], cwd=tmp,
                           capture_output=True, text=True)
        if "Illegal switch" in s.stdout + s.stderr:  # older SANY: no -error-codes; judge its output
            s = subprocess.run(["java", "-cp", cp, "tla2sany.SANY", f"{mod}.tla"], cwd=tmp, capture_output=True,
                               text=True)
            if re.search(r"\*\*\*.*(Error|error)|Semantic errors|Fatal errors", s.stdout + s.stderr):
                s = subprocess.CompletedProcess(s.args, 4, s.stdout, s.stderr)
        row["sany"] = "ok" if s.returncode == 0 else f"error rc={s.returncode}"
        if s.returncode != 0:
            row["result"] = "FAIL"
            row["detail"] = (s.stdout + s.stderr)[-1500:]
            return row
        args = ["java", "-XX:+UseParallelGC", "-cp", cp, "tlc2.TLC", "-workers", str(os.cpu_count() or 2),
                "-cleanup", "-metadir", str(Path(tmp) / "states"), "-config", cfg.name, f"{mod}.tla"]
        try:
            t = subprocess.run(args, cwd=tmp, capture_output=True, text=True, timeout=timeout)
            out, rc = t.stdout + t.stderr, t.returncode
        except subprocess.TimeoutExpired:
            out, rc = "", None
        row["seconds"] = round(time.time() - t0, 1)
    m = re.findall(r"([\d,]+) states generated, ([\d,]+) distinct states found", out)
    if m:
        row["generated_states"], row["distinct_states"] = (x.replace(",", "") for x in m[-1])
    d = re.search(r"depth of the complete state graph search is (\d+)", out)
    row["depth"] = d.group(1) if d else ""
    v = re.search(r"Error: (Invariant \w+ is violated|Temporal properties were violated|.*deadlock.*)", out)
    if rc is None:
        row["tlc"], row["result"] = "timeout", "FAIL"
    elif rc == 0:
        row["tlc"] = "no error"
        row["result"] = "PASS" if kind == "normal" else "FAIL (buggy spec not refuted)"
    elif rc in (11, 12, 13):
        row["tlc"] = v.group(1) if v else f"violation rc={rc}"
        row["result"] = "PASS (refuted as expected)" if kind == "buggy" else "FAIL"
    else:
        row["tlc"] = f"error rc={rc}"
        row["result"] = "FAIL"
    if not row["result"].startswith("PASS"):
        row["detail"] = out[-3000:]
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json")
    ap.add_argument("--only")
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--deep", action="store_true", help="reserved: larger constants where a *_deep.cfg exists")
    a = ap.parse_args()
    cfgs = sorted(SPEC.glob("*.cfg"))
    if not a.deep:
        cfgs = [c for c in cfgs if "_deep" not in c.stem]
    if a.only:
        cfgs = [c for c in cfgs if a.only in c.name]
    cp = os.environ.get("TLA2TOOLS")
    rows = []
    if not cp or not shutil.which("java"):
        why = "TLA2TOOLS not set: no TLC on this machine" if not cp else "java not installed"
        for c in cfgs:
            rows.append({"spec": module_of(c), "cfg": c.name, "kind": "buggy" if "buggy" in c.name.lower()
                         else "normal", "result": f"SKIPPED ({why})"})
        code = 77
    else:
        for c in cfgs:
            print(f"spec_runner: {c.name} ...", flush=True)
            rows.append(run_one(c, cp, a.timeout, a.deep))
        code = 0 if all(r["result"].startswith("PASS") for r in rows) else 1
    print("| spec | cfg | kind | SANY | TLC | distinct states | depth | seconds | result |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['spec']} | {r['cfg']} | {r['kind']} | {r.get('sany', '')} | {r.get('tlc', '')} | "
              f"{r.get('distinct_states', '')} | {r.get('depth', '')} | {r.get('seconds', '')} | {r['result']} |")
    for r in rows:
        if "detail" in r:
            print(f"\n--- {r['cfg']}: {r['result']}\n{r['detail']}")
    if a.json:
        Path(a.json).write_text(json.dumps({"rows": rows, "exit": code}, indent=1))
    sys.exit(code)


if __name__ == "__main__":
    main()
