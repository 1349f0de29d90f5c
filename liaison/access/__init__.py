"""Who may see and do what. Visibility is decided here and nowhere else."""

from liaison.access.predicate import holding_visible, visible, visible_to_org_holding
from liaison.access.principal import Principal, Role, system_principal

__all__ = [
    "Principal",
    "Role",
    "holding_visible",
    "system_principal",
    "visible",
    "visible_to_org_holding",
]
