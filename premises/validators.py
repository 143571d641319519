"""The register's validators live in ``lib.validators``; re-exported for existing imports."""

from lib.validators import (
    format_nrb,
    normalize_nrb,
    validate_nip,
    validate_nrb,
    validate_postal_code,
    validate_regon,
)

__all__ = [
    "format_nrb",
    "normalize_nrb",
    "validate_nip",
    "validate_nrb",
    "validate_postal_code",
    "validate_regon",
]
