"""The places of the synthetic council: the Borough of Kelsford, its wards, its postcode
districts (a fictional postcode area KF, well-formed: outward code KF1..KF16, inward code
sector digit + two unit letters) and its streets of properties, each with a UPRN."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from council.identifiers import POSTCODE_UNIT_LETTERS
from council.picker import Picker, ranked

COUNCIL = "Borough of Kelsford"
POSTCODE_AREA = "KF"
NEIGHBOUR_AREA = "KG"  # where out-of-area residents live (also fictional)

# (ward, area of the borough, postcode district, relative population)
WARDS: tuple[tuple[str, str, int, float], ...] = (
    ("Abbey Fields", "north", 1, 1.1), ("Ashgrove", "north", 2, 1.0),
    ("Bramley Heath", "north", 2, 0.8), ("Carrow Hill", "north", 3, 1.2),
    ("Dunmore", "east", 4, 1.0), ("Elmstead", "east", 5, 0.9),
    ("Fenwick Park", "east", 5, 1.3), ("Greystones", "east", 6, 0.7),
    ("Hartfield", "south", 7, 1.0), ("Kingsmere", "south", 8, 1.1),
    ("Larkrise", "south", 8, 0.9), ("Millbrook", "south", 9, 1.4),
    ("Northgate", "central", 10, 1.2), ("Old Town", "central", 11, 1.0),
    ("Priory", "central", 11, 0.8), ("Queensway", "central", 12, 1.1),
    ("Riverside", "west", 13, 1.3), ("St Anne's", "west", 14, 1.0),
    ("Thornbury", "west", 15, 0.9), ("Upper Kelsford", "west", 16, 0.8),
)
AREAS: tuple[str, ...] = ("north", "east", "south", "west", "central")

_STREET_FIRST = ranked((
    "Church", "Mill", "Station", "Park", "Victoria", "Albert", "Queen's", "King's", "Manor",
    "Chapel", "Ash", "Oak", "Elm", "Beech", "Willow", "Cedar", "Holly", "Meadow", "Orchard",
    "Springfield", "Highfield", "Fairview", "Grange", "Windsor", "York", "Stanley", "Cromwell",
    "Nelson", "Wellington", "Clarence", "Alexandra", "Belmont", "Brook", "Castle", "Chestnut",
    "Clifton", "Coronation", "Derwent", "Eden", "Fernhill", "Forge", "Garden", "Glebe",
    "Hawthorn", "Heath", "Hillside", "Jubilee", "Kingsway", "Laburnum", "Lime", "Linden",
    "Maple", "Marlborough", "Mount", "New", "North", "Northfield", "Poplar", "Priory", "Rectory",
    "Regent", "Rose", "Rowan", "School", "Sycamore", "Tower", "Vicarage", "Water", "West",
    "Westfield", "Whitehall", "Woodland", "Lark", "Kestrel", "Heron", "Sandpiper", "Curlew",
), 0.5)
_STREET_KIND = Picker(
    ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Grove",
     "Gardens", "Terrace", "Place", "Court", "Walk", "Rise", "View"),
    (20, 18, 10, 9, 9, 6, 5, 5, 4, 4, 3, 2, 2, 1, 1, 1),
)
_BLOCK_NAMES = (
    "Marlowe", "Attlee", "Bevan", "Keats", "Shelley", "Byron", "Brunel", "Telford", "Faraday",
    "Darwin", "Newton", "Wren", "Nightingale", "Pankhurst", "Seacole", "Turing", "Lovelace",
    "Elgar", "Constable", "Hardy", "Bronte", "Austen", "Dickens", "Orwell", "Tennyson",
)


@dataclass(frozen=True)
class Places:
    """Properties as parallel columns (index = property number)."""

    uprn: list[int]
    address: list[str]
    postcode: list[str]
    ward: list[int]  # index into WARDS
    is_flat: list[bool]

    def __len__(self) -> int:
        return len(self.uprn)


def ward_name(ward: int) -> str:
    return WARDS[ward][0]


def ward_area(ward: int) -> str:
    return WARDS[ward][1]


def build_places(rng: Random, properties: int) -> Places:
    """Streets of houses and blocks of flats, ward by ward, postcode units of ~15 properties."""
    total_weight = sum(w for *_, w in WARDS)
    uprn_pool = sorted(rng.sample(range(10_000_000_000, 100_090_000_000), properties))
    uprn: list[int] = []
    address: list[str] = []
    postcode: list[str] = []
    ward_of: list[int] = []
    is_flat: list[bool] = []
    used_streets: set[str] = set()
    # postcode units per district: sector digit then two unit letters, handed out in order
    unit_counter: dict[int, int] = {}
    letters = POSTCODE_UNIT_LETTERS
    per_unit = max(12, properties // (16 * 3000) + 1)
    remaining = properties
    for index, (_, _, district, weight) in enumerate(WARDS):
        share = properties - len(uprn) if index == len(WARDS) - 1 else round(
            properties * weight / total_weight
        )
        share = min(share, remaining)
        remaining -= share
        made = 0
        while made < share:
            street = _street_name(rng, used_streets)
            flats = rng.random() < 0.3
            length = min(share - made, rng.randint(8, 60) if not flats else rng.randint(20, 90))
            block = f"{rng.choice(_BLOCK_NAMES)} House" if flats else ""
            number = rng.randint(1, 3)
            for k in range(length):
                if k % per_unit == 0:
                    n = unit_counter.get(district, 0)
                    unit_counter[district] = n + 1
                    sector = (n // (len(letters) ** 2) + 1) % 10
                    unit = letters[(n // len(letters)) % len(letters)] + letters[n % len(letters)]
                    code = f"{POSTCODE_AREA}{district} {sector}{unit}"
                if flats:
                    address.append(f"Flat {k + 1}, {block}, {street}")
                else:
                    address.append(f"{number} {street}")
                    number += 1 if rng.random() < 0.15 else 2
                uprn.append(uprn_pool[len(uprn)])
                postcode.append(code)
                ward_of.append(index)
                is_flat.append(flats)
            made += length
    return Places(uprn, address, postcode, ward_of, is_flat)


_QUALIFIERS = ("Upper", "Lower", "Little", "Great", "Old", "North", "South", "East", "West")


def _street_name(rng: Random, used: set[str]) -> str:
    """A street name not used yet: plain, then qualified (Upper Mill Lane), then compound."""
    for attempt in range(200):
        name = f"{_STREET_FIRST.pick(rng)} {_STREET_KIND.pick(rng)}"
        if attempt >= 20:
            name = f"{rng.choice(_QUALIFIERS)} {name}"
        if attempt >= 60:
            name = f"{_STREET_FIRST.pick(rng)} {_STREET_FIRST.pick(rng)} {_STREET_KIND.pick(rng)}"
        if name not in used:
            used.add(name)
            return name
    number = len(used)
    name = f"{_STREET_FIRST.pick(rng)} {_STREET_KIND.pick(rng)} {number}"
    used.add(name)
    return name


def neighbour_postcode(rng: Random) -> str:
    district = rng.randint(1, 9)
    letters = POSTCODE_UNIT_LETTERS
    return (
        f"{NEIGHBOUR_AREA}{district} {rng.randint(1, 9)}"
        f"{letters[rng.getrandbits(4) % 20]}{letters[rng.getrandbits(5) % 20]}"
    )
