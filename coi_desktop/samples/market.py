"""Who and what a certificate names: carriers with their NAIC codes, brokers, people,
places, other general contractors, trades, and the limits underwriters actually write."""

from __future__ import annotations

# Carriers with their NAIC company codes, by the lines they usually write.
CARRIERS: dict[str, tuple[tuple[str, str], ...]] = {
    "casualty": (
        ("Travelers Property Casualty Co of America", "25674"),
        ("Travelers Indemnity Company", "25658"),
        ("Zurich American Insurance Company", "16535"),
        ("Hartford Fire Insurance Company", "19682"),
        ("Liberty Mutual Fire Insurance Company", "23035"),
        ("Ohio Security Insurance Company", "24082"),
        ("Continental Casualty Company", "20443"),
        ("Westfield Insurance Company", "24112"),
        ("The Cincinnati Insurance Company", "10677"),
        ("Selective Insurance Company of America", "12572"),
        ("Auto-Owners Insurance Company", "18988"),
        ("Nationwide Mutual Insurance Company", "23787"),
    ),
    "excess": (
        ("Great American Insurance Company", "16691"),
        ("Starr Indemnity & Liability Company", "38318"),
        ("Federal Insurance Company", "20281"),
        ("National Union Fire Ins Co of Pittsburgh PA", "19445"),
        ("Ironshore Specialty Insurance Company", "25445"),
    ),
    "workers": (
        ("Hartford Casualty Insurance Company", "29424"),
        ("Accident Fund Insurance Company of America", "10166"),
        ("Berkshire Hathaway Homestate Insurance Co", "20044"),
        ("Technology Insurance Company, Inc.", "42376"),
        ("Employers Preferred Insurance Company", "10346"),
    ),
    "specialty": (
        ("Evanston Insurance Company", "35378"),
        ("Arch Specialty Insurance Company", "21199"),
        ("Steadfast Insurance Company", "26387"),
    ),
}

BROKERS = (
    "Lakeshore Risk Partners LLC",
    "Hollister Insurance Services, Inc.",
    "Meridian Brokerage Group",
    "Prairie State Insurance Agency",
    "Keystone Commercial Insurance LLC",
    "Summit Ridge Risk Advisors",
    "Bayview Insurance Services LLC",
    "Harbor Point Insurance Agency, Inc.",
    "Cornerstone Surety & Insurance",
    "Northline Risk Management",
)

FIRST_NAMES = (
    "Dana", "Maria", "Kevin", "Priya", "Tom", "Angela", "Luis", "Rachel", "Brian", "Keisha",
    "Greg", "Nicole", "Sam", "Olga", "Derek", "Tanya",
)  # fmt: skip
LAST_NAMES = (
    "Whitfield", "Kowalski", "Nguyen", "Patel", "Okafor", "Brennan", "Alvarez", "Schultz",
    "Murphy", "Lindqvist", "Romero", "Jablonski", "Carter", "Hoffman",
)  # fmt: skip

STREETS = (
    "W Fulton St", "N Clark St", "S Halsted St", "W Grand Ave", "N Milwaukee Ave",
    "E Ogden Ave", "W Roosevelt Rd", "Industrial Dr", "Commerce Pkwy", "Executive Dr",
    "W Lake St", "N Elston Ave", "S Western Ave", "Corporate Woods Pkwy",
)  # fmt: skip
CITIES = (
    ("Chicago", "IL", "606"), ("Schaumburg", "IL", "601"), ("Naperville", "IL", "605"),
    ("Elk Grove Village", "IL", "600"), ("Milwaukee", "WI", "532"), ("Gary", "IN", "464"),
    ("Joliet", "IL", "604"), ("Oak Brook", "IL", "605"), ("Kenosha", "WI", "531"),
)  # fmt: skip

OTHER_GENERAL_CONTRACTORS = (
    ("Harwell Builders Inc", "2200 W Grand Ave, Chicago, IL 60612"),
    ("Ostrander Construction Co", "815 Commerce Pkwy, Naperville, IL 60563"),
    ("Kessler & Lund General Contractors", "47 E Ogden Ave, Oak Brook, IL 60523"),
)

TRADES = (
    "Building Services", "Mechanical", "Contracting", "Site Works", "Interiors", "Industrial",
)  # fmt: skip

# The limits underwriters actually write, smallest first.
LADDERS: dict[str, tuple[int, ...]] = {
    "each_occurrence": (500_000, 1_000_000, 2_000_000),
    "general_aggregate": (1_000_000, 2_000_000, 4_000_000),
    "products_completed_ops_aggregate": (1_000_000, 2_000_000, 4_000_000),
    "personal_advertising_injury": (500_000, 1_000_000, 2_000_000),
    "damage_to_rented_premises": (100_000, 300_000, 500_000, 1_000_000),
    "medical_expense": (5_000, 10_000, 15_000),
    "combined_single_limit": (500_000, 1_000_000, 2_000_000),
    "umbrella": (1_000_000, 2_000_000, 5_000_000, 10_000_000, 15_000_000, 25_000_000),
    "el": (500_000, 1_000_000, 2_000_000),
    "other": (1_000_000, 2_000_000, 3_000_000, 5_000_000),
}
