#!/usr/bin/env python
"""Benchmark miner on a corpus of local git clones and print one Markdown table.

    python bench/run.py                        # the clones listed in bench/projects.toml
    python bench/run.py --projects my.toml     # another project list (urls = local clones)
    python bench/run.py /src/a /src/b.git      # clone paths; each project is named after its dir

Everything is measured in one run, on the same files (the .py files at each clone's HEAD):
miner's scan (in-process, --jobs 1 and --jobs 2), `miner crawl` cold, warm and from the blob
cache alone, `miner render` of every page, and side by side `git grep -F` for the target names
(the floor) and semgrep with one rule per target (when semgrep is installed: pip install
'usage-example-miner[bench]'). Every step runs as a child process: its wall time and its peak resident set
size (the largest single process of its tree, from wait4) are reported, each time also as a
ratio to git grep and to semgrep. Then semgrep's precision and recall against miner's results
on the corpus (with the disagreements) and against the gold set in tests/gold/.

Times are single runs: expect +-20% between runs; compare ratios across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from gold.evaluate import GOLD, expected_uses, project_files, score  # noqa: E402

from miner import sources, store  # noqa: E402
from miner.model import Checkout, Project, SourceFile  # noqa: E402
from miner.scan import ScanContext, scan_project, use_context  # noqa: E402
from miner.targets import discover  # noqa: E402

DEFAULT_PROJECTS = ROOT / "bench" / "projects.toml"
SEMGREP_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}

# Issue 6's targets on the six reference projects, 2 cores.
TARGET_SCAN_FILES_PER_S = 150
TARGET_WARM_CRAWL_S = 1.0
TARGET_RENDER_100_S = 5.0
TARGET_PEAK_MB = 500


@dataclass
class Run:
    """One child process: wall seconds, peak RSS in MB, and what it printed."""

    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    returncode: int
    cpu: float = 0.0  #: user + system seconds of the process and the children it waited for


def run(command: list[str], *, cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run a command, timing it and reading its peak RSS from wait4 (its tree's largest)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=err
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, usage.ru_maxrss / 1024, stdout, stderr, process.returncode, cpu)


def best(runs: list[Run]) -> Run:
    """The fastest of several runs, with the largest peak memory seen in any of them."""
    fastest = min(runs, key=lambda r: r.seconds)
    peak = max(r.peak_mb for r in runs)
    return Run(fastest.seconds, peak, fastest.stdout, fastest.stderr, 0, fastest.cpu)


def checked(result: Run, what: str) -> Run:
    if result.returncode != 0:
        sys.exit(f"{what} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return result


# -- the corpus -------------------------------------------------------------------------------


def projects_from(args: argparse.Namespace, workdir: Path) -> Path:
    """The project list to use: --projects, or one written for the clone paths given."""
    if not args.clones:
        return args.projects
    path = workdir / "projects.toml"
    entries = []
    for clone in args.clones:
        clone = Path(clone).resolve()
        name = clone.parent.name if clone.name in ("repo", ".git") else clone.name
        entries.append(f'[[project]]\nname = "{name.removesuffix(".git")}"\nurl = "{clone}"\n')
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def corpus(projects_file: Path) -> dict[str, tuple[Checkout, list[SourceFile]]]:
    """Every project's .py files at its clone's HEAD, read straight from the clone."""
    result = {}
    for project in sources.load_projects(projects_file):
        git_dir = _git_dir(Path(project.url))
        commit = _git(git_dir, "rev-parse", "HEAD")
        checkout = Checkout(project, git_dir, commit, "HEAD", "")
        result[project.name] = (checkout, list(sources.iter_source_files(checkout)))
    return result


def _git_dir(path: Path) -> Path:
    return path / ".git" if (path / ".git").is_dir() else path


def _git(git_dir: Path, *args: str) -> str:
    return subprocess.check_output(["git", "--git-dir", str(git_dir), *args], text=True).strip()


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)


# -- the child that times the scan alone ------------------------------------------------------


def _cpu() -> float:
    """CPU seconds of this process and of the children it has waited for (pool workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_scan(projects_file: Path, jobs: int) -> None:
    """Load every file, then time the scan of all of them against every target at once."""
    from concurrent.futures import ProcessPoolExecutor

    files = {name: data for name, (_c, data) in corpus(projects_file).items()}
    context = ScanContext.for_library(discover("flask"))
    cpu_before = _cpu()
    started = time.perf_counter()
    if jobs == 1:
        use_context(context)
        scans = [scan for data in files.values() for scan in scan_project(data, context)]
    else:
        with ProcessPoolExecutor(jobs, initializer=use_context, initargs=(context,)) as pool:

            def mapper(function, *iterables):
                return pool.map(function, *iterables, chunksize=4)

            scans = [
                scan for data in files.values() for scan in scan_project(data, context, mapper)
            ]
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu_before
    every = [f for data in files.values() for f in data]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "files": len(every),
                "bytes": sum(len(f.data) for f in every),
                "uses": sum(len(scan.uses) for scan in scans),
            }
        )
    )


