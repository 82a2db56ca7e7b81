"""The engine (`localaws/`) runs any SAM app, so it names none: the product's resources,
parameters, packages and demo data live in `devstack/` (the product's local system), which
passes them down. A product name that creeps back into the engine fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "localaws"

#: Names of this product: its stack, resources, parameters, groups and demo data.
PRODUCT_NAMES = (
    "hotel-booking",
    "hotel_booking",
    "HotelBooking",
    "HotelApi",
    "BookingStateMachine",
    "CancellationStateMachine",
    "BookingsTable",
    "HotelsTable",
    "SenderEmail",
    "PublicApiUrl",
    "OperationsAlertEmail",
    "AllowedOrigin",
    "SiteUrl",
    "SearchImageTag",
    "SearchHttpApi",
    "SearchService",
    "HotelManager",
    "NotifyManager",
    "DEMO_USERS",
    "DEMO_HOTELS",
)
#: The product's packages (and the tests): the engine imports none of them.
PRODUCT_PACKAGES = {
    "api",
    "deploy",
    "devstack",
    "hotel_booking",
    "search_service",
    "support_console",
    "tests",
}
# A whole name: "AllowedOrigins" (S3's CORS rule) is not "AllowedOrigin"; "_" does not join.
_NAME = re.compile(
    "|".join(rf"(?<![A-Za-z0-9]){re.escape(n)}(?![A-Za-z0-9])" for n in PRODUCT_NAMES)
)


def product_names(root: Path) -> list[str]:
    """``path:line: name`` for each product name in the engine's files under ``root``."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_text(errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for match in _NAME.finditer(line):
                found.append(f"{path.relative_to(root)}:{number}: {match.group()}")
    return found


def product_imports(root: Path) -> list[str]:
    """``path: module`` for each import of a product package by the engine's modules."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            else:
                continue
            found += [
                f"{path.relative_to(root)}: {m}"
                for m in modules
                if m.split(".")[0] in PRODUCT_PACKAGES
            ]
    return found


def test_the_engine_names_no_product_resource_parameter_or_data() -> None:
    assert product_names(ENGINE) == []


def test_the_engine_imports_no_product_package() -> None:
    assert product_imports(ENGINE) == []


def test_the_check_sees_a_product_name_and_import(tmp_path: Path) -> None:
    (tmp_path / "run.py").write_text(
        'from support_console.app import Console\nAPI = "HotelApi"\nOK = "AllowedOrigins"\n'
    )
    assert product_names(tmp_path) == ["run.py:2: HotelApi"]
    assert product_imports(tmp_path) == ["run.py: support_console.app"]
