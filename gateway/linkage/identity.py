"""Which columns identify a person, in the registry and in each department: the fields the contract
marks with @element, on the registry's citizen and on each record reached through @link."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gateway.contract.contract import ColumnField, Contract, LinkField, ObjectInfo
from gateway.errors import ContractError
from gateway.ir import Element, PersonIndex, Table

# Without these three on both sides a department cannot be linked at all.
REQUIRED: tuple[Element, ...] = ("given_name", "family_name", "date_of_birth")


@dataclass(frozen=True)
class IdentitySource:
    """One table of people and the column holding each identifying element it records."""

    department: str
    table: Table
    key: str
    columns: Mapping[Element, str]


@dataclass(frozen=True)
class Identities:
    registry: IdentitySource
    departments: tuple[IdentitySource, ...]
    index: PersonIndex

    def department(self, name: str) -> IdentitySource:
        for source in self.departments:
            if source.department == name:
                return source
        known = ", ".join(source.department for source in self.departments)
        raise ContractError(f"no department {name!r} is linked in the contract (known: {known})")


def _source(department: str, info: ObjectInfo) -> IdentitySource:
    columns = {field.element: field.column for field in info.fields.values()
               if isinstance(field, ColumnField) and field.element is not None}
    missing = [element for element in REQUIRED if element not in columns]
    if missing:
        raise ContractError(f"{info.name}: no field marked @element(name: {missing[0]!r}), which "
                            "linkage needs")
    return IdentitySource(department, info.table, info.key, columns)


def identities(contract: Contract) -> Identities:
    root = contract.root
    departments = tuple(_source(field.department, contract.objects[field.target])
                        for field in root.fields.values() if isinstance(field, LinkField))
    return Identities(_source(root.department, root), departments, contract.person_index)