# -- semgrep ----------------------------------------------------------------------------------


def semgrep_command() -> str | None:
    beside = Path(sys.executable).parent / "semgrep"
    return str(beside) if beside.exists() else shutil.which("semgrep")


def semgrep_rules(path: Path) -> None:
    """One rule per target, matching every import path of it: `pattern: flask.X`."""
    lines = ["rules:"]
    for target in discover("flask").targets:
        lines += [
            f"  - id: {target.qualname}",
            "    languages: [python]",
            "    severity: INFO",
            f"    message: {target.qualname}",
            "    pattern-either:",
            *(f"      - pattern: {name}" for name in (target.qualname, *target.aliases)),
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_semgrep(command: str, rules: Path, root: Path) -> tuple[Run, set[tuple[str, int, str]]]:
    """semgrep over every file under root (an empty .semgrepignore: tests/ are not skipped)."""
    (root / ".semgrepignore").write_text("", encoding="utf-8")
    arguments = [command, "scan", "--config", str(rules), "--metrics=off"]
    arguments += ["--disable-version-check", "--json", "--quiet", "-j", str(os.cpu_count() or 1)]
    result = checked(run([*arguments, "."], cwd=root, env=SEMGREP_ENV), "semgrep")
    found = {
        (match["path"], match["start"]["line"], match["extra"]["message"])
        for match in json.loads(result.stdout)["results"]
    }
    return result, found


def export(files: dict[str, tuple[Checkout, list[SourceFile]]], root: Path) -> dict[str, str]:
    """Write the corpus to disk for semgrep, one directory per project; returns slug -> name."""
    names = {}
    for name, (_checkout, data) in files.items():
        names[slug(name)] = name
        for source in data:
            target = root / slug(name) / source.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.data)
    return names


# -- reporting --------------------------------------------------------------------------------


def precision_recall(found: set, expected: set) -> tuple[float, float]:
    hits = len(found & expected)
    return (hits / len(found) if found else 1.0), (hits / len(expected) if expected else 1.0)


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.3g}"


def fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clones", nargs="*", help="local clone paths (instead of --projects)")
    parser.add_argument("--projects", type=Path, default=DEFAULT_PROJECTS, help="project list")
    parser.add_argument("--workdir", type=Path, help="keep databases, caches and site here")
    parser.add_argument("--no-semgrep", action="store_true", help="skip the semgrep columns")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each step; the fastest is reported"
    )
    parser.add_argument(
        "--crawl-only", action="store_true",
        help="only the `miner crawl` and `miner render` rows (no git grep, semgrep or scan rows)",
    )
    parser.add_argument(
        "--miner", type=Path, action="append",
        help="a miner source tree to run the crawl rows with (repeat to compare trees side by "
        "side, e.g. a checkout of main before a change); default: this one",
    )
    parser.add_argument(
        "--changed", help="project whose clone gets one changed file (default: the largest)"
    )
    args = parser.parse_args()
    args.miner = [tree.resolve() for tree in args.miner or [ROOT]]
    if args.clones and args.clones[0] == "_scan":  # the child process of the scan rows
        child_scan(Path(args.clones[1]), int(args.clones[2]))
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="miner-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    projects_file = projects_from(args, workdir)
    files = corpus(projects_file)
    every = [f for _c, data in files.values() for f in data]
    total_bytes = sum(len(f.data) for f in every)
    total_lines = sum(f.data.count(b"\n") for f in every)
    library = discover("flask")
    names = sorted({path.rpartition(".")[2] for path in library.alias_index()})
    python = [sys.executable]
    rows: list[tuple[str, Run, dict]] = []

    repeat = range(max(args.repeat, 1))

    # The floor: git grep for every target name, as whole words, over the same trees.
    for label, form in () if args.crawl_only else (
        ("`git grep -w -E 'n1\\|n2\\|...'` (the floor)", "regex"),
        ("`git grep -w -F -e n1 -e n2 ...`", "fixed"),
    ):
        grep = best([grep_corpus(files, names, form) for _ in repeat])
        rows.append((label, grep, {"files": len(every)}))
    floor = min((r for _l, r, _i in rows), key=lambda r: r.seconds, default=None)

    semgrep = semgrep_found = rules = None
    command = None if args.no_semgrep or args.crawl_only else semgrep_command()
    if command:
        rules = workdir / "rules.yaml"
        semgrep_rules(rules)
        corpus_dir = workdir / "corpus"
        shutil.rmtree(corpus_dir, ignore_errors=True)
        slugs = export(files, corpus_dir)
        runs = [run_semgrep(command, rules, corpus_dir) for _ in repeat]
        semgrep, raw = best([r for r, _found in runs]), runs[0][1]
        semgrep_found = set()
        for path, line, qualname in raw:
            project_slug, _, inner = path.partition("/")
            semgrep_found.add((slugs[project_slug], inner, line, qualname))
        rows.append((f"semgrep, {len(library.targets)} rules", semgrep, {"files": len(every)}))

    for jobs in () if args.crawl_only else (1, 2):
        children = []
        for _ in repeat:
            command_line = [*python, __file__, "_scan", str(projects_file), str(jobs)]
            child = checked(run(command_line), f"scan --jobs {jobs}")
            measured = json.loads(child.stdout)
            child.seconds, child.cpu = measured["seconds"], measured["cpu"]
            children.append(child)
        rows.append(
            (
                f"scan, every target, `--jobs {jobs}` (in-process, files in memory)",
                best(children),
                {"files": measured["files"], "scan": True},
            )
        )

    rounds: dict[tuple[Path, str], list[Run]] = defaultdict(list)
    for _ in repeat:  # the trees take turns, so that load on the machine hits them alike
        for tree in args.miner:
            for label, result in crawl_round(tree, projects_file, workdir, args.changed).items():
                rounds[(tree, label)].append(result)
    for (tree, label), results in rounds.items():
        prefix = f"{tree.name}: " if len(args.miner) > 1 else ""
        info = {"files": len(every)} if "cold" in label else {"warm": True} if "warm" in label else {}
        if label.startswith("`miner render`"):
            info = {"pages": int(re.search(r"wrote (\d+) pages", results[0].stderr).group(1))}
        rows.append((prefix + label, best(results), info))

    print_report(files, every, total_bytes, total_lines, names, floor, semgrep, rows, args.repeat)
    if semgrep_found is not None:
        db = workdir / f"crawl-{args.miner[-1].name}" / "miner.db"
        print_corpus_agreement(store.open_db(db), semgrep_found, files)
        print_gold(command, rules, workdir)
    print(f"\n(work directory: {workdir})")


