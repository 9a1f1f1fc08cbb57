"""Configuration from environment variables, with embedded defaults that run with nothing set.

With no variables at all the hub uses SQLite under ``var/`` and a sample platform identity,
which is what `make run` wants; production sets at least GGZY_DATABASE_URL, GGZY_PLATFORM_CODE
and GGZY_PLATFORM_USCC (see README, "Configuration").

The default ``var/`` is the checkout's own when the code runs from a checkout (an editable
install, `make run`), and the user's data folder otherwise — never the folder a command happens
to be started in, so `ggzy` run from elsewhere finds the same database (docs/cli.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from core.errors import DomainError
from core.platform import PlatformIdentity
from core.rules import deposit_limits
from core.rules.limits import OpenTenderThresholds

# The GB 32100 standard's own published example, used only as the embedded sample operator.
SAMPLE_PLATFORM_USCC = "91350100M000100Y43"
SAMPLE_PLATFORM_CODE = "E3501000001"  # E + 350100 (福州市) + 0001
# The provincial public service platform of the samples (E + 350000 福建省 + 0000) and its
# 18-character code; production sets the values its platform assigned.
SAMPLE_PUB_SERVICE_PLAT = "E3500000000"
SAMPLE_PUB_SERVICE_PLAT_CODE = "12350000MB0000000X"


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as err:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from err


def _file(env: dict[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).resolve() if raw else None


def _is_checkout(folder: Path) -> bool:
    project = folder / "pyproject.toml"
    try:
        return project.is_file() and 'name = "ggzy-hub"' in project.read_text(encoding="utf-8")
    except OSError:
        return False


def default_var_dir(env: dict[str, str]) -> Path:
    """``<checkout>/var`` when this code lives in a ggzy-hub checkout, else the XDG data folder
    (``$XDG_DATA_HOME/ggzy-hub``, by default ``~/.local/share/ggzy-hub``)."""
    checkout = Path(__file__).resolve().parents[1]
    if _is_checkout(checkout):
        return checkout / "var"
    data_home = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).resolve() / "ggzy-hub"


def _positive(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, got {value}")
    return value


def _token_hours(env: dict[str, str]) -> int:
    """A sign-in token's lifetime, within the bound every token has (core/security/tokens.py)."""
    value = _positive(env, "GGZY_TOKEN_TTL_HOURS", 12)
    if value > 720:
        raise SystemExit(f"GGZY_TOKEN_TTL_HOURS must be at most 720 (30 days), got {value}")
    return value


_MAX_YUAN = Decimal(10) ** 18  # what a Money column holds (20 digits, 2 of them decimals)


