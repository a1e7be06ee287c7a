#!/usr/bin/env python3
"""SANY + TLC over every spec/*.cfg; prints one row per cfg.

Which module a cfg checks: `X.cfg` -> `X.tla`; `X_something.cfg` -> the
longest `X_some.tla` / `X.tla` prefix that exists; a line `\\* MODULE: Name`
in the cfg overrides both.

Expected verdict: a cfg whose file name contains "buggy" must be REFUTED by
TLC (exit 12: safety violation, 13: liveness violation); if TLC finds no
error the run FAILS. A `\\* EXPECT: Name` line in a buggy cfg also requires
that it is that invariant/property which is violated. Any other cfg passes
only with TLC exit 0.

Other cfg comment lines read by the runner:
  \\* DEEP: Name = value     with --deep, replaces that CONSTANT's value
  \\* TLC-FLAGS: -deadlock   extra TLC arguments for this cfg

TLC is in no package registry: it is found only through the environment
variable TLA2TOOLS (a Java classpath: a tla2tools.jar or a class folder).
Without it, or without java, every cfg gets a SKIPPED row and the runner
exits 77 (ctest: SKIP_RETURN_CODE), never 0. Each run happens in a fresh
temporary directory (copies of spec/*.tla, TLC's -metadir, java.io.tmpdir),
so nothing is written into spec/.

Exit: 0 all rows passed, 1 a row failed (or nothing matched), 77 skipped.

  TLA2TOOLS=/opt/tla/tla2tools.jar python3 verify/spec_runner.py \\
      [--json FILE] [--only PATTERN] [--deep] [--timeout S] [--workers N]
"""
import argparse
import fnmatch
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
SKIP = 77

# tlc2.output.EC.ExitStatus
TLC_EXIT = {0: "no error", 10: "assumption violated", 11: "deadlock", 12: "safety violation",
            13: "liveness violation", 14: "assertion failed", 75: "error (config)", 150: "error (spec parse)",
            151: "error (config parse)", 152: "error (state space too large)", 153: "error (system)",
            255: "error"}
COLUMNS = [("spec", "spec"), ("cfg", "cfg"), ("kind", "kind"), ("sany", "SANY"), ("tlc", "TLC verdict"),
           ("distinct_states", "distinct states"), ("depth", "depth"), ("seconds", "seconds"),
           ("result", "result")]


def directive(text, name):
    """Values of `\\* NAME: value` comment lines in a cfg."""
    return [m.group(1).strip() for m in re.finditer(r"^\s*\\\*\s*" + re.escape(name) + r":\s*(.*?)\s*$",
                                                     text, re.M)]


def module_of(cfg):
    over = directive(cfg.read_text(), "MODULE")
    if over:
        return over[0].removesuffix(".tla")
    parts = cfg.stem.split("_")
    for n in range(len(parts), 0, -1):
        if (cfg.parent / ("_".join(parts[:n]) + ".tla")).exists():
            return "_".join(parts[:n])
    return parts[0]  # missing: SANY will say so


def kind_of(cfg):
    return "buggy" if "buggy" in cfg.name.lower() else "normal"


def deepen(text):
    """Apply `\\* DEEP: Name = value` lines to the CONSTANT assignments."""
    for d in directive(text, "DEEP"):
        for item in d.split(","):
            m = re.match(r"\s*(\w+)\s*=\s*(.+?)\s*$", item)
            if not m:
                raise ValueError(f"bad DEEP line: {d!r}")
            name, value = m.groups()
            text, n = re.subn(r"(?m)^(?!\s*\\\*)(.*?\b" + re.escape(name) + r"\s*=\s*)(\S+)", r"\g<1>" + value,
                              text, count=1)
            if n == 0:
                raise ValueError(f"DEEP names a constant the cfg does not assign: {name}")
    return text


def classpath(raw):
    """TLA2TOOLS with every entry made absolute; None if no entry exists."""
    parts = [str(Path(p).expanduser().resolve()) for p in raw.split(os.pathsep) if p]
    return os.pathsep.join(parts) if any(Path(p).exists() for p in parts) else None


