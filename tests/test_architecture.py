"""The layers of docs/architecture.md, checked on every import of the project's code —
function-local imports included: a module imports only from its own layer or below."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# docs/architecture.md, bottom to top. The first prefix a module name starts with wins.
LAYERS: list[tuple[int, tuple[str, ...]]] = [
    (5, ("realtime.sockets", "web", "server")),
    (4, ("reports",)),
    (3, ("scheduling", "workspace", "feedback")),
    (2, ("notifications", "presence")),
    (1, ("programs",)),
    (0, ("realtime",)),
]
# Lower → higher imports the architecture allows, each named in docs/architecture.md.
ALLOWED_UPWARD: set[tuple[str, str]] = set()


def layer_of(module: str) -> int | None:
    for rank, prefixes in LAYERS:
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return rank
    return None


def project_modules() -> dict[str, Path]:
    modules = {}
    for top in (
        "realtime",
        "programs",
        "notifications",
        "presence",
        "scheduling",
        "workspace",
        "feedback",
        "reports",
        "web",
        "server",
    ):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def imports_of(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return found


def test_every_import_points_down_the_layers():
    modules = project_modules()
    upward = []
    for module, path in sorted(modules.items()):
        own = layer_of(module)
        for target in sorted(imports_of(module, path)):
            if target not in modules:
                continue  # a library, or a name imported from a module (listed too)
            theirs = layer_of(target)
            if (
                own is not None
                and theirs is not None
                and theirs > own
                and (module, target) not in ALLOWED_UPWARD
            ):
                upward.append(f"{module} (layer {own}) imports {target} (layer {theirs})")
    assert not upward, "\n".join(upward)


def test_the_publish_api_imports_no_domain_app():
    modules = project_modules()
    for module, path in modules.items():
        if layer_of(module) == 0:
            assert not {
                target
                for target in imports_of(module, path)
                if target in modules and layer_of(target) != 0
            }, module


def test_the_checker_sees_a_function_local_upward_import(tmp_path):
    source = tmp_path / "services.py"
    source.write_text("def f():\n    from notifications.bell import services\n")
    assert "notifications.bell" in imports_of("programs.services", source)
    assert (layer_of("notifications.bell"), layer_of("programs.services")) == (2, 1)
