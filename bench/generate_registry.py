"""Write a synthetic member registry file for the import benchmark.

The file follows contract/registry-format.md. Contract sizes follow a heavy-tailed
distribution, as real sponsors do (many small employers, a few with thousands of members), so
the import meets both many small contracts and a few large ones. The same seed always writes
the same file, so figures taken on different days compare. The file is written a contract at
a time, so that a million certificates never sit in memory together.

    python bench/generate_registry.py --certificates 100000 --output /tmp/registry.json
    python bench/generate_registry.py --certificates 1000000 --contracts 5000 --dependents \
        --output /tmp/registry.json

``--contracts`` fixes the number of contracts (the largest holds 20,000 members when there are
enough, the size of the partner page measure of issue 20); ``--dependents`` gives some members
a spouse and children and the group insurance contracts a claims table, as the registry of
issue 18 does.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FIRST_NAMES = [
    "Geneviève", "Samuel", "Marie-Ève", "Jean-François", "Nathalie", "Étienne", "Chantal",
    "Mathieu", "Isabelle", "Sébastien", "Mélanie", "François", "Josée", "Benoît", "Annie",
    "Frédéric", "Sophie", "Luc", "Caroline", "Alexandre", "Julie", "Pierre-Luc", "Véronique",
    "Maxime", "Catherine", "Guillaume", "Émilie", "Olivier", "Stéphanie", "Jérôme", "Karine",
    "Simon", "Valérie", "Gabriel", "Marie-Claude", "Félix", "Andrée-Anne", "Raphaël", "Noémie",
    "Hélène", "Réjean", "Ginette", "Gaétan", "Lucie", "Denis", "Sylvie", "Normand", "Francine",
]  # fmt: skip
LAST_NAMES = [
    "Côté", "Ouellet", "Tremblay", "Gagnon", "Roy", "Bouchard", "Gauthier", "Morin", "Lavoie",
    "Fortin", "Gagné", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette",
    "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier",
    "Lapointe", "Leclerc", "Lefebvre", "Poulin", "Thibault", "St-Pierre", "Nadeau", "Martin",
    "Landry", "Martel", "Bédard", "Grenier", "Lessard", "Bernier", "Richard", "Michaud", "Hébert",
    "Desjardins", "Couture", "Turcotte", "Lachance", "Parent", "Blais", "Gosselin", "Savard",
]  # fmt: skip
SPONSOR_KINDS = [
    "Coopérative forestière", "Caisse populaire", "Association des paramédics",
    "Syndicat des employés municipaux", "Fromagerie", "Centre de services scolaire",
    "Transport scolaire", "Quincaillerie", "Clinique dentaire", "Regroupement des garderies",
]  # fmt: skip
REGIONS = [
    "du Haut-Saint-Maurice", "de l'Estrie", "du Bas-Saint-Laurent", "de la Côte-Nord",
    "du Saguenay", "de la Beauce", "de Lanaudière", "de l'Outaouais", "de la Gaspésie",
    "des Laurentides", "de Charlevoix", "du Témiscamingue",
]  # fmt: skip
PRODUCT_LINES = {
    "GROUP_INSURANCE": (
        "G",
        ["Assurance collective des employés", "Régime complémentaire santé"],
        ["HEALTH_CLAIMS", "DENTAL_CLAIMS", "VISION_CLAIMS", "CLAIMS_HISTORY", "DIRECT_DEPOSIT"],
    ),
    "GROUP_RETIREMENT_SAVINGS": ("RC", ["REER collectif", "RPDB"], ["ELECTRONIC_STATEMENTS"]),
    "GROUP_ANNUITY": ("RA", ["Rentes collectives"], []),
}
BENEFITS = ["HEALTH", "DENTAL", "VISION", "LIFE", "DISABILITY", "TRAVEL"]
TIERS = ["SINGLE", "COUPLE", "FAMILY", None]
LARGEST_CONTRACT = 20_000
SERVICE_TYPES = ["PHYSIOTHERAPY", "MASSAGE_THERAPY", "PSYCHOLOGY", "DENTAL_CARE", "EYEGLASSES"]


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _dependents(rng: random.Random, last_name: str) -> list[dict[str, Any]]:
    """Four members in ten cover someone: a spouse, children, or both."""
    people: list[dict[str, Any]] = []
    if rng.random() >= 0.4:
        return people
    if rng.random() < 0.7:
        people.append(
            {
                "firstName": rng.choice(FIRST_NAMES),
                "lastName": rng.choice(LAST_NAMES),
                "dateOfBirth": _day(rng, date(1950, 1, 1), date(2006, 12, 31)).isoformat(),
                "relationship": "SPOUSE",
            }
        )
    names = rng.sample(FIRST_NAMES, rng.randrange(4))
    for name in names:
        people.append(
            {
                "firstName": name,
                "lastName": last_name,
                "dateOfBirth": _day(rng, date(2000, 1, 1), date(2026, 10, 1)).isoformat(),
                "relationship": "CHILD",
            }
        )
    return people


def _claim_rules(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "serviceType": service,
            "reimbursementPercent": rng.choice([50, 70, 80, 90, 100]),
            "annualMaximumCents": rng.choice([None, 50_000, 100_000, 150_000]),
        }
        for service in rng.sample(SERVICE_TYPES, rng.randrange(1, len(SERVICE_TYPES) + 1))
    ]


def _certificate(rng: random.Random, index: int, dependents: bool = False) -> dict[str, Any]:
    effective = _day(rng, date(2005, 1, 1), date(2026, 10, 1))
    status = rng.choices(["ACTIVE", "SUSPENDED", "TERMINATED"], weights=[90, 3, 7])[0]
    certificate: dict[str, Any] = {
        "number": f"{index:07d}",
        "firstName": rng.choice(FIRST_NAMES),
        "lastName": rng.choice(LAST_NAMES),
        "dateOfBirth": _day(rng, date(1950, 1, 1), date(2006, 12, 31)).isoformat(),
        "status": status,
        "effectiveDate": effective.isoformat(),
    }
    if status == "TERMINATED":
        certificate["terminationDate"] = _day(rng, effective, date(2026, 11, 1)).isoformat()
    elif rng.random() < 0.5:
        certificate["terminationDate"] = None
    benefits = rng.sample(BENEFITS, rng.randrange(4))
    certificate["coverages"] = [{"benefit": b, "tier": rng.choice(TIERS)} for b in benefits]
    if dependents:
        certificate["dependents"] = _dependents(rng, certificate["lastName"])
    return certificate


def _heavy_tailed_sizes(rng: random.Random, certificates: int) -> Iterator[int]:
    remaining = certificates
    first = True
    while remaining > 0 or first:
        first = False
        size = min(remaining, LARGEST_CONTRACT, int(rng.paretovariate(1.1) * 30))
        remaining -= size
        yield size


def fixed_sizes(rng: random.Random, certificates: int, contracts: int) -> list[int]:
    """``contracts`` sizes of the same heavy tail adding up to ``certificates``, the first the
    largest contract the data allows (20,000 members from 100,000 certificates up)."""
    largest = min(LARGEST_CONTRACT, certificates // 5, certificates - (contracts - 1))
    weights = [rng.paretovariate(1.1) for _ in range(contracts - 1)]
    rest = certificates - largest
    sizes = [max(1, min(largest, int(w / sum(weights) * rest))) for w in weights]
    shortfall = rest - sum(sizes)
    while shortfall:
        index = rng.randrange(len(sizes))
        step = 1 if shortfall > 0 else -1
        if 1 <= sizes[index] + step <= largest:
            sizes[index] += step
            shortfall -= step
    return [largest, *sizes]


def generate(
    certificates: int,
    seed: int,
    contracts: int | None = None,
    dependents: bool = False,
    changed_every: int = 0,
) -> Iterator[dict[str, Any]]:
    """The contracts of a registry holding exactly ``certificates`` certificates, one by one.

    ``changed_every``: every so many certificates, the last name is another, as a later
    registry would have it (the same file otherwise, record for record).
    """
    rng = random.Random(seed)
    if contracts is None:
        sizes: Iterator[int] = _heavy_tailed_sizes(rng, certificates)
    else:
        sizes = iter(fixed_sizes(rng, certificates, contracts))
    next_certificate = 1
    for index, size in enumerate(sizes):
        product_line = rng.choices(list(PRODUCT_LINES), weights=[70, 20, 10])[0]
        prefix, plans, features = PRODUCT_LINES[product_line]
        contract: dict[str, Any] = {
            "number": f"{prefix}{index + 10000:05d}",
            "productLine": product_line,
            "sponsorName": f"{rng.choice(SPONSOR_KINDS)} {rng.choice(REGIONS)}",
            "planName": rng.choice(plans),
            "onlineFeatures": [f for f in features if rng.random() < 0.7],
        }
        if dependents and product_line == "GROUP_INSURANCE":
            contract["claimRules"] = _claim_rules(rng)
        contract["certificates"] = [
            _certificate(rng, next_certificate + i, dependents) for i in range(size)
        ]
        if changed_every:
            for number, certificate in enumerate(contract["certificates"], next_certificate):
                if number % changed_every == 0:
                    certificate["lastName"] += "-Roy"
        next_certificate += size
        yield contract


def write_registry(
    path: Path,
    certificates: int,
    seed: int = 2026,
    contracts: int | None = None,
    dependents: bool = False,
    changed_every: int = 0,
) -> int:
    """Write the file, as ``json.dumps(document, indent=1)`` would; answers how many contracts
    it holds."""
    written = 0
    with path.open("w", encoding="utf-8") as file:
        file.write('{\n "contracts": [')
        for contract in generate(certificates, seed, contracts, dependents, changed_every):
            text = json.dumps(contract, ensure_ascii=False, indent=1)
            file.write(("," if written else "") + "\n  " + text.replace("\n", "\n  "))
            written += 1
        file.write("\n ]\n}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--contracts", type=int, help="exactly this many contracts")
    parser.add_argument(
        "--dependents", action="store_true", help="dependents and claim rules, as issue 18 has"
    )
    parser.add_argument(
        "--changed-every",
        type=int,
        default=0,
        metavar="N",
        help="another last name for every Nth certificate (100: 1 %% of the records changed)",
    )
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    contracts = write_registry(
        arguments.output,
        arguments.certificates,
        arguments.seed,
        arguments.contracts,
        arguments.dependents,
        arguments.changed_every,
    )
    print(f"wrote {arguments.output}: {contracts} contracts, {arguments.certificates} certificates")


if __name__ == "__main__":
    main()
