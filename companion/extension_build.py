"""Render manifest_template.json and the extension's files into a folder that loads as it is.

The template is the one source of the manifest: keys common to every browser at the top,
browser-specific ones under "x-chrome" and "x-firefox", merged in for the chosen browser.
"""

import json
import shutil
import zipfile
from pathlib import Path

from . import __version__

BROWSERS = ("chrome", "firefox")
SOURCE_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = SOURCE_ROOT / "manifest_template.json"
EXTENSION_DIR = SOURCE_ROOT / "extension"
DEFAULT_OUT = SOURCE_ROOT / "build" / "extension"
# What the browser loads; everything else in extension/ (docs, lint set-up) stays behind.
SHIPPED_SUFFIXES = {".js", ".html", ".css", ".png"}
SKIPPED_NAMES = {"eslint.config.js"}


class BuildError(Exception):
    pass


def _merge(base: dict, extra: dict) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def render_manifest(browser: str, version: str = __version__) -> dict:
    if browser not in BROWSERS:
        raise BuildError(f"unknown browser {browser!r}: choose one of {', '.join(BROWSERS)}")
    try:
        template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildError(
            f"{TEMPLATE} is missing: build the extension from a source checkout"
        ) from None
    specific = template.get(f"x-{browser}", {})
    manifest = {k: v for k, v in template.items() if not k.startswith("x-")}
    manifest = _merge(manifest, specific)
    manifest["version"] = version
    return manifest


def _shipped_files():
    for path in sorted(EXTENSION_DIR.rglob("*")):
        relative = path.relative_to(EXTENSION_DIR)
        if (
            path.is_file()
            and path.suffix in SHIPPED_SUFFIXES
            and path.name not in SKIPPED_NAMES
            and "node_modules" not in relative.parts
        ):
            yield path, relative


def build(browser: str, out: Path | None = None) -> tuple[Path, Path]:
    """Build the extension for `browser` into OUT/<browser>/ and OUT/ssi-companion-*.zip."""
    manifest = render_manifest(browser)
    out = Path(out) if out else DEFAULT_OUT
    folder = out / browser
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    files = list(_shipped_files())
    for source, relative in files:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    archive = out / f"ssi-companion-{browser}-{manifest['version']}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(folder).as_posix())
    return folder, archive