def java_cmd(cp, tmp, *args):
    return ["java", "-XX:+UseParallelGC", f"-Djava.io.tmpdir={tmp}", "-cp", cp, *args]


def sany(cp, tmp, module):
    """(ok, text). Uses -error-codes; an older SANY rejects the switch and
    always exits 0, so its output is judged instead."""
    r = subprocess.run(java_cmd(cp, tmp, "tla2sany.SANY", "-error-codes", f"{module}.tla"), cwd=tmp,
                       capture_output=True, text=True)
    out = r.stdout + r.stderr
    if "Illegal switch" in out:
        r = subprocess.run(java_cmd(cp, tmp, "tla2sany.SANY", f"{module}.tla"), cwd=tmp, capture_output=True,
                           text=True)
        out = r.stdout + r.stderr
        bad = re.search(r"\*\*\* ?Errors?|\*\*\*Parse Error\*\*\*|Semantic errors|Fatal errors|Could not parse|"
                        r"Cannot find source file", out)
        return (r.returncode == 0 and not bad), out
    return r.returncode == 0, out


def num(pattern, text):
    m = re.findall(pattern, text)
    return int(m[-1].replace(",", "")) if m else ""


def run_cfg(cfg, cp, args, sany_cache):
    module, kind, text = module_of(cfg), kind_of(cfg), cfg.read_text()
    row = {"spec": module, "cfg": cfg.name, "kind": kind, "sany": "", "tlc": "", "tlc_rc": "",
           "violated": "", "distinct_states": "", "generated_states": "", "depth": "", "seconds": "",
           "result": "FAIL", "deep": bool(args.deep)}
    with tempfile.TemporaryDirectory(prefix="nexus-tlc-") as tmp:
        for f in SPEC.glob("*.tla"):
            shutil.copy(f, tmp)
        try:
            body = deepen(text) if args.deep else text
        except ValueError as e:
            row["detail"] = str(e)
            return row
        (Path(tmp) / cfg.name).write_text(body)
        if not (Path(tmp) / f"{module}.tla").exists():
            row["sany"] = "missing"
            row["detail"] = f"{cfg.name}: module {module}.tla not found in spec/"
            return row
        if module not in sany_cache:
            sany_cache[module] = sany(cp, tmp, module)
        ok, out = sany_cache[module]
        row["sany"] = "ok" if ok else "error"
        if not ok:
            row["detail"] = out[-3000:]
            return row
        extra = [t for d in directive(text, "TLC-FLAGS") for t in d.split()]
        cmd = java_cmd(cp, tmp, "tlc2.TLC", "-workers", str(args.workers), "-cleanup", "-noGenerateSpecTE",
                       "-metadir", str(Path(tmp) / "states"), *extra, "-config", cfg.name, f"{module}.tla")
        t0 = time.monotonic()
        try:
            r = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=args.timeout)
            out, rc = r.stdout + r.stderr, r.returncode
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            rc = None
        row["seconds"] = round(time.monotonic() - t0, 2)
    row["generated_states"] = num(r"([\d,]+) states generated", out)
    row["distinct_states"] = num(r"([\d,]+) distinct states found", out)
    row["depth"] = num(r"depth of the complete state graph search is ([\d,]+)", out)
    viol = re.search(r"Error: (?:Invariant|Action property) (\w+) is violated", out)
    if viol:
        row["violated"] = viol.group(1)
    elif re.search(r"Temporal properties were violated|Temporal property \w+ was violated", out):
        # TLC 2.20 names no property; later builds say which one
        row["violated"] = "temporal property"
    if rc is None:
        row["tlc"] = f"timeout after {args.timeout} s"
    else:
        row["tlc_rc"] = rc
        row["tlc"] = TLC_EXIT.get(rc, f"error rc={rc}") + (f": {row['violated']}" if rc in (12, 13) else "")
    if kind == "normal":
        ok = rc == 0
        why = "" if ok else "TLC must find no error (exit 0)"
    else:
        want = directive(text, "EXPECT")
        ok = rc in (12, 13) and (not want or row["violated"] in want)
        why = "" if ok else ("a buggy cfg must be refuted (TLC exit 12/13)" if rc not in (12, 13)
                             else f"refuted, but by {row['violated']}, expected {' or '.join(want)}")
    row["result"] = ("PASS" if kind == "normal" else "PASS (refuted)") if ok else "FAIL"
    if not ok:
        row["detail"] = why + "\n" + out[-4000:]
    return row


