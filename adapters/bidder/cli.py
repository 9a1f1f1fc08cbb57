"""`ggzy-bid`: the bid-preparation command a bidder runs on its own machine."""

from __future__ import annotations

import os
from pathlib import Path

import click

from adapters.bidder.client import (
    BidderClient,
    generate_key,
    load_private_key,
    load_public_key,
    seal_file,
)
from core.sealing.envelope import Envelope


@click.group()
def main() -> None:
    """Seal and submit bids; the plaintext never leaves this machine."""


@main.command()
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
def keygen(key_file: Path) -> None:
    """Create the bidder's P-256 key (owner-only file; an existing file is never replaced)."""
    try:
        generate_key(key_file)
    except FileExistsError as err:
        raise click.ClickException(f"{key_file} exists; keys are never overwritten") from err
    click.echo(f"key written to {key_file}")


def _client(api: str) -> BidderClient:
    token = os.environ.get("GGZY_TOKEN")
    if not token:
        raise click.ClickException("set GGZY_TOKEN to your bearer token")
    return BidderClient(api, token)


@main.command()
@click.option("--api", default="http://127.0.0.1:8000/api/v1", show_default=True)
@click.option("--section", "section_code", required=True)
@click.option("--bidder-id", required=True, help="your 统一社会信用代码 (or ID number)")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.argument("bid_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def seal(api: str, section_code: str, bidder_id: str, key_file: Path, out_dir: Path,
         bid_file: Path) -> None:
    """Seal BID_FILE to the section's published opening key and your own key."""
    committee_key = load_public_key(_client(api).round(section_code)["committee_public_key_pem"])
    envelope = seal_file(bid_file, out_dir, section_code, bidder_id, load_private_key(key_file),
                         committee_key)
    click.echo(f"sealed: {envelope.ciphertext_sha256} ({envelope.ciphertext_size} bytes)")


@main.command()
@click.option("--api", default="http://127.0.0.1:8000/api/v1", show_default=True)
@click.option("--section", "section_code", required=True)
@click.option("--amend", is_flag=True, help="replace the bid already submitted")
@click.argument("sealed_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def submit(api: str, section_code: str, amend: bool, sealed_dir: Path) -> None:
    """Register if needed, upload the sealed bid, and check the signed receipt."""
    client = _client(api)
    client.register(section_code)
    answer = client.submit(section_code, sealed_dir, amend=amend)
    envelope = Envelope.from_json((sealed_dir / "envelope.json").read_bytes())
    fields = client.check_receipt(answer["receipt"], envelope)
    (sealed_dir / "receipt.json").write_text(answer["receipt"])
    click.echo(f"receipt {fields.receipt_id} at {fields.received_at.isoformat()} (verified)")


@main.command()
@click.option("--api", default="http://127.0.0.1:8000/api/v1", show_default=True)
@click.option("--section", "section_code", required=True)
def withdraw(api: str, section_code: str) -> None:
    """Withdraw your bid before the deadline."""
    _client(api).withdraw(section_code)
    click.echo("withdrawn")


@main.command("open")
@click.option("--api", default="http://127.0.0.1:8000/api/v1", show_default=True)
@click.option("--section", "section_code", required=True)
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
@click.argument("sealed_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def open_bid(api: str, section_code: str, key_file: Path, sealed_dir: Path) -> None:
    """At the opening: unwrap your bid's key here and hand it in within the window."""
    from adapters.bidder.client import hand_in, unwrap_dek

    answer = hand_in(_client(api), section_code, unwrap_dek(sealed_dir,
                                                           load_private_key(key_file)))
    click.echo(f"opened: price {answer['price']}")


@main.command("keyholder-share")
@click.option("--api", default="http://127.0.0.1:8000/api/v1", show_default=True)
@click.option("--section", "section_code", required=True)
@click.option("--keyholder", required=True, help="your name as listed in the committee")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
def keyholder_share(api: str, section_code: str, keyholder: str, key_file: Path) -> None:
    """For an opening keyholder: decrypt your share of the section's opening key on your own
    machine and print it (base64) for the keyholders' opening session."""
    import base64

    from adapters.bidder.client import committee_record
    from core.sealing.committee import decrypt_share

    committee = committee_record(_client(api), section_code)
    share = decrypt_share(committee, keyholder, load_private_key(key_file))
    click.echo(base64.b64encode(share.to_bytes()).decode())
