"""Validates an Entrain FHIR bundle with an independent implementation: fhir.resources 6.5.x,
whose models are generated from the FHIR R4 (4.0.1) specification.

Usage: python fhir_validate.py BUNDLE.json
Parses the whole Bundle, then every entry's resource on its own with the model of its
resourceType; prints one line per resource and exits non-zero if any fails.
"""
import json
import sys

import fhir.resources
from fhir.resources import construct_fhir_element


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    print(f"fhir.resources {fhir.resources.__version__} (FHIR {fhir.resources.__fhir_version__})")
    failures = 0
    try:
        bundle = construct_fhir_element("Bundle", data)
        print(f"Bundle ok: type={bundle.type} entries={len(bundle.entry or [])}")
    except Exception as e:  # noqa: BLE001 - report every validation error
        failures += 1
        print(f"Bundle FAILED: {e}")
    for i, entry in enumerate(data.get("entry", [])):
        resource = entry.get("resource", {})
        kind = resource.get("resourceType", "?")
        try:
            construct_fhir_element(kind, resource)
            print(f"ok {i} {kind}/{resource.get('id')}")
        except Exception as e:  # noqa: BLE001
            failures += 1
            print(f"FAILED {i} {kind}/{resource.get('id')}: {e}")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
