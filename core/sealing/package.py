"""The bid package: what a bidder seals, and what the opening reads out of it.

A bid is its documents in whatever format the tender documents ask for (PDF, OFD, DOCX,
drawings …) plus the 开标一览表, the few structured items read out in public at the opening
(price, duration, quality …). The documents go to the evaluation committee as they are; only the
开标一览表 is read by the platform, so it is a separate, small JSON file and never guessed from a
document. The package is a ZIP (docs/bid-package.md):

* ``manifest.json`` — ``{"format": "ggzy.bid-package.v1", "section_code", "bidder_id",
  "opening_schedule": {"name", "size", "sha256"}, "files": [{"name", "size", "sha256"}]}``;
* ``opening_schedule.json`` — the 开标一览表: ``price`` (元, a decimal string) and further items,
  each a string or an integer;
* ``documents/…`` — the bid documents, each listed in the manifest exactly once.

Why a manifest with digests inside a sealed ZIP: the seal already proves the whole package is the
bidder's and unchanged, but the manifest lets the bidder check what it seals before sealing it
(``ggzy-bid`` validates with the same function as the opening), names each document's digest in
the opening's audit, and makes a ZIP that was put together by hand and lost or added a file fail
with a clear code instead of being evaluated incomplete.

Reading is defensive, as for any input the platform did not write: entries are streamed through
SHA-256 with their real size bounded by the manifest (no ZIP bomb), names must be plain relative
UTF-8 paths under ``documents/``, nothing unlisted, nothing encrypted, only stored or deflated.
Every refusal is a :class:`BidPackageError` with a ``BID_PACKAGE_…`` code.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from core.errors import DomainError

FORMAT = "ggzy.bid-package.v1"
MANIFEST = "manifest.json"
SCHEDULE = "opening_schedule.json"
DOCUMENTS = "documents/"
MAGIC = b"PK\x03\x04"
MAX_FILES = 1000
MAX_JSON_BYTES = 256 * 1024  # manifest and 开标一览表: small by nature
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_NAME_BYTES = 255
MAX_ITEMS = 50
MAX_PRICE = Decimal(10) ** 18  # Numeric(20, 2), the money column
MAX_ITEM_CHARS = 500
BLOCK = 1 << 20
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\\:*?\"<>|]")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class BidPackageError(DomainError):
    def __init__(self, code: str, zh: str, en: str, **details: Any) -> None:
        super().__init__(f"BID_PACKAGE_{code}", zh, en, **details)


@dataclass(frozen=True)
class PackageFile:
    name: str
    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class OpeningSchedule:
    """开标一览表: the price in 元 and the other items read out, in the bidder's order."""

    price: Decimal
    items: dict[str, str | int]

    def as_json(self) -> dict[str, Any]:
        return {"price": str(self.price), **self.items}


@dataclass(frozen=True)
class BidPackage:
    section_code: str
    bidder_id: str
    schedule: OpeningSchedule
    files: tuple[PackageFile, ...]


def is_package(head: bytes) -> bool:
    """A ZIP local header: what the opening takes for a package (anything else is the legacy
    JSON bid, kept for the bids sealed before packages existed)."""
    return head.startswith(MAGIC)


def parse_schedule(doc: object) -> OpeningSchedule:
    """The 开标一览表 from its JSON object. The price is a decimal string (or an integer) in
    元; a JSON float is refused, because it is already rounded by whoever wrote it."""
    if not isinstance(doc, dict):
        raise _schedule("开标一览表须为 JSON 对象", "the opening schedule must be a JSON object")
    raw = doc.get("price")
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _schedule("开标一览表须有投标报价 price（元，十进制字符串）",
                        "the opening schedule needs a price (yuan, as a decimal string)")
    try:
        price = Decimal(str(raw).strip())
    except InvalidOperation:
        price = Decimal("NaN")
    exponent = price.as_tuple().exponent
    if (not price.is_finite() or price < 0 or price >= MAX_PRICE
            or not isinstance(exponent, int) or exponent < -2):
        raise _schedule(f"投标报价无效（元，至多两位小数）：{str(raw)[:40]}",
                        f"the price is not valid (yuan, at most 2 decimals): {str(raw)[:40]}")
    items: dict[str, str | int] = {}
    for key, value in doc.items():
        if key == "price":
            continue
        if not isinstance(key, str) or not _KEY.match(key):
            raise _schedule(f"开标一览表的项目名无效：{str(key)[:40]}",
                            f"not a valid item name: {str(key)[:40]} (a-z, 0-9, _)")
        if isinstance(value, bool) or not isinstance(value, str | int) or (
                isinstance(value, str) and len(value) > MAX_ITEM_CHARS):
            raise _schedule(f"开标一览表的项目 {key} 须为字符串或整数（至多 {MAX_ITEM_CHARS} 字）",
                            f"item {key} must be a string or an integer "
                            f"(at most {MAX_ITEM_CHARS} characters)")
        items[key] = value
    if len(items) > MAX_ITEMS:
        raise _schedule(f"开标一览表至多 {MAX_ITEMS} 项", f"at most {MAX_ITEMS} items")
    return OpeningSchedule(price=price, items=items)


