#!/usr/bin/env python3
"""Doppler's official Python SDK (`doppler-sdk`) as a second client of the Doppler stand-in, for
leakless's `doppler` store tests. The token comes from DOPPLER_TOKEN; the SDK's base URL is set
to the stand-in with its own `set_base_url`.

    doppler_sdk.py BASE get PROJECT CONFIG NAME   -> {"raw", "computed"} or {"absent": true}
    doppler_sdk.py BASE set PROJECT CONFIG NAME   (value on stdin) -> {"ok": true}
    doppler_sdk.py BASE configs PROJECT           -> {"names": [...]} (every page, 2 a page)
"""

import json
import os
import sys

from dopplersdk import DopplerSDK
from dopplersdk.models.SecretsUpdateRequest import SecretsUpdateRequest


def main():
    base, op = sys.argv[1], sys.argv[2]
    sdk = DopplerSDK(access_token=os.environ["DOPPLER_TOKEN"])
    sdk.set_base_url(base)
    if op == "get":
        project, config, name = sys.argv[3:6]
        try:
            r = sdk.secrets.get(name, config, project)
        except Exception as e:  # the SDK raises its own HTTP error type
            if "404" in str(e) or getattr(e, "status", None) == 404:
                print(json.dumps({"absent": True}))
                return
            raise
        value = r.value if isinstance(r.value, dict) else r.value.__dict__
        print(json.dumps({"raw": value.get("raw"), "computed": value.get("computed")}))
    elif op == "set":
        project, config, name = sys.argv[3:6]
        sdk.secrets.update(SecretsUpdateRequest(config=config, project=project, secrets={name: sys.stdin.read()}))
        print(json.dumps({"ok": True}))
    elif op == "configs":
        names, page = [], 1
        while True:
            r = sdk.configs.list(project=sys.argv[3], page=page, per_page=2)
            batch = [c.name if hasattr(c, "name") else c["name"] for c in (r.configs or [])]
            if not batch:
                break
            names += batch
            page += 1
        print(json.dumps({"names": names}))
    else:
        sys.exit(f"unknown operation {op}")


if __name__ == "__main__":
    main()