def crawl_round(
    tree: Path, projects_file: Path, workdir: Path, changed: str | None
) -> dict[str, Run]:
    """One round of the `miner` command rows, run from the source tree `tree`.

    Cold `--jobs 1` and `--jobs 2` (fresh cache and database), warm (nothing changed), one
    file changed in one project (a non-bare copy of its clone gets a commit), every project
    re-listed from the blob cache, and `miner render`.
    """
    base = workdir / f"crawl-{tree.name}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    projects = sources.load_projects(projects_file)
    def size(project: Project) -> int:
        listing = _git(_git_dir(Path(project.url)), "ls-tree", "-r", "--name-only", "HEAD")
        return len(listing.splitlines())

    if changed:
        target = next((p for p in projects if p.name == changed), None)
    else:
        target = max(projects, key=size)
    if target is None:
        sys.exit(f"--changed {changed}: no such project in {projects_file}")
    clone = base / "changed-clone"
    subprocess.run(["git", "clone", "-q", target.url, str(clone)], check=True)
    text = projects_file.read_text(encoding="utf-8")
    listed = base / "projects.toml"
    listed.write_text(text.replace(f'"{target.url}"', f'"{clone}"'), encoding="utf-8")
    db, cache, site = base / "miner.db", base / "cache", base / "site"
    env = {"PYTHONPATH": str(tree)}

    def miner(*arguments: str, what: str) -> Run:
        command = [sys.executable, "-m", "miner", *arguments]
        return checked(run(command, cwd=tree, env=env), f"{tree.name}: {what}")

    def crawl(jobs: int, what: str) -> Run:
        return miner("crawl", "--projects", str(listed), "--cache", str(cache), "--db", str(db),
                     "--jobs", str(jobs), "--pypi-index", "", what=what)

    def fresh() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    found: dict[str, Run] = {}
    fresh()
    found["`miner crawl` cold: fresh cache and db, `--jobs 1`"] = crawl(1, "cold --jobs 1")
    fresh()
    found["`miner crawl` cold: fresh cache and db, `--jobs 2`"] = crawl(2, "cold --jobs 2")
    found["`miner crawl` warm: nothing changed"] = crawl(2, "warm")
    path = subprocess.run(
        ["git", "-C", str(clone), "grep", "-l", "-w", "flask", "--", "*.py"],
        check=True, capture_output=True, text=True,
    ).stdout.split()[0]
    with open(clone / path, "a", encoding="utf-8") as handle:
        handle.write("\n# bench: one file changed\n")
    subprocess.run(["git", "-C", str(clone), "commit", "-qam", "bench: one file changed",
                    "--author", "bench <bench@example.org>"], check=True,
                   env={**os.environ, "GIT_COMMITTER_NAME": "bench",
                        "GIT_COMMITTER_EMAIL": "bench@example.org"})
    found[f"`miner crawl`, one file changed ({target.name}/{path})"] = crawl(2, "one file changed")
    handle_db = store.open_db(db)
    handle_db.execute("UPDATE projects SET scan_key = NULL")  # as if every head had moved
    handle_db.conn.commit()
    handle_db.close()
    found["`miner crawl`, every project re-listed, all blobs cached"] = crawl(2, "re-listed")
    shutil.rmtree(site, ignore_errors=True)
    render = miner("render", "--db", str(db), "--out", str(site), what="render")
    found["`miner render`, every page (Markdown)"] = render
    return found


def grep_corpus(files: dict, names: list[str], form: str) -> Run:
    """git grep over every project's HEAD: the summed time, the largest process, every line."""
    if form == "regex":
        patterns = ["-E", "|".join(names)]
    else:
        patterns = ["-F", *(part for name in names for part in ("-e", name))]
    runs = []
    for checkout, _data in files.values():
        command = ["git", "--git-dir", str(checkout.git_dir), "grep", "-w", "-I", "-n"]
        result = run([*command, *patterns, "HEAD", "--", "*.py"])
        if result.returncode not in (0, 1):  # 1: nothing matched
            sys.exit(f"git grep failed: {result.stderr}")
        runs.append(result)
    stdout = "".join(r.stdout for r in runs)
    seconds, cpu = sum(r.seconds for r in runs), sum(r.cpu for r in runs)
    return Run(seconds, max(r.peak_mb for r in runs), stdout, "", 0, cpu)


