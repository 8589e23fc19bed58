#!/usr/bin/env python3
"""Generate Stripe-Signature test vectors with the official `stripe` package (stripe-python).

Each vector records stripe-python's verdict (WebhookSignature.verify_header, and for JSON bodies
Webhook.construct_event too) and the verdict meterbridge must give. The two differ only where
docs/billing-rules.md says meterbridge is deliberately stricter or more tolerant, and such a vector names the
deviation. The Swift tests check both: meterbridge == expected, and expected == stripe-python
unless a deviation is named.

    python3 -m venv scripts/.venv && scripts/.venv/bin/pip install stripe
    scripts/.venv/bin/python scripts/gen_signature_vectors.py > Tests/BillingCoreTests/Vectors/signature-vectors.json

Deterministic: a fixed seed and a fixed "now", so regenerating gives the same file for the same stripe version.
"""
import base64
import hashlib
import hmac
import json
import random
import sys
import time

import stripe
from stripe import Webhook, WebhookSignature

NOW = 1_763_700_000
TOLERANCE = 300
rng = random.Random(20261121)

# stripe-python reads the clock through time.time(); pin it so verdicts are reproducible.
time.time = lambda: float(NOW)

CODES = [
    ("No Stripe-Signature header value was provided", "missing_header"),
    ("Unable to extract timestamp and signatures from header", "malformed_header"),
    ("No signatures found with expected scheme", "no_v1_signature"),
    ("No signatures found matching the expected signature", "no_matching_signature"),
    ("Timestamp outside the tolerance zone", "timestamp_outside_tolerance"),
]


def code_for(message):
    for prefix, code in CODES:
        if message.startswith(prefix):
            return code
    raise SystemExit("unmapped stripe-python message: " + message)


def secret():
    return "whsec_" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32))