def document_name(name: str) -> str:
    """A document's name in the package: its file name under ``documents/``, checked."""
    full = name if name.startswith(DOCUMENTS) else DOCUMENTS + name
    _check_name(full)
    return full


def build_package(dst: IO[bytes], section_code: str, bidder_id: str,
                  documents: Iterable[tuple[str, IO[bytes]]],
                  schedule: Mapping[str, Any]) -> BidPackage:
    """Write a package to ``dst`` from (name, stream) pairs and the 开标一览表 fields; each
    document is hashed as it is copied, so memory stays flat."""
    parsed = parse_schedule(dict(schedule))
    schedule_bytes = json.dumps(parsed.as_json(), ensure_ascii=False, indent=2).encode()
    files: list[PackageFile] = []
    # Documents are stored, not deflated: PDF, OFD, DOCX and images are compressed already, and
    # deflating them again made building a package ~35 times slower than hashing it
    # (tests/bench/bench_bid_package.py) for no gain; the small JSON entries are deflated.
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_STORED) as z:
        for name, stream in documents:
            full = document_name(name)
            if any(f.name == full for f in files):
                raise BidPackageError("DUPLICATE_NAME", f"文件名重复：{full}",
                                      f"two documents are named {full}")
            digest, size = hashlib.sha256(), 0
            with z.open(full, "w", force_zip64=True) as out:
                while block := stream.read(BLOCK):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
            files.append(PackageFile(full, size, digest.hexdigest()))
        if not files:
            raise BidPackageError("NO_DOCUMENTS", "投标文件包中没有投标文件",
                                  "the package holds no bid document")
        z.writestr(SCHEDULE, schedule_bytes, compress_type=zipfile.ZIP_DEFLATED)
        manifest = {"format": FORMAT, "section_code": section_code, "bidder_id": bidder_id,
                    "opening_schedule": PackageFile(SCHEDULE, len(schedule_bytes),
                                                    hashlib.sha256(schedule_bytes).hexdigest()
                                                    ).as_json(),
                    "files": [f.as_json() for f in files]}
        z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2),
                   compress_type=zipfile.ZIP_DEFLATED)
    return BidPackage(section_code, bidder_id, parsed, tuple(files))


def read_package(src: IO[bytes], section_code: str | None = None,
                 bidder_id: str | None = None) -> BidPackage:
    """Check a whole package (every digest, every size) and return what it declares; the
    opening and ``ggzy-bid`` both call this, so a package the bidder's side accepts opens."""
    try:
        z = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise BidPackageError("NOT_ZIP", "投标文件包不是有效的 ZIP 文件",
                              "the bid package is not a valid ZIP file") from err
    with z:
        entries = _entries(z)
        manifest = _json_entry(z, entries, MANIFEST)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BidPackageError("MANIFEST_INVALID", f"manifest.json 须声明 format {FORMAT}",
                                  f"manifest.json must declare format {FORMAT}")
        for key, expected in (("section_code", section_code), ("bidder_id", bidder_id)):
            if not isinstance(manifest.get(key), str):
                raise BidPackageError("MANIFEST_INVALID", f"manifest.json 缺少 {key}",
                                      f"manifest.json has no {key}")
            if expected is not None and manifest[key] != expected:
                raise BidPackageError("WRONG_" + key.split("_")[0].upper(),
                                      f"投标文件包属于 {manifest[key][:40]}，不是 {expected}",
                                      f"the package names {manifest[key][:40]}, not {expected}")
        listed = _listed(manifest)
        schedule_entry = _listed_one(manifest.get("opening_schedule"))
        if schedule_entry.name != SCHEDULE:
            raise BidPackageError("MANIFEST_INVALID", f"开标一览表须为 {SCHEDULE}",
                                  f"the opening schedule must be {SCHEDULE}")
        unlisted = set(entries) - {MANIFEST, SCHEDULE} - {f.name for f in listed}
        if unlisted:
            name = sorted(unlisted)[0]
            raise BidPackageError("FILE_UNLISTED", f"文件未列入 manifest.json：{name[:100]}",
                                  f"a file is not listed in manifest.json: {name[:100]}")
        total = 0
        for f in (schedule_entry, *listed):
            if f.name not in entries:
                raise BidPackageError("FILE_MISSING", f"manifest.json 列出的文件缺失：{f.name}",
                                      f"a file listed in manifest.json is missing: {f.name}")
            total += f.size
            if total > MAX_TOTAL_BYTES:
                raise BidPackageError("TOO_LARGE", "投标文件包过大", "the bid package is too large")
            _check_digest(z, entries[f.name], f)
        schedule = parse_schedule(_json_entry(z, entries, SCHEDULE))
        return BidPackage(manifest["section_code"], manifest["bidder_id"], schedule,
                          tuple(listed))


