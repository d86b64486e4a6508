#!/usr/bin/env python3
"""Korea's 2026 wage income tax worked straight from the statute, independently of the egov
rules engine and of config/countries/kr/tax/2026.toml: the arithmetic of each article written
out by hand in Python, with exact decimals.

    python3 docs/tax/kr_2026_reference.py           # print the cases as TOML test cases
    python3 docs/tax/kr_2026_reference.py --check config/countries/kr/tax/2026.tests.toml

--check recomputes every case in the pack's test file and fails if an expected figure there
differs from this independent calculation (CI runs it), so a wrong expectation cannot hide a
wrong rule.
"""
import sys
import tomllib
from decimal import Decimal as D, ROUND_FLOOR

M = D(1_000_000)


def earned_income_deduction(w):  # ITA art. 47(1)
    if w <= 5 * M:
        d = w * D("0.70")
    elif w <= 15 * M:
        d = D(3_500_000) + (w - 5 * M) * D("0.40")
    elif w <= 45 * M:
        d = D(7_500_000) + (w - 15 * M) * D("0.15")
    elif w <= 100 * M:
        d = D(12_000_000) + (w - 45 * M) * D("0.05")
    else:
        d = D(14_750_000) + (w - 100 * M) * D("0.02")
    return min(d, 20 * M)  # art. 47(1) proviso


def within_income_limit(p):  # ITA art. 50(1)2-3
    # Income amount for the year of at most 1,000,000 won, or wages only of at most 5,000,000.
    return D(str(p.get("income", 0))) <= M or p.get("wage_income_only", False)


def basic_persons(age, deps):  # ITA art. 50(1)
    n = 1  # the filer
    for p in filter(within_income_limit, deps):
        r, a, dis = p["relation"], p["age"], p.get("disabled", False)
        if r == "spouse":
            n += 1
        elif r == "child" and (a <= 20 or dis):
            n += 1
        elif r == "parent" and (a >= 60 or dis):
            n += 1
        elif r == "sibling" and (a <= 20 or a >= 60 or dis):
            n += 1
    return n


def basic_children(deps):  # ITA art. 50(1)3(b): lineal descendants who qualify
    return [p for p in filter(within_income_limit, deps)
            if p["relation"] == "child" and (p["age"] <= 20 or p.get("disabled", False))]


def basic_dependants(deps):  # ITA art. 50(1)3: dependants other than the spouse who qualify
    n = 0
    for p in filter(within_income_limit, deps):
        r, a, dis = p["relation"], p["age"], p.get("disabled", False)
        if (r == "child" and (a <= 20 or dis)) or (r == "parent" and (a >= 60 or dis)) or (
                r == "sibling" and (a <= 20 or a >= 60 or dis)):
            n += 1
    return n


def woman_and_single_parent(status, woman, income_amount, deps):  # ITA art. 51(1)3-4
    single_parent = D(1_000_000) if status != "married" and basic_children(deps) else D(0)
    if single_parent:  # art. 51(1) proviso: both apply, the single-parent deduction only
        return single_parent
    if not woman or income_amount > 30 * M:
        return D(0)
    if status == "married" or (status == "unmarried_householder" and basic_dependants(deps)):
        return D(500_000)
    return D(0)


def additional(age, disabled, deps):  # ITA art. 51(1)1-2
    amt = D(0)
    if age >= 70:
        amt += M
    if disabled:
        amt += 2 * M
    for p in filter(within_income_limit, deps):  # art. 51(1): basic-deduction dependants
        if p["relation"] in ("spouse", "parent", "sibling") and p["age"] >= 70:
            amt += M
        if p.get("disabled", False):
            amt += 2 * M
    return amt


