"""Write a synthetic member registry file for the import benchmark.

The file follows contract/registry-format.md. Contract sizes follow a heavy-tailed
distribution, as real sponsors do (many small employers, a few with thousands of members), so
the import meets both many small contracts and a few large ones. The same seed always writes
the same file, so figures taken on different days compare.

    python bench/generate_registry.py --certificates 100000 --output /tmp/registry.json
"""

from __future__ import annotations

import argparse
import json
import random
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


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _certificate(rng: random.Random, index: int) -> dict[str, Any]:
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
    return certificate


def generate(certificates: int, seed: int) -> dict[str, Any]:
    """A registry document holding exactly ``certificates`` certificates."""
    rng = random.Random(seed)
    contracts: list[dict[str, Any]] = []
    remaining = certificates
    next_certificate = 1
    while remaining > 0 or not contracts:
        size = min(remaining, LARGEST_CONTRACT, int(rng.paretovariate(1.1) * 30))
        product_line = rng.choices(list(PRODUCT_LINES), weights=[70, 20, 10])[0]
        prefix, plans, features = PRODUCT_LINES[product_line]
        contracts.append(
            {
                "number": f"{prefix}{len(contracts) + 10000:05d}",
                "productLine": product_line,
                "sponsorName": f"{rng.choice(SPONSOR_KINDS)} {rng.choice(REGIONS)}",
                "planName": rng.choice(plans),
                "onlineFeatures": [f for f in features if rng.random() < 0.7],
                "certificates": [_certificate(rng, next_certificate + i) for i in range(size)],
            }
        )
        next_certificate += size
        remaining -= size
    return {"contracts": contracts}


def write_registry(path: Path, certificates: int, seed: int = 2026) -> int:
    """Write the file; answers how many contracts it holds."""
    document = generate(certificates, seed)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(document["contracts"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    contracts = write_registry(arguments.output, arguments.certificates, arguments.seed)
    print(f"wrote {arguments.output}: {contracts} contracts, {arguments.certificates} certificates")


if __name__ == "__main__":
    main()
