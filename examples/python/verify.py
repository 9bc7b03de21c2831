#!/usr/bin/env python3
"""Verify a jawth token with PyJWT, the call Quid documents.

    echo "$TOKEN" | APP_SECRET=<the application's secret> python3 examples/python/verify.py

The token is read from stdin (not argv, which other users of the machine can see) and the
key from APP_SECRET. Prints the claims as JSON; exits 1 for a refused token.
"""
import json
import os
import sys

import jwt


def main() -> int:
    key = os.environ.get("APP_SECRET")
    if not key:
        print("APP_SECRET is required", file=sys.stderr)
        return 2
    token = sys.stdin.read().strip()
    try:
        # algorithms pins HS256: the header's alg is never trusted. A token with an `aud`
        # claim needs audience=... here as well, else PyJWT refuses it.
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.InvalidTokenError as error:
        print(f"refused: {type(error).__name__}", file=sys.stderr)
        return 1
    print(json.dumps(claims))
    return 0


if __name__ == "__main__":
    sys.exit(main())
