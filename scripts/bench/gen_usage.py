#!/usr/bin/env python3
"""Generate POST /v1/usage batch templates for scripts/usage-loadtest (driven by usage_wrk.lua).

Each template is one {"records":[...]} body of --batch records. Every record id is written as
"\\x01-NNNNN": usage_wrk.lua replaces each \\x01 (a byte JSON text never holds raw) with a token
unique to the request, so every request carries ids never sent before, however long the run.

Records look like a product server's batch: --customers customers, 80 % api_requests (sum,
quantity 1-100), 20 % storage_gb (last, quantity 0-5000). Timestamps: with --spread 0 (the default)
each is written as \\x02, which usage_wrk.lua replaces with the send time, as a product reporting
usage as it happens would send; with --spread S they are fixed, random in the S seconds before --now
(a backlog replayed out of order: the ledger's indexes then take inserts all over, not at their ends).

  gen_usage.py --out DIR [--templates 8] [--batch 10000] [--customers 1000] [--spread 0] [--now UNIX] [--seed 1]
"""
import argparse
import json
import os
import random
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="directory for template-N.json")
    parser.add_argument("--templates", type=int, default=8)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--spread", type=int, default=0, help="seconds of fixed random timestamps; 0: the send time")
    parser.add_argument("--now", type=int, default=int(time.time()))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    customers = [f"cus_lt{index:010d}" for index in range(args.customers)]
    os.makedirs(args.out, exist_ok=True)
    total = 0
    for template in range(args.templates):
        records = []
        for index in range(args.batch):
            if rng.random() < 0.8:
                metric, quantity = "api_requests", rng.randint(1, 100)
            else:
                metric, quantity = "storage_gb", rng.randint(0, 5000)
            record = {
                "customer": rng.choice(customers),
                "metric": metric,
                "quantity": quantity,
                "timestamp": args.now - rng.randint(0, args.spread) if args.spread > 0 else "@TIME@",
                "id": f"@TOKEN@-{index:05d}",
            }
            # json.dumps escapes control characters, so the raw \x01 goes in after it.
            text = json.dumps(record, separators=(",", ":")).replace("@TOKEN@", "\x01")
            records.append(text.replace('"@TIME@"', "\x02"))
        body = '{"records":[' + ",".join(records) + "]}"
        path = os.path.join(args.out, f"template-{template}.json")
        with open(path, "w", encoding="utf-8") as file:
            file.write(body)
        total += len(body.encode())
    print(f"templates={args.templates} batch={args.batch} customers={args.customers} spread={args.spread} "
          f"avg_body_bytes={total // args.templates}")


if __name__ == "__main__":
    main()