def print_report(files, every, total_bytes, total_lines, names, floor, semgrep, rows, repeat):
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"# miner bench, {now}")
    print(
        f"\nMachine: {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(
        f"\nCorpus: {len(files)} projects, {len(every)} .py files, {total_lines:,} lines, "
        f"{total_bytes / 1e6:.1f} MB; {len(names)} distinct target names "
        f"(git grep matched {len(floor.stdout.splitlines()) if floor else 0:,} lines). "
        f"Each step: the fastest "
        f"of {repeat} runs.\n"
    )
    print(
        "| step | time (s) | CPU (s) | files/s | MB/s | peak RSS (MB) | vs git grep | vs semgrep "
        "| target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for label, result, info in rows:
        files_per_s = mb_per_s = None
        if "files" in info:
            files_per_s = info["files"] / result.seconds
            mb_per_s = total_bytes / 1e6 / result.seconds
        target = verdict(label, result, info, files_per_s)
        print(
            f"| {label} | {result.seconds:.3f} | {result.cpu:.2f} | {fmt(files_per_s, 0)} "
            f"| {fmt(mb_per_s, 2)} | {result.peak_mb:.0f} | {ratio(result.seconds, floor.seconds) if floor else ''} "
            f"| {ratio(result.seconds, semgrep.seconds) if semgrep else ''} | {target} |"
        )
    print(
        "\nTime is wall-clock; CPU is user + system time of the step's processes (it shows what a "
        "step costs when other work shares the cores). The scan rows time the scan alone, in a "
        "process that has already read every file; the `miner` rows time whole commands. Peak "
        "RSS is that of the largest single process of the step (wait4's ru_maxrss); with "
        "`--jobs 2` each worker process is about as large again."
    )


def verdict(label: str, result: Run, info: dict, files_per_s: float | None) -> str:
    checks = []
    if info.get("scan") and "--jobs 2" in label:
        ok = files_per_s is not None and files_per_s >= TARGET_SCAN_FILES_PER_S
        checks.append(f"≥ {TARGET_SCAN_FILES_PER_S} files/s: {'met' if ok else 'MISSED'}")
    if info.get("warm"):
        ok = result.seconds < TARGET_WARM_CRAWL_S
        checks.append(f"< {TARGET_WARM_CRAWL_S:g} s: {'met' if ok else 'MISSED'}")
    if "pages" in info:
        per_100 = result.seconds / info["pages"] * 100
        ok = per_100 < TARGET_RENDER_100_S
        checks.append(
            f"{info['pages'] / result.seconds:.0f} pages/s, 100 pages ≈ {per_100:.1f} s "
            f"(< {TARGET_RENDER_100_S:g} s: {'met' if ok else 'MISSED'})"
        )
    if result.peak_mb >= TARGET_PEAK_MB:
        checks.append(f"memory ≥ {TARGET_PEAK_MB} MB: MISSED")
    return "; ".join(checks)


def print_corpus_agreement(db, semgrep_found: set, files: dict) -> None:
    """semgrep against miner's own uses on the corpus (imports left out: semgrep has none)."""
    rows = list(db.query("SELECT * FROM uses WHERE kind != 'import'"))
    by_key = {(r["project"], r["path"], r["line"], r["qualname"]): r for r in rows}
    miner_found = set(by_key)
    precision, recall = precision_recall(semgrep_found, miner_found)
    both = len(semgrep_found & miner_found)
    print("\n## semgrep against miner's results on the corpus\n")
    print(
        f"Uses other than imports, keyed by (project, file, line, canonical name): miner "
        f"{len(miner_found)}, semgrep {len(semgrep_found)}, both {both}. Taking miner as the "
        f"reference, semgrep's precision is {precision:.3f} and its recall {recall:.3f}.\n"
    )
    missed = Counter(
        (by_key[key]["resolution"], by_key[key]["kind"]) for key in miner_found - semgrep_found
    )
    if missed:
        print("Found by miner only, by how miner resolved them (count, one example):\n")
        examples = {}
        for key in sorted(miner_found - semgrep_found):
            examples.setdefault((by_key[key]["resolution"], by_key[key]["kind"]), key)
        for (resolution, kind), count in missed.most_common(8):
            project, path, line, qualname = examples[(resolution, kind)]
            text = by_key[(project, path, line, qualname)]["line_text"].strip()[:60]
            print(f"- {count} x {resolution} {kind}: e.g. {project}/{path}:{line} `{text}`")
    extra = semgrep_found - miner_found
    if extra:
        texts = _line_texts(files)
        status = {(r["project"], r["path"]): r["status"] for r in db.query("SELECT * FROM files")}
        print("\nFound by semgrep only, by miner's status of the file (count, one example):\n")
        groups = defaultdict(list)
        for key in sorted(extra):
            groups[(status.get(key[:2], "?"), key[3])].append(key)
        for (file_status, qualname), keys in sorted(groups.items(), key=lambda g: -len(g[1]))[:8]:
            project, path, line, _ = keys[0]
            text = texts.get((project, path), [""] * line)[line - 1].strip()[:60]
            print(
                f"- {len(keys)} x {qualname} in {file_status} files: "
                f"e.g. {project}/{path}:{line} `{text}`"
            )


def _line_texts(files: dict) -> dict[tuple[str, str], list[str]]:
    return {
        (name, source.path): source.data.decode("utf-8", "replace").splitlines()
        for name, (_c, data) in files.items()
        for source in data
    }


def print_gold(command: str, rules: Path, workdir: Path) -> None:
    """semgrep and miner against the hand-labelled gold set (uses other than imports)."""
    gold_dir = workdir / "gold"
    shutil.rmtree(gold_dir, ignore_errors=True)
    expected: set[tuple[str, str, int, str]] = set()
    for project in sorted(p for p in GOLD.iterdir() if p.is_dir() and p.name != "__pycache__"):
        for source in project_files(project):
            target = gold_dir / project.name / source.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.data)
            text = source.data.decode("utf-8")
            expected |= {
                (project.name, path, line, qualname)
                for path, line, qualname, kind in expected_uses(source.path, text)
                if kind != "import"
            }
    _run, raw = run_semgrep(command, rules, gold_dir)
    semgrep_found = {(p.partition("/")[0], p.partition("/")[2], line, q) for p, line, q in raw}
    miner_found = {
        (s.form.partition("/")[0], path, line, qualname)
        for s in score(ScanContext.for_library(discover("flask")))
        for path, line, qualname, kind in s.found
        if kind != "import"
    }
    print("\n## Against the gold set (tests/gold, uses other than imports)\n")
    print("| tool | expected | found | correct | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, found in (("miner", miner_found), ("semgrep", semgrep_found)):
        precision, recall = precision_recall(found, expected)
        print(
            f"| {name} | {len(expected)} | {len(found)} | {len(found & expected)} "
            f"| {precision:.3f} | {recall:.3f} |"
        )
    missed = sorted(expected - semgrep_found)
    if missed:
        forms = Counter(f"{project}/{path}" for project, path, _line, _q in missed)
        listing = ", ".join(f"{form} ({count})" for form, count in forms.most_common())
        print(f"\nsemgrep misses, by gold file: {listing}.")
    wrong = sorted(semgrep_found - expected)
    if wrong:
        shown = "; ".join(f"{p}/{f}:{line} {q}" for p, f, line, q in wrong[:6])
        print(
            f"\nsemgrep's wrong matches ({len(wrong)}): {shown}{' ...' if len(wrong) > 6 else ''}"
        )


if __name__ == "__main__":
    main()