def rates(t):  # ITA art. 55(1)
    table = [
        (0, 0, "0.06"), (14 * M, 840_000, "0.15"), (50 * M, 6_240_000, "0.24"),
        (88 * M, 15_360_000, "0.35"), (150 * M, 37_060_000, "0.38"),
        (300 * M, 94_060_000, "0.40"), (500 * M, 174_060_000, "0.42"),
        (1000 * M, 384_060_000, "0.45"),
    ]
    for lo, base, r in reversed(table):
        if t > lo or lo == 0:
            return D(base) + (t - lo) * D(r)


def eitc(tax, w):  # ITA art. 59
    c = tax * D("0.55") if tax <= D(1_300_000) else D(715_000) + (tax - D(1_300_000)) * D("0.30")
    if w <= 33 * M:
        lim = D(740_000)
    elif w <= 70 * M:
        lim = max(D(740_000) - (w - 33 * M) * D("0.008"), D(660_000))
    elif w <= 120 * M:
        lim = max(D(660_000) - (w - 70 * M) / 2, D(500_000))
    else:
        lim = max(D(500_000) - (w - 120 * M) / 2, D(200_000))
    return min(c, lim)


def child_credit(deps):  # ITA art. 59-2(1), as amended for 2025 income
    n = sum(1 for p in deps if within_income_limit(p) and p["relation"] == "child"
            and (8 <= p["age"] <= 20 or (p["age"] >= 21 and p.get("disabled", False))))
    if n == 0:
        return D(0)
    if n == 1:
        return D(250_000)
    return D(550_000) + D(400_000) * (n - 2)


def rent_credit(w, rent, householder):  # Restriction of Special Taxation Act art. 95-2(1)
    if not householder or w > 80 * M:
        return D(0)
    rate = D("0.17") if w <= 55 * M else D("0.15")
    return min(rent, 10 * M) * rate


def trunc10(x):
    return (x / 10).to_integral_value(rounding=ROUND_FLOOR) * 10


def compute(inp):
    w = D(inp.get("wages", 0))
    age = inp.get("age", 40)
    disabled = inp.get("disabled", False)
    deps = inp.get("dependants", [])
    pension = D(inp.get("pension_contributions", 0))
    ins = D(inp.get("insurance_premiums", 0))
    special = D(inp.get("special_credits", 0))
    eia = w - earned_income_deduction(w)
    personal = D(1_500_000) * basic_persons(age, deps) + additional(age, disabled, deps) + \
        woman_and_single_parent(inp.get("marital_status", "married"), inp.get("woman", False),
                                eia, deps)
    taxable = max(eia - personal - pension - ins, D(0))
    tax = rates(taxable)
    rent = rent_credit(w, D(inp.get("rent_paid", 0)), inp.get("homeless_householder", False))
    standard = D(130_000) if ins + special + rent == 0 else D(0)  # art. 59-4(9)2
    credits = eitc(tax, w) + child_credit(deps) + standard + special + rent
    determined = trunc10(max(tax - credits, D(0)))
    local = trunc10(determined * D("0.1"))
    balance = (determined - D(inp.get("withheld_income_tax", 0))) + (
        local - D(inp.get("withheld_local_tax", 0)))
    return {
        "earned_income_deduction": earned_income_deduction(w),
        "taxable_income": taxable,
        "computed_tax": tax,
        "determined_income_tax": determined,
        "local_income_tax": local,
        "total_tax": determined + local,
        "rent_credit": rent,
        "personal_deductions": personal,
        "balance_total": balance,
    }


def check(path):
    cases = tomllib.load(open(path, "rb"))["case"]
    bad = 0
    for c in cases:
        if "refused" in c:
            continue  # inputs the rules refuse; nothing to compute
        got = compute(c["input"])
        for k, v in c["output"].items():
            if k in got and D(str(v)) != got[k].normalize():
                bad += 1
                print(f"MISMATCH {c['name']}: {k} expected {v}, statute gives {got[k]}")
    print(f"{len(cases)} cases, {bad} mismatches against the independent calculation")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2]))
    print("rules must be given with --check FILE", file=sys.stderr)
    sys.exit(2)
