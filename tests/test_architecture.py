"""The import direction of docs/architecture.md, checked: ``lib/`` imports no Strefa app, an app
takes from ``portal`` (the project wiring) only its documented shared modules, imports go down
the layers (lib <- premises <- tabs <- office/portal/api), and premises and office do not dodge
that with imports inside functions."""

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


# The layers of docs/architecture.md, lowest first; a module imports only from its own layer
# or the layers below. The longest matching prefix decides (the user model belongs to the
# register, the rest of accounts is a tab).
LAYERS = {
    "lib": 0,
    "premises": 1,
    "accounts.models": 1,
    "accounts.logins": 1,
    # Stored uploads of every import (the register's too); needs only lib and the register.
    "imports": 1,
    **dict.fromkeys(
        [
            "accounts",
            "community",
            "correspondence",
            "documents",
            "failures",
            "finance",
            "meters",
            "notifications",
        ],
        2,
    ),
    **dict.fromkeys(["office", "portal", "api"], 3),
}
# Admin modules are the office's wiring of each app: they may use the office's scoping.
ADMIN_MAY_USE = {"office.admin_mixins", "office.roles"}
# Imports that go up a layer: none. An entry here must be explained in docs/architecture.md.
KNOWN_UPWARD: set[str] = set()


def _within(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def layer_of(module: str) -> int | None:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if _within(module, [prefix]):
            return LAYERS[prefix]
    return None


def _allowed_upward(path: Path, module: str) -> bool:
    if _within(module, PORTAL_SHARED):
        return True
    is_admin = path.name == "admin.py" or path.name.startswith("admin_")
    return is_admin and _within(module, ADMIN_MAY_USE)


def test_imports_go_down_the_layers():
    offending = set()
    for app in {prefix.split(".")[0] for prefix in LAYERS}:
        for path in python_files(app):
            own = layer_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
            for module in imported_modules(path):
                if "." not in module:
                    continue  # "from office import roles" is judged as "office.roles"
                target = layer_of(module)
                if target is None or target <= own or _allowed_upward(path, module):
                    continue
                offending.add(f"{path.relative_to(ROOT)}: {'.'.join(module.split('.')[:2])}")
    assert offending == KNOWN_UPWARD


def function_level_imports(path: Path) -> set[str]:
    modules = set()
    tree = ast.parse(path.read_text(), filename=str(path))
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module)
    return modules


def test_no_function_level_imports_between_premises_and_office():
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for app, other in (("premises", "office"), ("office", "premises"))
        for path in python_files(app)
        for module in function_level_imports(path)
        if module.split(".")[0] == other
    }
    assert offending == set()