def _yuan(env: dict[str, str], name: str, default: Decimal) -> Decimal:
    """A positive amount in 元 with at most two decimals (分), as a Money column holds it."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation as err:
        raise SystemExit(f"{name} must be an amount in yuan, got {raw!r}") from err
    if not (value.is_finite() and 0 < value < _MAX_YUAN
            and int(value.as_tuple().exponent) >= -2):
        raise SystemExit(f"{name} must be a positive amount in yuan (at most 2 decimals), "
                         f"got {raw!r}")
    return value


def load_open_tender_thresholds(env: dict[str, str]) -> OpenTenderThresholds:
    """The 公开招标数额标准 of the centre's government (74号令 第七条 sizes 谈判/询价 小组 by it);
    the defaults are the central ones (core.rules.limits.OpenTenderThresholds)."""
    d = OpenTenderThresholds()
    return OpenTenderThresholds(
        goods_services=_yuan(env, "GGZY_OPEN_TENDER_THRESHOLD_GOODS_SERVICES", d.goods_services),
        works=_yuan(env, "GGZY_OPEN_TENDER_THRESHOLD_WORKS", d.works))


def _percent(env: dict[str, str], name: str, default: Decimal) -> Decimal:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return Decimal(raw.strip())
    except InvalidOperation as err:
        raise SystemExit(f"{name}: DEPOSIT_RATE_NOT_A_NUMBER: an annual rate in percent, "
                         f"got {raw!r}") from err


def load_deposit_rates(env: dict[str, str]) -> deposit_limits.DepositRates:
    """The centre's 银行同期存款利率 (条例 57) and 同期贷款基准利率 (87号令 38), annual, in
    percent; checked by :func:`core.rules.deposit_limits.deposit_rates`, whose code the refusal
    names; the defaults are the PBoC benchmarks (0.35 %, 4.35 %)."""
    d = deposit_limits.DEFAULT_RATES
    names = {"deposit_interest_rate_percent": "GGZY_DEPOSIT_INTEREST_RATE_PERCENT",
             "lending_rate_percent": "GGZY_LENDING_RATE_PERCENT"}
    try:
        return deposit_limits.deposit_rates(
            _percent(env, names["deposit_interest_rate_percent"], d.interest.annual_rate * 100),
            _percent(env, names["lending_rate_percent"], d.overdue_fee.lending_rate * 100))
    except DomainError as err:
        name = names.get(str(err.details.get("field")), "deposit rates")
        raise SystemExit(f"{name}: {err.code}: {err.message_en}") from err


def _choice(env: dict[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name) or allowed[0]
    if value not in allowed:
        raise SystemExit(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Limits:
    """Bounds on hostile input and on what concurrent requests may hold at once
    (docs/webservice.md, "Limits")."""

    xml_max_elements: int = 5000
    xml_max_depth: int = 32
    xml_max_attributes: int = 32
    xml_max_attribute_chars: int = 4096
    xml_max_text_chars: int = 256 * 1024
    ws_created_window_seconds: int = 300  # UsernameToken Created: at most this far off
    large_body_bytes: int = 64 * 1024  # a body above this takes a slot of the gate
    large_body_concurrency: int = 2  # large bodies parsed and handled at once, per process
    password_hash_concurrency: int = 2  # argon2 checks at once (64 MiB each), per process


_LIMIT_VARIABLES = {"xml_max_elements": "GGZY_XML_MAX_ELEMENTS",
                    "xml_max_depth": "GGZY_XML_MAX_DEPTH",
                    "xml_max_attributes": "GGZY_XML_MAX_ATTRIBUTES",
                    "xml_max_attribute_chars": "GGZY_XML_MAX_ATTRIBUTE_CHARS",
                    "xml_max_text_chars": "GGZY_XML_MAX_TEXT_CHARS",
                    "ws_created_window_seconds": "GGZY_WS_CREATED_WINDOW_SECONDS",
                    "large_body_bytes": "GGZY_LARGE_BODY_BYTES",
                    "large_body_concurrency": "GGZY_LARGE_BODY_CONCURRENCY",
                    "password_hash_concurrency": "GGZY_PASSWORD_HASH_CONCURRENCY"}


@dataclass(frozen=True)
class Centre:
    """Who runs the portal: its name, the text of its logo and its contacts (docs/portal.md).
    ``region`` is the 6-digit GB/T 2260 code whose cities the portal's region links list."""

    name: str = "公共资源交易中心"
    logo_text: str = "公共资源交易"
    phone: str = ""
    address: str = ""
    email: str = ""
    hours: str = ""
    region: str = "350000"