def _schedule(zh: str, en: str) -> BidPackageError:
    return BidPackageError("SCHEDULE_INVALID", zh, en, field="opening_schedule")


def _check_name(name: str) -> None:
    parts = name.split("/")
    if (len(name.encode()) > MAX_NAME_BYTES or _BAD_NAME.search(name) or name.startswith("/")
            or any(p in ("", ".", "..") for p in parts) or len(parts) < 2
            or parts[0] + "/" != DOCUMENTS):
        raise BidPackageError("NAME_INVALID", f"文件名无效：{name[:100]!r}",
                              f"not a valid document name: {name[:100]!r} (documents/<name>, "
                              "no '..', no control characters, at most 255 bytes)")


def _entries(z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = z.infolist()
    if len(infos) > MAX_FILES + 2:
        raise BidPackageError("TOO_MANY_FILES", f"投标文件包至多 {MAX_FILES} 个文件",
                              f"a bid package holds at most {MAX_FILES} files")
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if info.flag_bits & 0x1:
            raise BidPackageError("ENCRYPTED", "投标文件包内的文件不得另行加密（整包已密封）",
                                  "files in the package must not be encrypted (the package "
                                  "is sealed as a whole)")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BidPackageError("COMPRESSION_UNSUPPORTED", "仅支持存储或 deflate 压缩",
                                  "only stored or deflated entries are supported")
        if info.filename in entries:
            raise BidPackageError("DUPLICATE_NAME", f"文件名重复：{info.filename[:100]}",
                                  f"two entries are named {info.filename[:100]}")
        if info.filename not in (MANIFEST, SCHEDULE):
            _check_name(info.filename)
        entries[info.filename] = info
    return entries


def _json_entry(z: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str) -> Any:
    info = entries.get(name)
    if info is None:
        code = "NO_MANIFEST" if name == MANIFEST else "NO_SCHEDULE"
        raise BidPackageError(code, f"投标文件包缺少 {name}", f"the package has no {name}")
    with z.open(info) as f:
        raw = f.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise BidPackageError("MANIFEST_INVALID", f"{name} 过大", f"{name} is too large")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        code = "MANIFEST_INVALID" if name == MANIFEST else "SCHEDULE_INVALID"
        raise BidPackageError(code, f"{name} 不是 UTF-8 JSON", f"{name} is not UTF-8 JSON"
                              ) from err


def _listed_one(item: object) -> PackageFile:
    if (not isinstance(item, dict) or not isinstance(item.get("name"), str)
            or isinstance(item.get("size"), bool) or not isinstance(item.get("size"), int)
            or item["size"] < 0 or not isinstance(item.get("sha256"), str)
            or not _HEX64.match(item["sha256"])):
        raise BidPackageError("MANIFEST_INVALID", "manifest.json 的文件条目须有 name、size、sha256",
                              "each manifest entry needs name, size and sha256 (lowercase hex)")
    return PackageFile(item["name"], item["size"], item["sha256"])


def _listed(manifest: dict[str, Any]) -> list[PackageFile]:
    files = manifest.get("files")
    if not isinstance(files, list) or not files:
        raise BidPackageError("NO_DOCUMENTS", "manifest.json 未列出任何投标文件",
                              "manifest.json lists no bid document")
    if len(files) > MAX_FILES:
        raise BidPackageError("TOO_MANY_FILES", f"投标文件包至多 {MAX_FILES} 个文件",
                              f"a bid package holds at most {MAX_FILES} files")
    listed = [_listed_one(f) for f in files]
    names = [f.name for f in listed]
    for name in names:
        _check_name(name)
    if len(set(names)) != len(names):
        raise BidPackageError("DUPLICATE_NAME", "manifest.json 中文件名重复",
                              "manifest.json lists a name twice")
    return listed


def _check_digest(z: zipfile.ZipFile, info: zipfile.ZipInfo, f: PackageFile) -> None:
    """Stream the entry through SHA-256, never reading more than the manifest's size + 1."""
    digest, size = hashlib.sha256(), 0
    try:
        with z.open(info) as stream:
            while block := stream.read(min(BLOCK, f.size - size + 1)):
                size += len(block)
                if size > f.size:
                    break
                digest.update(block)
    except (zipfile.BadZipFile, OSError, EOFError) as err:  # CRC errors are BadZipFile
        raise BidPackageError("CORRUPT", f"文件已损坏：{f.name}", f"{f.name} is damaged") from err
    if size != f.size or digest.hexdigest() != f.sha256:
        raise BidPackageError("HASH_MISMATCH", f"文件与 manifest.json 不符：{f.name}",
                              f"{f.name} does not match its size and SHA-256 in manifest.json",
                              file=f.name)
