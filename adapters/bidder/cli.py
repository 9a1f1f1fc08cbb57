"""`ggzy-bid`: the bid-preparation command a bidder runs on its own machine.

Opening keyholders use it too (``ggzy-bid keyholder …``): they make their own key pair here, and
at a fallback opening unwrap their share of each bid on their own machine.

It talks to the API named by ``GGZY_API`` (or ``--api``). Every failure is one line,
``error: CODE: message``, exit status 2: the server's problem code when the server refused, the
client's own code otherwise (docs/bid-package.md lists them). A bidder at a deadline needs the
reason, not a traceback.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec

from adapters.bidder.client import (
    ENVELOPE_FILE,
    PACKAGE_FILE,
    BidderClient,
    BidderError,
    RoundKeys,
    awaiting_keyholders,
    build_package_file,
    check_announced,
    check_package_file,
    committee_record,
    generate_key,
    generate_keyholder_key,
    hand_in,
    hand_in_shares,
    is_encrypted_key,
    load_private_key,
    load_schedule,
    round_keys,
    seal_file,
    unwrap_dek,
    unwrap_shares,
)
from core.errors import DomainError
from core.sealing.committee import decrypt_share
from core.sealing.envelope import Envelope
from core.sealing.package import BidPackage
from core.sealing.wrap import key_fingerprint

DEFAULT_API = "http://127.0.0.1:8000/api/v1"
F = TypeVar("F", bound=Callable[..., Any])


class OneLineErrors(click.Group):
    """Turns every failure into ``error: CODE: message`` and exit status 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            raise SystemExit(done.exit_code) from None
        except click.exceptions.Abort:
            _fail("ABORTED", "aborted")
        except click.UsageError as err:
            _fail("USAGE", err.format_message().replace("\n", " "))
        except click.ClickException as err:
            _fail("INVALID_INPUT", err.format_message())
        except BidderError as err:
            _fail(err.code, err.message)
        except DomainError as err:  # BID_PACKAGE_… and the sealing rules, checked here
            _fail(err.code, err.message_en)
        except (ValueError, UnsupportedAlgorithm) as err:
            _fail("KEY_INVALID", str(err))
        except OSError as err:
            _fail("FILE_ERROR", f"{err.strerror or err}: {err.filename or ''}".strip(": "))


def _fail(code: str, message: str) -> None:
    click.echo(f"error: {code}: {' '.join(message.split())}", err=True)
    raise SystemExit(2)


def api_option(f: F) -> F:
    return click.option("--api", envvar="GGZY_API", default=DEFAULT_API, show_default=True,
                        show_envvar=True, help="the hub's API base URL")(f)


@click.group(cls=OneLineErrors)
def main() -> None:
    """Build, seal and submit bid packages; the plaintext never leaves this machine."""


@main.command()
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
def keygen(key_file: Path) -> None:
    """Create the bidder's P-256 key (owner-only file; an existing file is never replaced)."""
    try:
        generate_key(key_file)
    except FileExistsError as err:
        raise BidderError("KEY_FILE_EXISTS",
                          f"{key_file} exists; keys are never overwritten") from err
    click.echo(f"key written to {key_file}")


def _client(api: str) -> BidderClient:
    token = os.environ.get("GGZY_TOKEN")
    if not token:
        raise BidderError("TOKEN_MISSING", "set GGZY_TOKEN to your bearer token")
    return BidderClient(api.rstrip("/"), token)


def schedule_options(f: F) -> F:
    """The 开标一览表 fields: the common ones by name, any other as --field key=value, or all
    of them from a JSON file (options given here override the file)."""
    for option in reversed([
        click.option("--price", help="投标报价, in 元 (decimal, e.g. 40100000.00)"),
        click.option("--duration-days", type=click.IntRange(0), help="工期 in days"),
        click.option("--quality", help="质量标准, e.g. 合格"),
        click.option("--field", "fields", multiple=True, metavar="KEY=VALUE",
                     help="another 开标一览表 item (repeatable)"),
        click.option("--schedule", "schedule_file",
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="the 开标一览表 as a JSON object"),
    ]):
        f = option(f)
    return f