def sign(payload: bytes, key: str, t: int) -> str:
    return hmac.new(key.encode("utf-8"), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()


WORDS = ["invoice", "1 × Basic", "Überweisung", "日本語の請求書", "emoji 🚀", "quote \\\" inside", "tab\\t", "plain"]


def body(size_hint: int) -> bytes:
    if size_hint == 0:
        return b""
    fields = []
    while len(json.dumps(fields, ensure_ascii=False)) < size_hint:
        fields.append({"id": f"evt_{rng.randrange(10**12)}", "description": rng.choice(WORDS), "amount": rng.randrange(10**6)})
    return json.dumps({"id": f"evt_{rng.randrange(10**12)}", "object": "event", "type": "invoice.created", "items": fields},
                      ensure_ascii=False, indent=rng.choice([None, 2])).encode("utf-8")


def python_verdict(payload: bytes, header, secrets):
    """stripe-python's answer for a deployment configured with several secrets: accepted if any accepts."""
    error = None
    for key in secrets:
        try:
            WebhookSignature.verify_header(payload, header, key, TOLERANCE)
            if payload:
                try:
                    json.loads(payload)
                except ValueError:
                    return {"accepted": True, "error": None}
                # construct_event must agree with verify_header on everything but JSON parsing.
                Webhook.construct_event(payload, header, key, TOLERANCE)
            return {"accepted": True, "error": None}
        except stripe.SignatureVerificationError as failure:
            error = code_for(str(failure.user_message or failure))
    return {"accepted": False, "error": error}


vectors = []


def add(name, category, payload, header, secrets, deviation=None, expected=None):
    python = python_verdict(payload, header, secrets)
    vectors.append({
        "name": name,
        "category": category,
        "payload_base64": base64.b64encode(payload).decode(),
        "header": header,
        "secrets": secrets,
        "now": NOW,
        "tolerance": TOLERANCE,
        "python": python,
        "expected": expected or python,
        "deviation": deviation,
    })


for i in range(40):
    key, payload, t = secret(), body(rng.choice([0, 10, 200, 1500, 4096])), NOW - rng.randrange(0, TOLERANCE + 1)
    add(f"valid-{i}", "valid", payload, f"t={t},v1={sign(payload, key, t)}", [key])
for i in range(25):
    key, payload, t = secret(), body(rng.choice([10, 500, 4096])), NOW - rng.randrange(0, 200)
    header = f"t={t},v1={sign(payload, key, t)}"
    position = rng.randrange(len(payload))
    tampered = payload[:position] + bytes([payload[position] ^ 0x01]) + payload[position + 1:]
    add(f"tampered-body-{i}", "tampered_body", tampered, header, [key])
for i in range(20):
    key, other, payload, t = secret(), secret(), body(rng.choice([0, 300, 4096])), NOW - rng.randrange(0, 200)
    add(f"wrong-secret-{i}", "wrong_secret", payload, f"t={t},v1={sign(payload, other, t)}", [key])
for i in range(20):
    key, payload, t = secret(), body(rng.choice([50, 2000])), NOW - rng.randrange(TOLERANCE + 1, 100_000)
    add(f"stale-{i}", "stale", payload, f"t={t},v1={sign(payload, key, t)}", [key])
for offset, name in [(TOLERANCE, "boundary-oldest-accepted"), (TOLERANCE + 1, "boundary-first-stale")]:
    key, payload = secret(), body(100)
    add(name, "stale", payload, f"t={NOW - offset},v1={sign(payload, key, NOW - offset)}", [key])
for i in range(15):
    # stripe-python accepts any future timestamp; meterbridge refuses |now - t| > tolerance (docs/billing-rules.md).
    key, payload, t = secret(), body(rng.choice([50, 2000])), NOW + rng.randrange(TOLERANCE + 1, 100_000)
    add(f"future-{i}", "future", payload, f"t={t},v1={sign(payload, key, t)}", [key],
        deviation="future_timestamp", expected={"accepted": False, "error": "timestamp_outside_tolerance"})
for i in range(8):
    key, payload, t = secret(), body(300), NOW + rng.randrange(1, TOLERANCE + 1)
    add(f"future-within-tolerance-{i}", "future", payload, f"t={t},v1={sign(payload, key, t)}", [key])
for i in range(25):
    # Secret roll: Stripe signs with both secrets; the deployment may know either or both, in either order.
    old, new, payload, t = secret(), secret(), body(rng.choice([0, 800, 4096])), NOW - rng.randrange(0, 200)
    signatures = [sign(payload, old, t), sign(payload, new, t)]
    rng.shuffle(signatures)
    configured = rng.choice([[old], [new], [old, new], [new, old], [secret(), new]])
    add(f"multi-v1-{i}", "multi_v1", payload, f"t={t}," + ",".join(f"v1={s}" for s in signatures), configured)
for i in range(8):
    key, payload, t = secret(), body(500), NOW - 10
    add(f"multi-v1-none-matching-{i}", "multi_v1", payload, f"t={t},v1={sign(payload, secret(), t)},v1={sign(payload, secret(), t)}", [key])
for i in range(10):
    key, payload, t = secret(), body(300), NOW - 5
    good = sign(payload, key, t)
    header = rng.choice([f"t={t},v0={good}", f"t={t},v2={good}", f"v0={good},t={t}"])
    add(f"v0-only-{i}", "v0_only", payload, header, [key])
for i in range(6):
    key, payload, t = secret(), body(300), NOW - 5
    good = sign(payload, key, t)
    add(f"v0-and-v1-{i}", "v0_only", payload, rng.choice([f"t={t},v1={good},v0={'0' * 64}", f"v0={'1' * 64},t={t},v1={good}"]), [key])
for i in range(4):
    key, payload, t = secret(), body(300), NOW - 5
    add(f"uppercase-hex-{i}", "tampered_signature", payload, f"t={t},v1={sign(payload, key, t).upper()}", [key])
    add(f"truncated-signature-{i}", "tampered_signature", payload, f"t={t},v1={sign(payload, key, t)[:-2]}", [key])
MALFORMED = ["", "garbage", "t=abc,v1={s}", "v1={s}", "t=,v1={s}", "t=12.5,v1={s}", "t", "t={t},v1", "x=1,y=2", ",,,", "t={t}", "t={t},v1="]
for i, template in enumerate(MALFORMED):
    key, payload, t = secret(), body(200), NOW - 5
    add(f"malformed-{i}", "malformed_header", payload, template.format(t=t, s=sign(payload, key, t)), [key])
add("missing-header", "malformed_header", body(200), None, [secret()])
for i, template in enumerate(["t={t}, v1={s}", " t={t} , v1={s} ", "t={t},\tv1={s}"]):
    # stripe-python does not trim items, so " v1" is not "v1" there; meterbridge tolerates the spaces.
    key, payload, t = secret(), body(200), NOW - 5
    add(f"spaces-{i}", "spaces", payload, template.format(t=t, s=sign(payload, key, t)), [key],
        deviation="spaces_tolerated", expected={"accepted": True, "error": None})
for i, template in enumerate(["v1={s},t={t}", "v0={z},v1={s},t={t}", "t={t},t={t2},v1={s}"]):
    key, payload, t = secret(), body(200), NOW - 5
    add(f"odd-order-{i}", "odd_order", payload, template.format(t=t, t2=t - 1000, s=sign(payload, key, t), z="0" * 64), [key])

json.dump({"generator": "scripts/gen_signature_vectors.py", "stripe_python": stripe.VERSION, "vectors": vectors},
          sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
