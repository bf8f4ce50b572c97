"""Decrypts the data of a SourceFlow wire format 1 message (docs/wire-format.md, section 10).

Needs boto3 and cryptography. Used as a library (decrypt_data) or, by SourceFlow's tests, as a
script: reads {"event": <CloudEvent object>, "destination": "...", "endpoint": "..." | null} on
standard input and prints the decrypted data.
"""
import base64
import json
import sys

import boto3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ENCRYPTED_CONTENT_TYPE = "application/vnd.sourceflow.encrypted+json"


def associated_data(*fields):
    """Each field as a 4-byte big-endian length followed by its UTF-8 bytes."""
    out = b""
    for field in fields:
        data = field.encode("utf-8")
        out += len(data).to_bytes(4, "big") + data
    return out


def decrypt_data(event, destination, kms):
    """Returns the plaintext data (JSON text) of a CloudEvent whose data is encrypted.

    destination: the short name of the queue (commands) or topic (events) it was sent to.
    Raises on a malformed envelope, a KMS refusal, or a failed authentication
    (cryptography.exceptions.InvalidTag): dead-letter such a message.
    """
    env = event["data"]
    if env.get("v") != 1 or env.get("alg") != "AES-256-GCM":
        raise ValueError("unsupported SourceFlow encrypted-data envelope")
    data_key = kms.decrypt(
        CiphertextBlob=base64.b64decode(env["edk"]),
        KeyId=env["kid"],
        EncryptionContext={"sourceflow.v": "1", "sourceflow.destination": destination},
    )["Plaintext"]
    aad = associated_data("sourceflow-encrypted-data", "1", "AES-256-GCM",
                          event["id"], event["type"], destination)
    plaintext = AESGCM(data_key).decrypt(base64.b64decode(env["iv"]), base64.b64decode(env["ct"]), aad)
    return plaintext.decode("utf-8")


if __name__ == "__main__":
    request = json.load(sys.stdin)
    client = boto3.client("kms", endpoint_url=request.get("endpoint"), region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    sys.stdout.write(decrypt_data(request["event"], request["destination"], client))
