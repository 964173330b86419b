"""The synthetic council: a deterministic generator of a borough's citizens and of each
department's own records (health, social care, education, housing) with realistic identifiers,
volumes and data-quality problems, and a bulk loader into the department databases
(`citizen-gateway seed`, see council/seed.py)."""