def _schedule(price: str | None, duration_days: int | None, quality: str | None,
              fields: tuple[str, ...], schedule_file: Path | None) -> dict[str, Any]:
    schedule: dict[str, Any] = load_schedule(schedule_file) if schedule_file else {}
    for item in fields:
        key, sep, value = item.partition("=")
        if not sep:
            raise BidderError("BID_PACKAGE_SCHEDULE_INVALID", f"--field {item!r} is not KEY=VALUE")
        schedule[key.strip()] = value
    named: dict[str, str | int | None] = {"price": price, "duration_days": duration_days,
                                          "quality": quality}
    schedule.update({k: v for k, v in named.items() if v is not None})
    return schedule


def _describe(package: BidPackage) -> str:
    return (f"{len(package.files)} document(s), price {package.schedule.price} 元"
            + "".join(f", {k} {v}" for k, v in package.schedule.items.items()))


@main.command()
@click.option("--section", "section_code", required=True)
@click.option("--bidder-id", required=True, help="your 统一社会信用代码 (or ID number)")
@click.option("--out", "out_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="the package file to write")
@schedule_options
@click.argument("documents", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def package(section_code: str, bidder_id: str, out_file: Path, price: str | None,
            duration_days: int | None, quality: str | None, fields: tuple[str, ...],
            schedule_file: Path | None, documents: tuple[Path, ...]) -> None:
    """Build a bid package (docs/bid-package.md) from DOCUMENTS and the 开标一览表, checked."""
    built = build_package_file(out_file, section_code, bidder_id, documents,
                               _schedule(price, duration_days, quality, fields, schedule_file))
    click.echo(f"package {out_file}: {_describe(built)}")


def pin_option(f: F) -> F:
    f = click.option("--notice-id", "notice_id", type=int, default=None, metavar="ID",
                     help="the tender notice (as read on the portal or the designated media) "
                          "whose keyholder fingerprints the round's keys must match; default: "
                          "the one the round names")(f)
    return click.option("--keyholder-fingerprint", "pinned", multiple=True, metavar="HEX",
                        help="a keyholder key fingerprint from the tender documents "
                             "(repeatable): refuse to seal unless the round's are exactly these"
                        )(f)


def _check_notice(client: BidderClient, round_json: dict[str, Any], keys: RoundKeys,
                  section_code: str, notice_id: int | None, pinned: tuple[str, ...]) -> None:
    """The keys against the published tender notice (电子招标投标办法 28); a mismatch refuses.
    A notice that does not list the round refuses too, unless the fingerprints are pinned; no
    notice at all (an invited tender) leaves the pins, or the bidder's own comparison."""
    chosen = notice_id if notice_id is not None else round_json.get("tender_notice_id")
    if chosen is None:
        click.echo("no published tender notice names this round: compare the fingerprints "
                   "above with your invitation, or pin them with --keyholder-fingerprint")
        return
    round_no = int(round_json["round_no"])
    if check_announced(keys, client.notice(int(chosen)), section_code, round_no):
        click.echo(f"keyholder keys as published in tender notice {chosen}")
    elif not pinned:
        raise BidderError("KEYHOLDERS_NOT_PUBLISHED",
                          f"tender notice {chosen} does not list the keyholders of "
                          f"{section_code} round {round_no}: pin the fingerprints from the "
                          "tender documents with --keyholder-fingerprint")


def _seal(api: str, section_code: str, bidder_id: str, key_file: Path, out_dir: Path,
          package_file: Path, pinned: tuple[str, ...], notice_id: int | None = None
          ) -> Envelope:
    check_package_file(package_file, section_code, bidder_id)  # refused here, not at opening
    client = _client(api)
    round_json = client.round(section_code)
    keys = round_keys(round_json, pinned)
    for name, fingerprint in zip(keys.names, keys.fingerprints, strict=True):
        click.echo(f"keyholder {name}: {fingerprint}")
    _check_notice(client, round_json, keys, section_code, notice_id, pinned)
    click.echo(f"data key shared {keys.threshold} of {len(keys.keys)} to the keyholders above")
    return seal_file(package_file, out_dir, section_code, bidder_id, load_private_key(key_file),
                     keys.keys, keys.threshold)


@main.command()
@api_option
@click.option("--section", "section_code", required=True)
@click.option("--bidder-id", required=True, help="your 统一社会信用代码 (or ID number)")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@pin_option
@click.argument("package_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def seal(api: str, section_code: str, bidder_id: str, key_file: Path, out_dir: Path,
         pinned: tuple[str, ...], notice_id: int | None, package_file: Path) -> None:
    """Check PACKAGE_FILE, then seal it to your own key and, shared k of n, to the section's
    keyholders' keys."""
    envelope = _seal(api, section_code, bidder_id, key_file, out_dir, package_file, pinned,
                     notice_id)
    click.echo(f"sealed: {envelope.ciphertext_sha256} ({envelope.ciphertext_size} bytes)")


def _submit(client: BidderClient, section_code: str, sealed_dir: Path, amend: bool) -> str:
    client.register(section_code)
    answer = client.submit(section_code, sealed_dir, amend=amend)
    envelope = Envelope.from_json((sealed_dir / ENVELOPE_FILE).read_bytes())
    fields = client.check_receipt(answer["receipt"], envelope)
    (sealed_dir / "receipt.json").write_text(answer["receipt"])
    return f"receipt {fields.receipt_id} at {fields.received_at.isoformat()} (verified)"


@main.command()
@api_option
@click.option("--section", "section_code", required=True)
@click.option("--amend", is_flag=True, help="replace the bid already submitted")
@click.argument("sealed_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def submit(api: str, section_code: str, amend: bool, sealed_dir: Path) -> None:
    """Register if needed, upload the sealed bid, and check the signed receipt."""
    click.echo(_submit(_client(api), section_code, sealed_dir, amend))


@main.command()
@api_option
@click.option("--section", "section_code", required=True)
@click.option("--bidder-id", required=True, help="your 统一社会信用代码 (or ID number)")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="where the package, the sealed bid and the receipt are kept")
@click.option("--amend", is_flag=True, help="replace the bid already submitted")
@pin_option
@schedule_options
@click.argument("documents", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def bid(api: str, section_code: str, bidder_id: str, key_file: Path, out_dir: Path,
        amend: bool, pinned: tuple[str, ...], notice_id: int | None, price: str | None,
        duration_days: int | None,
        quality: str | None, fields: tuple[str, ...], schedule_file: Path | None,
        documents: tuple[Path, ...]) -> None:
    """All in one: build the package from DOCUMENTS and the 开标一览表, check it, seal it and
    submit it."""
    client = _client(api)
    out_dir.mkdir(parents=True, exist_ok=True)
    package_file = out_dir / PACKAGE_FILE
    built = build_package_file(package_file, section_code, bidder_id, documents,
                               _schedule(price, duration_days, quality, fields, schedule_file))
    click.echo(f"package {package_file}: {_describe(built)}")
    envelope = _seal(api, section_code, bidder_id, key_file, out_dir, package_file, pinned,
                     notice_id)
    click.echo(f"sealed: {envelope.ciphertext_sha256} ({envelope.ciphertext_size} bytes)")
    click.echo(_submit(client, section_code, out_dir, amend))


@main.command()
@api_option
@click.option("--section", "section_code", required=True)
def withdraw(api: str, section_code: str) -> None:
    """Withdraw your bid before the deadline."""
    _client(api).withdraw(section_code)
    click.echo("withdrawn")


@main.command("open")
@api_option
@click.option("--section", "section_code", required=True)
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
@click.argument("sealed_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def open_bid(api: str, section_code: str, key_file: Path, sealed_dir: Path) -> None:
    """At the opening: unwrap your bid's key here and hand it in within the window."""
    answer = hand_in(_client(api), section_code, unwrap_dek(sealed_dir,
                                                           load_private_key(key_file)))
    if answer.get("failure_code"):
        raise BidderError(str(answer["failure_code"]), "the bid opened but could not be read")
    declared = json.dumps(answer.get("declared") or {}, ensure_ascii=False)
    click.echo(f"opened: price {Decimal(str(answer['price']))} {declared}")


@main.group()
def keyholder() -> None:
    """For an opening keyholder: your own key pair, and your share of a bid at a fallback
    opening. Your private key never leaves this machine; the centre gets the public key only."""


def passphrase_option(f: F) -> F:
    return click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False,
                                                             path_type=Path),
                        help="read the key's passphrase from this file (first line) instead "
                             "of GGZY_KEY_PASSPHRASE or a prompt")(f)


def _passphrase(passphrase_file: Path | None, confirm: bool) -> bytes:
    if passphrase_file is not None:
        return passphrase_file.read_text(encoding="utf-8").splitlines()[0].encode()
    if os.environ.get("GGZY_KEY_PASSPHRASE"):
        return os.environ["GGZY_KEY_PASSPHRASE"].encode()
    return str(click.prompt("passphrase for the private key", hide_input=True,
                            confirmation_prompt=confirm, err=True)).encode()


def _keyholder_key(key_file: Path, passphrase_file: Path | None) -> ec.EllipticCurvePrivateKey:
    passphrase = _passphrase(passphrase_file, False) if is_encrypted_key(key_file) else None
    return load_private_key(key_file, passphrase)


@keyholder.command("keygen")
@click.option("--key", "key_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="the private key file to write (PKCS#8, encrypted, owner-only)")
@click.option("--public", "public_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="the public key file to write (PEM): give this to the centre")
@passphrase_option
def keyholder_keygen(key_file: Path, public_file: Path, passphrase_file: Path | None) -> None:
    """Make your P-256 key pair here; the private key is encrypted with a passphrase (at least
    12 characters) and neither file is ever overwritten."""
    try:
        public = generate_keyholder_key(key_file, public_file,
                                        _passphrase(passphrase_file, True))
    except FileExistsError as err:
        raise BidderError("KEY_FILE_EXISTS",
                          f"{err.filename or err}: exists; keys are never overwritten") from err
    click.echo(f"private key (encrypted) written to {key_file}")
    click.echo(f"public key written to {public_file}; fingerprint "
               f"{key_fingerprint(public).hex()}")


@keyholder.command("unwrap-share")
@api_option
@click.option("--section", "section_code", help="fetch the bids awaiting the keyholders")
@click.option("--bid", "bid_ids", type=int, multiple=True, help="only this bid (repeatable)")
@click.option("--envelope", "envelope_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="offline: one bid's envelope.json instead of fetching")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
@passphrase_option
def keyholder_unwrap_share(api: str, section_code: str | None, bid_ids: tuple[int, ...],
                           envelope_file: Path | None, key_file: Path,
                           passphrase_file: Path | None) -> None:
    """At a fallback opening, after the bidders' window: unwrap, on this machine, your share of
    each bid awaiting the keyholders and print one line per bid, `BID_ID SHARE` (base64), for
    the keyholders' opening session. Each share is checked against its bid's envelope."""
    if (section_code is None) == (envelope_file is None):
        raise click.UsageError("give either --section or --envelope")
    key = _keyholder_key(key_file, passphrase_file)
    if envelope_file is not None:
        envelopes: list[tuple[int | None, Envelope]] = [
            (None, Envelope.from_json(envelope_file.read_bytes()))]
    else:
        assert section_code is not None
        envelopes = [(int(item["bid_id"]), Envelope.from_json(json.dumps(item["envelope"])))
                     for item in awaiting_keyholders(_client(api), section_code)
                     if not bid_ids or int(item["bid_id"]) in bid_ids]
    if not envelopes:
        raise BidderError("NO_BIDS_AWAITING", "no bid awaits the keyholders")
    for share in unwrap_shares(envelopes, key):
        click.echo(f"{'-' if share.bid_id is None else share.bid_id} {share.share}")


@keyholder.command("hand-in")
@api_option
@click.option("--section", "section_code", required=True)
@click.option("--file", "share_file", type=click.Path(exists=True, dir_okay=False,
                                                      path_type=Path),
              help="the keyholders' `BID_ID SHARE` lines, collected")
@click.argument("shares", nargs=-1)
def keyholder_hand_in(api: str, section_code: str, share_file: Path | None,
                      shares: tuple[str, ...]) -> None:
    """The keyholders' opening session (a centre staff token): hand in k shares per bid; the
    hub combines them, after the window, and opens those bids."""
    given = list(shares)
    if share_file is not None:
        given += [line.split()[-1] for line in share_file.read_text().splitlines()
                  if line.strip()]
    if not given:
        raise click.UsageError("no share given")
    for opened in hand_in_shares(_client(api), section_code, given):
        price = "-" if opened.get("price") is None else Decimal(str(opened["price"]))
        click.echo(f"bid {opened['bid_id']}: {opened['outcome']} price {price}"
                   + (f" ({opened['failure_code']})" if opened.get("failure_code") else ""))


@main.command("keyholder-share")
@api_option
@click.option("--section", "section_code", required=True)
@click.option("--keyholder", required=True, help="your name as listed in the committee")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
@passphrase_option
def keyholder_share(api: str, section_code: str, keyholder: str, key_file: Path,
                    passphrase_file: Path | None) -> None:
    """Legacy rounds only (configured before envelope version 2, with a platform-made committee
    key): decrypt your share of that key on your own machine and print it (base64)."""
    committee = committee_record(_client(api), section_code)
    share = decrypt_share(committee, keyholder, _keyholder_key(key_file, passphrase_file))
    click.echo(base64.b64encode(share.to_bytes()).decode())