def load_centre(env: dict[str, str]) -> Centre:
    from core.codes.regions import is_region

    d = Centre()
    region = env.get("GGZY_CENTRE_REGION") or d.region
    if not is_region(region):
        raise SystemExit(f"GGZY_CENTRE_REGION must be a GB/T 2260 region code, got {region!r}")
    return Centre(name=env.get("GGZY_CENTRE_NAME") or d.name,
                  logo_text=env.get("GGZY_CENTRE_LOGO_TEXT") or d.logo_text,
                  phone=env.get("GGZY_CENTRE_PHONE", d.phone),
                  address=env.get("GGZY_CENTRE_ADDRESS", d.address),
                  email=env.get("GGZY_CENTRE_EMAIL", d.email),
                  hours=env.get("GGZY_CENTRE_HOURS", d.hours), region=region)


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    platform: PlatformIdentity
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1024 * 1024
    max_bid_bytes: int = 512 * 1024 * 1024
    max_document_bytes: int = 200 * 1024 * 1024  # a tender document or clarification upload
    token_ttl_hours: int = 12
    transport: str = "inprocess"  # inprocess (embedded) | celery (RabbitMQ)
    broker_url: str = "amqp://guest:guest@127.0.0.1:5672//"
    queue: str = "ggzy.deliveries"
    delivery_threads: int = 4  # in-process transport only
    run_engine: bool = True  # run relay + sweeper inside `ggzy serve`
    sandbox: bool = True  # mount the sandbox peers on the web server (embedded default only)
    # who receives our records: the public service platform's codes, and where our pages live
    pub_service_plat: str = "E3500000000"
    pub_service_plat_code: str = ""
    public_url: str = "http://127.0.0.1:8000"
    # the audit log's anchors outside the database (docs/audit.md)
    audit_key_file: Path | None = None  # default var/keys/audit-mac.key
    audit_checkpoint_file: Path | None = None  # default var/audit/checkpoints.log
    audit_checkpoint_every: int = 100  # entries
    audit_checkpoint_seconds: int = 60
    audit_witness: bool = False  # also emit each checkpoint as an audit.checkpoint event
    # refuse an event whose payload keys differ from core.event_payloads (on in the tests)
    strict_event_payloads: bool = False
    limits: Limits = field(default_factory=Limits)
    centre: Centre = field(default_factory=Centre)  # the portal's name and contacts
    # 公开招标数额标准 (74号令 7 sizes a 谈判/询价 小组 by it): the centre's government sets them
    open_tender_thresholds: OpenTenderThresholds = field(default_factory=OpenTenderThresholds)
    # the interest refunded with a deposit (条例 57) and the fee on a late one (87号令 38)
    deposit_rates: deposit_limits.DepositRates = deposit_limits.DEFAULT_RATES
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    given = env.get("GGZY_VAR_DIR")
    var_dir = Path(given).resolve() if given else default_var_dir(env)
    database_url = env.get("GGZY_DATABASE_URL") or f"sqlite:///{var_dir / 'ggzy.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    platform = PlatformIdentity(
        code=env.get("GGZY_PLATFORM_CODE", SAMPLE_PLATFORM_CODE),
        uscc=env.get("GGZY_PLATFORM_USCC", SAMPLE_PLATFORM_USCC),
    )
    return Settings(
        database_url=database_url,
        var_dir=var_dir,
        platform=platform,
        host=env.get("GGZY_HOST", "127.0.0.1"),
        port=_int(env, "GGZY_PORT", 8000),
        max_body_bytes=_int(env, "GGZY_MAX_BODY_BYTES", 1024 * 1024),
        max_bid_bytes=_int(env, "GGZY_MAX_BID_BYTES", 512 * 1024 * 1024),
        max_document_bytes=_int(env, "GGZY_MAX_DOCUMENT_BYTES", 200 * 1024 * 1024),
        token_ttl_hours=_token_hours(env),
        transport=_choice(env, "GGZY_TRANSPORT", ("inprocess", "celery")),
        broker_url=env.get("GGZY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
        queue=env.get("GGZY_QUEUE", "ggzy.deliveries"),
        delivery_threads=_int(env, "GGZY_DELIVERY_THREADS", 4),
        pub_service_plat=env.get("GGZY_PUB_SERVICE_PLAT", SAMPLE_PUB_SERVICE_PLAT),
        pub_service_plat_code=env.get("GGZY_PUB_SERVICE_PLAT_CODE",
                                      SAMPLE_PUB_SERVICE_PLAT_CODE),
        public_url=env.get("GGZY_PUBLIC_URL") or (
            f"http://{env.get('GGZY_HOST', '127.0.0.1')}:{_int(env, 'GGZY_PORT', 8000)}"),
        sandbox=_choice(env, "GGZY_SANDBOX", ("auto", "yes", "no")) == "yes" or (
            env.get("GGZY_SANDBOX", "auto") == "auto" and database_url.startswith("sqlite")),
        audit_key_file=_file(env, "GGZY_AUDIT_KEY_FILE"),
        audit_checkpoint_file=_file(env, "GGZY_AUDIT_CHECKPOINT_FILE"),
        audit_checkpoint_every=_positive(env, "GGZY_AUDIT_CHECKPOINT_EVERY", 100),
        audit_checkpoint_seconds=_positive(env, "GGZY_AUDIT_CHECKPOINT_SECONDS", 60),
        audit_witness=_choice(env, "GGZY_AUDIT_WITNESS", ("auto", "yes", "no")) == "yes" or (
            env.get("GGZY_AUDIT_WITNESS", "auto") == "auto"
            and not database_url.startswith("sqlite")),
        strict_event_payloads=_choice(env, "GGZY_STRICT_EVENT_PAYLOADS", ("no", "yes")) == "yes",
        run_engine=_choice(env, "GGZY_SERVE_ENGINE", ("auto", "yes", "no")) == "yes" or (
            env.get("GGZY_SERVE_ENGINE", "auto") == "auto"
            and env.get("GGZY_TRANSPORT", "inprocess") == "inprocess"),
        limits=load_limits(env),
        centre=load_centre(env),
        open_tender_thresholds=load_open_tender_thresholds(env),
        deposit_rates=load_deposit_rates(env),
    )


def load_limits(env: dict[str, str]) -> Limits:
    defaults = Limits()
    values = {}
    for name, variable in _LIMIT_VARIABLES.items():
        value = _int(env, variable, getattr(defaults, name))
        if value < 1:
            raise SystemExit(f"{variable} must be at least 1, got {value}")
        values[name] = value
    return Limits(**values)
