"""Synthetic data for kamp's benchmarks: N customers and M sales lines in the shape a Chilean
ERP exports them (Spanish-format CSV: ``;`` separated, Windows-1252, ``dd-mm-yyyy`` dates,
``1.234.567,89`` amounts), with a realistic skew: customer weights follow a Zipf law, so a few
customers carry most of the sales (the top 20 % about 80 %).

Reusable from other benchmarks::

    from bench.generate import make_customers, write_customers_csv, write_sales_csv
    customers = make_customers(5000, seed=1)
    write_customers_csv("customers.csv", customers)
    write_sales_csv("sales.csv", customers, 1_000_000, seed=1)

or from the shell: ``python bench/generate.py --customers 5000 --sales 1000000 --out var/bench``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
from dataclasses import dataclass
from pathlib import Path

INDUSTRIES = [
    "Construcción",
    "Minería",
    "Retail",
    "Agroindustria",
    "Salud",
    "Energía",
    "Transporte",
    "Manufactura",
    "Alimentos",
    "Telecomunicaciones",
]
REGIONS = [
    "Metropolitana",
    "Antofagasta",
    "Valparaíso",
    "Biobío",
    "Los Lagos",
    "Maule",
    "Coquimbo",
    "Atacama",
    "Araucanía",
    "O'Higgins",
]
FORMS = ["S.A.", "SpA", "Ltda.", "S.A.C.", "EIRL"]
WORDS = [
    "Andes",
    "Pacífico",
    "Cóndor",
    "Austral",
    "Norte",
    "Sur",
    "Araucaria",
    "Volcán",
    "Copihue",
    "Huemul",
    "Maipo",
    "Ñandú",
    "Boldo",
    "Quillay",
    "Pehuén",
    "Cordillera",
]
ACTIVITIES = [
    "Constructora",
    "Minera",
    "Comercial",
    "Agrícola",
    "Distribuidora",
    "Inversiones",
    "Servicios",
    "Transportes",
    "Industrial",
    "Inmobiliaria",
]
CATEGORIES = [
    "Cemento",
    "Acero",
    "Áridos",
    "Maderas",
    "Pinturas",
    "Herramientas",
    "Eléctrico",
    "Sanitario",
]
SALES_HEADER = [
    "RUT Cliente",
    "Fecha",
    "N° Documento",
    "Línea",
    "Producto",
    "Categoría",
    "Cantidad",
    "Monto Neto",
    "Costo",
    "Moneda",
]


@dataclass
class FakeCustomer:
    tax_id: str
    external_id: str
    name: str
    industry: str
    region: str


def rut_check_digit(body: int) -> str:
    total, factor = 0, 2
    while body:
        total += (body % 10) * factor
        body //= 10
        factor = 2 if factor == 7 else factor + 1
    rest = 11 - total % 11
    return {11: "0", 10: "K"}.get(rest, str(rest))


def format_rut(body: int) -> str:
    return f"{body:,}".replace(",", ".") + "-" + rut_check_digit(body)


def make_customers(n: int, seed: int = 1) -> list[FakeCustomer]:
    rng = random.Random(seed)
    bodies = rng.sample(range(60_000_000, 99_999_999), n)
    out = []
    for i, body in enumerate(bodies):
        name = f"{rng.choice(ACTIVITIES)} {rng.choice(WORDS)} {rng.choice(WORDS)} {i} {rng.choice(FORMS)}"
        out.append(
            FakeCustomer(
                format_rut(body), f"C{i:06d}", name, rng.choice(INDUSTRIES), rng.choice(REGIONS)
            )
        )
    return out


def spanish_amount(cents: int) -> str:
    """1234567 cents → '12.345,67'."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", ".") + f",{frac:02d}"


def write_customers_csv(
    path: str | Path, customers: list[FakeCustomer], encoding: str = "cp1252"
) -> Path:
    path = Path(path)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write("RUT;Código;Razón social;Industria;Región\r\n")
        for c in customers:
            f.write(f"{c.tax_id};{c.external_id};{c.name};{c.industry};{c.region}\r\n")
    return path


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


def write_sales_csv(
    path: str | Path,
    customers: list[FakeCustomer],
    m: int,
    seed: int = 1,
    *,
    documents: bool = True,
    start: dt.date = dt.date(2023, 1, 1),
    days: int = 3 * 365,
    encoding: str = "cp1252",
) -> Path:
    """M sales lines over ``days`` from ``start``; invoices of 1–8 lines; amounts log-normal.
    Streams to disk: memory stays flat whatever M."""
    rng = random.Random(seed)
    path = Path(path)
    cum = list(itertools.accumulate(zipf_weights(len(customers))))
    dates = [(start + dt.timedelta(days=d)).strftime("%d-%m-%Y") for d in range(days)]
    header = (
        SALES_HEADER
        if documents
        else [h for h in SALES_HEADER if h not in ("N° Documento", "Línea")]
    )
    written = 0
    invoice = 100_000
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(";".join(header) + "\r\n")
        while written < m:
            invoice += 1
            customer = rng.choices(customers, cum_weights=cum)[0]
            day = rng.choice(dates)
            for line in range(1, min(rng.randint(1, 8), m - written) + 1):
                category = rng.choice(CATEGORIES)
                qty = rng.randint(1, 500)
                # In cents, but whole pesos (",00"): CLP has no minor unit and kamp refuses
                # CLP amounts with cents. Same draws as before, so the data keeps its shape.
                net = int(rng.lognormvariate(11, 1.3)) // 100 * 100  # median ~ 600 CLP
                cost = int(net * rng.uniform(0.55, 0.9)) // 100 * 100
                cells = [customer.tax_id, day]
                if documents:
                    cells += [f"F{invoice}", str(line)]
                cells += [
                    f"{category[:3].upper()}-{rng.randint(1, 400):04d}",
                    category,
                    str(qty),
                    spanish_amount(net),
                    spanish_amount(cost),
                    "CLP",
                ]
                f.write(";".join(cells) + "\r\n")
                written += 1
    return path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=5000)
    p.add_argument("--sales", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-documents", action="store_true")
    p.add_argument("--out", default="var/bench")
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    customers = make_customers(args.customers, args.seed)
    print(write_customers_csv(out / "customers.csv", customers))
    print(
        write_sales_csv(
            out / "sales.csv", customers, args.sales, args.seed, documents=not args.no_documents
        )
    )


if __name__ == "__main__":
    main()
