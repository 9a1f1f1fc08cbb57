"""`ggzy-bid`: the bid-preparation command a bidder runs on its own machine.

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

from adapters.bidder.client import (
    ENVELOPE_FILE,
    PACKAGE_FILE,
    BidderClient,
    BidderError,
    build_package_file,
    check_package_file,
    committee_record,
    generate_key,
    hand_in,
    load_private_key,
    load_public_key,
    load_schedule,
    seal_file,
    unwrap_dek,
)
from core.errors import DomainError
from core.sealing.committee import decrypt_share
from core.sealing.envelope import Envelope
from core.sealing.package import BidPackage

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


def _seal(api: str, section_code: str, bidder_id: str, key_file: Path, out_dir: Path,
          package_file: Path) -> Envelope:
    check_package_file(package_file, section_code, bidder_id)  # refused here, not at opening
    committee_key = load_public_key(_client(api).round(section_code)["committee_public_key_pem"])
    return seal_file(package_file, out_dir, section_code, bidder_id, load_private_key(key_file),
                     committee_key)


@main.command()
@api_option
@click.option("--section", "section_code", required=True)
@click.option("--bidder-id", required=True, help="your 统一社会信用代码 (or ID number)")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.argument("package_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def seal(api: str, section_code: str, bidder_id: str, key_file: Path, out_dir: Path,
         package_file: Path) -> None:
    """Check PACKAGE_FILE, then seal it to the section's opening key and your own key."""
    envelope = _seal(api, section_code, bidder_id, key_file, out_dir, package_file)
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
@schedule_options
@click.argument("documents", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def bid(api: str, section_code: str, bidder_id: str, key_file: Path, out_dir: Path,
        amend: bool, price: str | None, duration_days: int | None, quality: str | None,
        fields: tuple[str, ...], schedule_file: Path | None, documents: tuple[Path, ...]) -> None:
    """All in one: build the package from DOCUMENTS and the 开标一览表, check it, seal it and
    submit it."""
    client = _client(api)
    out_dir.mkdir(parents=True, exist_ok=True)
    package_file = out_dir / PACKAGE_FILE
    built = build_package_file(package_file, section_code, bidder_id, documents,
                               _schedule(price, duration_days, quality, fields, schedule_file))
    click.echo(f"package {package_file}: {_describe(built)}")
    envelope = _seal(api, section_code, bidder_id, key_file, out_dir, package_file)
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


@main.command("keyholder-share")
@api_option
@click.option("--section", "section_code", required=True)
@click.option("--keyholder", required=True, help="your name as listed in the committee")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, path_type=Path))
def keyholder_share(api: str, section_code: str, keyholder: str, key_file: Path) -> None:
    """For an opening keyholder: decrypt your share of the section's opening key on your own
    machine and print it (base64) for the keyholders' opening session."""
    committee = committee_record(_client(api), section_code)
    share = decrypt_share(committee, keyholder, load_private_key(key_file))
    click.echo(base64.b64encode(share.to_bytes()).decode())
