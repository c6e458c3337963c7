#!/usr/bin/env python3
"""The official Azure SDK (`azure-keyvault-secrets` + `azure-identity`) as a second client of the
Key Vault stand-in, for leakless's `azure` store tests.

    azure_sdk.py VAULT_URL get NAME        -> {"value", "name", "tags", "versions"} or {"absent": true}
    azure_sdk.py VAULT_URL set NAME        (value on stdin) -> {"id"}
    azure_sdk.py VAULT_URL list            -> {"names": [...]} (follows the service's paging)

Credentials: AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET through `ClientSecretCredential`
with AZURE_AUTHORITY_HOST (MSAL tenant discovery and the token endpoint on the stand-in, instance
discovery off). TLS: the test CA in REQUESTS_CA_BUNDLE. The stand-in's challenge names the public
resource https://vault.azure.net while the vault is 127.0.0.1, so `verify_challenge_resource=False`.
"""

import json
import os
import sys

from azure.core.exceptions import ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.keyvault.secrets import SecretClient


def main():
    url, op = sys.argv[1], sys.argv[2]
    cred = ClientSecretCredential(
        os.environ["AZURE_TENANT_ID"],
        os.environ["AZURE_CLIENT_ID"],
        os.environ["AZURE_CLIENT_SECRET"],
        authority=os.environ["AZURE_AUTHORITY_HOST"],
        disable_instance_discovery=True,
    )
    client = SecretClient(vault_url=url, credential=cred, verify_challenge_resource=False)
    if op == "get":
        try:
            s = client.get_secret(sys.argv[3])
        except ResourceNotFoundError:
            print(json.dumps({"absent": True}))
            return
        versions = [v.version for v in client.list_properties_of_secret_versions(sys.argv[3])]
        print(json.dumps({"value": s.value, "name": s.name, "tags": s.properties.tags or {}, "versions": versions}))
    elif op == "set":
        s = client.set_secret(sys.argv[3], sys.stdin.read())
        print(json.dumps({"id": s.id}))
    elif op == "list":
        print(json.dumps({"names": sorted(p.name for p in client.list_properties_of_secrets())}))
    else:
        sys.exit(f"unknown operation {op}")


if __name__ == "__main__":
    main()
