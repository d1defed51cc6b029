"""The boto3 client of the cross-account proofs (tests/cross-account-chain.test.ts).

Run in a pod's environment, it creates a default boto3 Session the way an application does (AWS_CONFIG_FILE and
AWS_PROFILE select the rendered profile), calls STS GetCallerIdentity with it and prints one JSON line:
{"ok": true, "arn": ..., "account": ...} or {"ok": false, "error": <API error code>, "message": ...}.
It never prints a credential.
"""

import json
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError


def caller_identity():
    try:
        identity = boto3.Session().client("sts").get_caller_identity()
    except ClientError as error:
        # A failed AssumeRole of the profile surfaces here, with STS's error code.
        return {"ok": False, "error": error.response["Error"]["Code"], "message": str(error)}
    except BotoCoreError as error:
        return {"ok": False, "error": type(error).__name__, "message": str(error)}
    return {"ok": True, "arn": identity["Arn"], "account": identity["Account"]}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(caller_identity()) + "\n")
