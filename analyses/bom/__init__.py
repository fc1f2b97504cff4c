"""Bills of materials of models from the warehouse: CycloneDX 1.6 ML-BOM and SPDX 3.0 with the AI profile.

facts.py reads what the warehouse knows about a model and its whole ancestry (one read-only pass, no network);
cyclonedx.py and spdx.py turn those facts into documents; licenses.py maps licenses to what each format allows.
"""
