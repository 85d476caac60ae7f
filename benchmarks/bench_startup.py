"""Start-up of the command line: what `ssi-companion --help` and `ssi-companion status` import
and how long they take, beside a bare `python -c pass` measured in the same run.

Neither command needs the parser (bs4, lxml), the charts (pygal), the web app (flask) or the
scheduler (apscheduler); each of those costs tens of milliseconds at every start. The benchmark
reports which of them are imported, whatever the CLI does.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

from .timing import ms

HEAVY = ("bs4", "lxml", "pygal", "flask", "apscheduler")
COMMANDS = {
    "bare python -c pass": ["-c", "pass"],
    "ssi-companion --help": ["-m", "companion", "--help"],
    "ssi-companion status": ["-m", "companion", "status"],
}
_PREFIX = "import time:"


def _importtime(stderr: str) -> tuple[int, set[str]]:
    """Microseconds of the top-level imports (each line's cumulative figure), and every module.

    A nested import is indented under the one that caused it and already counted in its
    cumulative figure; a top-level line has a single space after the bar.
    """
    total, modules = 0, set()
    for line in stderr.splitlines():
        if not line.startswith(_PREFIX):
            continue
        _self, cumulative, name = line[len(_PREFIX) :].split("|")
        if not cumulative.strip().isdigit():
            continue  # the header
        modules.add(name.strip())
        if not name.startswith("  "):
            total += int(cumulative)
    return total, modules


def _run(args: list[str], env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    # A command that fails early would look fast: refuse to time it.
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {done.returncode}:\n{done.stderr}")
    return wall, done.stderr


def run(repeat: int = 7) -> dict:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "SSI_COMPANION_HOME": home}
        # Untimed first runs: bytecode is compiled and the data directory made, once.
        for args in COMMANDS.values():
            _run(args, env)
        imports = {label: [] for label in COMMANDS}
        walls = {label: [] for label in COMMANDS}
        modules = {label: set() for label in COMMANDS}
        # Round after round of all three, so that each sees the same machine: it is shared.
        for _ in range(repeat):
            for label, args in COMMANDS.items():
                _wall, stderr = _run(["-X", "importtime", *args], env)
                total, imported = _importtime(stderr)
                modules[label] |= imported
                imports[label].append(total / 1e6)
                # Wall time without -X importtime, which slows every import down.
                walls[label].append(_run(args, env)[0])
    results = {
        label: {
            "imports": statistics.median(imports[label]),
            "wall": statistics.median(walls[label]),
            "heavy": sorted(
                {name.split(".")[0] for name in modules[label]} & set(HEAVY),
                key=HEAVY.index,
            ),
        }
        for label in COMMANDS
    }
    _report(results, repeat)
    return results


def _report(results: dict, repeat: int) -> None:
    (bare_label, bare), *commands = results.items()
    print(f"CLI start-up, median of {repeat} runs (-X importtime: top-level imports, cumulative)")
    print(f"  {bare_label:<22} imports {ms(bare['imports']):>9}  wall {ms(bare['wall']):>9}")
    for label, result in commands:
        print(
            f"  {label:<22} imports {ms(result['imports']):>9}  wall {ms(result['wall']):>9}"
            f"  (+{ms(result['imports'] - bare['imports'])} imports, "
            f"+{ms(result['wall'] - bare['wall'])} wall over bare)"
        )
    for label, result in commands:
        heavy = ", ".join(result["heavy"]) or "none"
        verdict = "MISSED" if result["heavy"] else "ok"
        print(f"  {label} imports of {', '.join(HEAVY)}: {heavy} (goal: none) {verdict}")
