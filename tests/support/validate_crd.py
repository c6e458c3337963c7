"""Validates Kubernetes custom resources against the CRD schema fragments in tests/data/crds.

Usage: python validate_crd.py FILE...  — every document of each YAML file whose kind has a
schema here is validated; the others are only parsed. Prints one line per error and exits 1
when there is any (2 when a file is not YAML). Strict like `kubectl apply --validate=strict`:
an object schema with `properties` and no `additionalProperties` rejects unknown fields (the
API server would otherwise drop them silently), and metadata.name / metadata.namespace must
be DNS names as the API server requires.
"""

import copy
import os
import re
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CRDS = os.path.join(HERE, "..", "data", "crds")
SCHEMAS = {
    ("external-secrets.io/v1", "ExternalSecret"): "externalsecret-v1.yaml",
    ("secrets.infisical.com/v1alpha1", "InfisicalSecret"): "infisicalsecret-v1alpha1.yaml",
    ("secrets.hashicorp.com/v1beta1", "VaultStaticSecret"): "vaultstaticsecret-v1beta1.yaml",
}
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def strict(schema):
    s = copy.deepcopy(schema)
    stack = [s]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node and node.get("type") == "object":
                if node is not s["properties"].get("metadata"):
                    node["additionalProperties"] = False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return s


def load(name):
    with open(os.path.join(CRDS, name), encoding="utf-8") as f:
        return strict(yaml.safe_load(f))


def main(paths):
    errors = []
    validated = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                docs = list(yaml.safe_load_all(f))
        except yaml.YAMLError as e:
            print(f"{path}: not YAML: {e}")
            return 2
        for i, doc in enumerate(docs):
            if not isinstance(doc, dict):
                continue
            key = (doc.get("apiVersion"), doc.get("kind"))
            if key not in SCHEMAS:
                continue
            validated += 1
            where = f"{path}#{i} {key[1]}"
            meta = doc.get("metadata") or {}
            if not isinstance(meta.get("name"), str) or not DNS_SUBDOMAIN.match(meta["name"]):
                errors.append(f"{where}: metadata.name is not a DNS subdomain")
            ns = meta.get("namespace")
            if ns is not None and not (isinstance(ns, str) and DNS_LABEL.match(ns)):
                errors.append(f"{where}: metadata.namespace is not a DNS label")
            validator = jsonschema.Draft7Validator(load(SCHEMAS[key]))
            for e in validator.iter_errors(doc):
                errors.append(f"{where}: {'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
    for e in errors:
        print(e)
    print(f"validated {validated} resource(s), {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