def table(rows):
    cells = [[str(r.get(k, "")) for k, _ in COLUMNS] for r in rows]
    head = [h for _, h in COLUMNS]
    w = [max(len(x) for x in col) for col in zip(head, *cells)]
    line = lambda xs: "| " + " | ".join(x.ljust(n) for x, n in zip(xs, w)) + " |"
    return "\n".join([line(head), "|" + "|".join("-" * (n + 2) for n in w) + "|"] + [line(c) for c in cells])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", metavar="FILE", help="write the rows (and the overall status) as JSON")
    ap.add_argument("--only", metavar="PATTERN",
                    help="only cfgs whose file or module name matches (a glob if it has *?[, else a substring)")
    ap.add_argument("--deep", action="store_true", help="apply the cfgs' `\\* DEEP:` constant overrides")
    ap.add_argument("--timeout", type=int, default=900, metavar="S", help="per TLC run (default 900)")
    ap.add_argument("--workers", type=int, default=2, help="TLC -workers (default 2)")
    args = ap.parse_args()

    cfgs = sorted(SPEC.glob("*.cfg"))
    if args.only:
        pat = args.only
        glob = any(c in pat for c in "*?[")
        match = (lambda s: fnmatch.fnmatch(s, pat)) if glob else (lambda s: pat.lower() in s.lower())
        cfgs = [c for c in cfgs if match(c.name) or match(c.stem) or match(module_of(c))]
    if not cfgs:
        print(f"spec_runner: no spec/*.cfg{' matches ' + repr(args.only) if args.only else ''}: FAIL")
        sys.exit(1)

    raw = os.environ.get("TLA2TOOLS", "")
    rows, skipped = [], None
    if not raw:
        skipped = "TLA2TOOLS not set: no TLC on this machine"
    elif not shutil.which("java"):
        skipped = "java not found: no TLC on this machine"
    if skipped:
        for c in cfgs:
            rows.append({"spec": module_of(c), "cfg": c.name, "kind": kind_of(c), "sany": "-", "tlc": "-",
                         "result": f"SKIPPED ({skipped})"})
        status, code = "skipped", SKIP
    else:
        cp = classpath(raw)
        sany_cache = {}
        for c in cfgs:
            if cp is None:
                rows.append({"spec": module_of(c), "cfg": c.name, "kind": kind_of(c), "sany": "-", "tlc": "-",
                             "result": "FAIL", "detail": f"TLA2TOOLS={raw}: no such jar or folder"})
                continue
            print(f"spec_runner: {c.name} ({kind_of(c)}) ...", file=sys.stderr, flush=True)
            rows.append(run_cfg(c, cp, args, sany_cache))
        ok = all(r["result"].startswith("PASS") for r in rows)
        status, code = ("passed", 0) if ok else ("failed", 1)

    print(table(rows))
    for r in rows:
        if r.get("detail"):
            print(f"\n--- {r['cfg']}: {r['result']}\n{r['detail'].rstrip()}")
    print(f"\nspec_runner: {status.upper()}: "
          f"{sum(r['result'].startswith('PASS') for r in rows)}/{len(rows)} cfgs passed"
          + (f" ({skipped})" if skipped else ""))
    if args.json:
        Path(args.json).write_text(json.dumps({"status": status, "exit": code, "tla2tools": raw or None,
                                               "deep": bool(args.deep), "rows": rows}, indent=1) + "\n")
    sys.exit(code)


if __name__ == "__main__":
    main()
