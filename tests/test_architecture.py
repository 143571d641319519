"""The import direction of docs/architecture.md, checked: ``lib/`` imports no Strefa app, and
an app takes from ``portal`` (the project wiring) only its documented shared modules."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = {
    "accounts",
    "community",
    "correspondence",
    "documents",
    "failures",
    "finance",
    "imports",
    "meters",
    "notifications",
    "office",
    "portal",
    "premises",
}
# What apps may use of portal/ (see docs/architecture.md, "Shared rules").
PORTAL_SHARED = {
    "portal.admin_mixins",
    "portal.files",
    "portal.images",
    "portal.mixins",
    "portal.pdf",
    "portal.templatetags.strefa",
}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def python_files(package: str):
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def test_lib_imports_no_strefa_app():
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files("lib")
        for module in imported_modules(path)
        if module.split(".")[0] in APPS
    }
    assert offending == set()


def test_apps_use_only_the_shared_parts_of_portal():
    offending = set()
    for app in sorted(APPS - {"portal"}):
        for path in python_files(app):
            for module in imported_modules(path):
                if module.split(".")[0] != "portal" or module == "portal":
                    continue
                # "from portal.pdf import render_pdf" also yields "portal.pdf.render_pdf"
                if not any(module == s or module.startswith(s + ".") for s in PORTAL_SHARED):
                    offending.add(f"{path.relative_to(ROOT)}: {module}")
    assert offending == set()
