"""Django settings for Chính quyền số.

Everything that differs between installations is read from the environment through the typed
helpers in :mod:`chinhquyenso.env`; ``chinhquyenso settings-help`` lists every variable.
"""

from __future__ import annotations

import importlib.util
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from chinhquyenso.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(
    env_str(
        "CQS_VAR_DIR", str(BASE_DIR / "var"), help_text="Folder for the SQLite file, uploads, keys."
    )
)
VAR_DIR.mkdir(parents=True, exist_ok=True)
TESTING = "pytest" in sys.modules or env_bool(
    "CQS_TESTING", False, help_text="Set by the test runner."
)


def _secret_key() -> str:
    """SECRET_KEY from the environment, or one generated once and kept under var/."""
    configured = env_str(
        "SECRET_KEY", "", help_text="Django secret key; generated into var/ if unset."
    )
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False, help_text="Django debug mode; never on in production.")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"], help_text="Comma-separated host names."
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", [], help_text="Comma-separated origins (https://…) behind a proxy."
)
SECURE_COOKIES = env_bool("SECURE_COOKIES", False, help_text="Send cookies over HTTPS only.")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_tasks",
    "django_tasks_db",
    "treebeard",
    "ninja",  # serves the API docs page (Swagger UI) from its own static files, no CDN
    "chinhquyenso.core",
    "chinhquyenso.units",
    "chinhquyenso.accounts",
    "chinhquyenso.api",
    "chinhquyenso.portal",
    "chinhquyenso.feedback",
    "chinhquyenso.procedures",
    "chinhquyenso.dossiers",
    "chinhquyenso.payments",
    "chinhquyenso.signing",
    "chinhquyenso.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chinhquyenso.portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "chinhquyenso.core.middleware.NfcInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user is known: the not-found page it may answer shows who is signed in.
    "chinhquyenso.core.middleware.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chinhquyenso.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "chinhquyenso.urls"
WSGI_APPLICATION = "chinhquyenso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chinhquyenso" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chinhquyenso.portal.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = env_str(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'chinhquyenso.sqlite3'}",
    help_text="Database URL; SQLite under var/ by default, postgres://… for PostgreSQL.",
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["chinhquyenso.accounts.backends.EmailOrPhoneBackend"]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:workspace"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "chinhquyenso" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
FORMAT_MODULE_PATH = ["chinhquyenso.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Leaflet's JS/CSS/images as shipped by the pinned django-leaflet package (static/leaflet/…), for
# the feedback map pin and map. Only its files are used: as an installed app its admin module
# would need GeoDjango (GDAL).
_LEAFLET = importlib.util.find_spec("leaflet")
if _LEAFLET is None or not _LEAFLET.submodule_search_locations:
    raise ImproperlyConfigured("django-leaflet is missing: pip install -r requirements.txt")
STATICFILES_DIRS = [Path(_LEAFLET.submodule_search_locations[0]) / "static"]
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up about a missing folder
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


def _cache_from_url(url: str) -> dict[str, object]:
    """Django's cache settings for *url* (see ``CACHE_URL``)."""
    scheme, _sep, rest = url.partition("://")
    if scheme in ("redis", "rediss"):
        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured("CACHE_URL is a Redis URL: pip install -r requirements.txt")
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "file":
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": rest or str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest or "cqs_cache",
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL={url!r}: expected redis://…, rediss://…, file:///folder, db://table or "
        "locmem://."
    )


# The cache every server process shares: the anonymous-report limit counts in it, the feedback
# submit path and the working calendar check in it whether their per-process copies are current.
CACHE_URL = env_str(
    "CACHE_URL",
    "",
    help_text=(
        "Cache shared by the server processes: redis://host:6379/0 (Redis), file:///folder, "
        "db://table (after `chinhquyenso createcachetable`), locmem:// (one process only: "
        "limits and edits are then not shared); empty: REDIS_URL if set, else a file cache "
        "under CQS_VAR_DIR/cache."
    ),
)
REDIS_URL = env_str(
    "REDIS_URL", "", help_text="Redis server for the shared cache when CACHE_URL is empty."
)
CACHES = {"default": _cache_from_url(CACHE_URL or REDIS_URL or "file://")}

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    help_text="Django e-mail backend; django.core.mail.backends.smtp.EmailBackend for SMTP.",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost", help_text="SMTP host.")
EMAIL_PORT = env_int("EMAIL_PORT", 25, help_text="SMTP port.")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "", help_text="SMTP user.")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "", help_text="SMTP password.")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False, help_text="Use STARTTLS for SMTP.")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "no-reply@localhost", help_text="Sender address of outgoing mail."
)

# The province this installation serves (its code in the official unit list).
PROVINCE_CODE = env_str("PROVINCE_CODE", "40", help_text="Official code of the province served.")
SITE_NAME = env_str(
    "SITE_NAME", "Cổng Chính quyền số", help_text="Name of the portal shown in page headers."
)
SITE_URL = env_str(
    "SITE_URL",
    "http://localhost:8000",
    help_text="Public address of the portal, for links in e-mails (no trailing slash).",
)

# Working calendar (Civil Code 2015 Art. 147-148; counter hours from the one-stop rules).
WORKING_HOURS = env_str(
    "WORKING_HOURS",
    "07:00-11:30,13:30-17:00",
    help_text="Daily counter/working periods, comma-separated HH:MM-HH:MM.",
)
WORKING_WEEKDAYS = env_str(
    "WORKING_WEEKDAYS", "0,1,2,3,4", help_text="Working weekdays, 0 = Monday … 6 = Sunday."
)

# Citizen feedback. Defaults follow common provincial rules; each is a setting so a province can
# apply its own regulation (quy chế tiếp nhận, xử lý phản ánh kiến nghị).
FEEDBACK_SCREENING = env_str(
    "FEEDBACK_SCREENING",
    "commune",
    help_text="Who screens new reports: 'commune' (where it happened) or 'operations_centre'.",
)
FEEDBACK_ACCEPT_HOURS = env_int(
    "FEEDBACK_ACCEPT_HOURS", 8, help_text="Working hours to accept or refuse a new report."
)
FEEDBACK_URGENT_HOURS = env_int(
    "FEEDBACK_URGENT_HOURS", 4, help_text="Working hours to answer an urgent report."
)
FEEDBACK_NORMAL_DAYS = env_int(
    "FEEDBACK_NORMAL_DAYS", 10, help_text="Working days to answer a normal report."
)
FEEDBACK_COMPLEX_DAYS = env_int(
    "FEEDBACK_COMPLEX_DAYS", 20, help_text="Working days to answer a complex report."
)
FEEDBACK_APPROVAL_REQUIRED = env_bool(
    "FEEDBACK_APPROVAL_REQUIRED", True, help_text="Answers need the unit leader's approval."
)
FEEDBACK_RATING_DAYS = env_int(
    "FEEDBACK_RATING_DAYS", 14, help_text="Days after the answer during which reporters rate it."
)
FEEDBACK_MAX_REOPENS = env_int(
    "FEEDBACK_MAX_REOPENS", 2, help_text="How many times a report may be reopened."
)
FEEDBACK_MAX_FILES = env_int("FEEDBACK_MAX_FILES", 5, help_text="Files per report.")
FEEDBACK_MAX_FILE_MB = env_int("FEEDBACK_MAX_FILE_MB", 10, help_text="Size limit per file, MB.")

# Online services and the one-stop shop.
DOSSIER_MAX_FILE_MB = env_int(
    "DOSSIER_MAX_FILE_MB", 10, help_text="Size limit per dossier file (PDF, JPEG, PNG), MB."
)
FEEDBACK_ANONYMOUS_PER_HOUR = env_int(
    "FEEDBACK_ANONYMOUS_PER_HOUR",
    10,
    help_text="Reports one IP address may send per hour without logging in (0: no limit).",
)
FEEDBACK_SIMILAR_RADIUS_M = env_int(
    "FEEDBACK_SIMILAR_RADIUS_M", 100, help_text="Distance within which open reports are similar."
)
FEEDBACK_BOUNDS = env_str(
    "FEEDBACK_BOUNDS",
    "18.50,103.80,20.10,105.90",  # Nghệ An: 18°33'–20°01' N, 103°52'–105°48' E, with a margin
    help_text="Box a report's map pin must fall in: south,west,north,east (decimal degrees).",
)
MAP_TILE_URL = env_str(
    "MAP_TILE_URL",
    "",
    help_text="Map tile server URL template ({z}/{x}/{y}); empty shows no map, forms still work.",
)
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION", "", help_text="Attribution shown under the map tiles."
)

# Demo-only switches; production settings never enable them.
DEMO_MODE = env_bool(
    "DEMO_MODE", False, help_text="Allow the demo data (demo logins, demo API key)."
)
FEEDBACK_DEMO_REPORTS = env_int(
    "FEEDBACK_DEMO_REPORTS", 3000, help_text="Feedback reports the demo data loads (0: none)."
)
DOSSIER_DEMO_COUNT = env_int(
    "DOSSIER_DEMO_COUNT",
    3000,
    help_text="Dossiers the demo data loads, in every status over the last 3 months (0: none); "
    "each takes about 60 ms of CPU on first load.",
)
DOCUMENTS_DEMO_OUTGOING = env_bool(
    "DOCUMENTS_DEMO_OUTGOING",
    True,
    help_text="Load demo outgoing documents, some signed through the demo PKI and issued to "
    "other units (about 10 s of CPU on first load; only where the demo root is trusted).",
)

# Online payment of fees and charges (payments app): VNPAY protocol 2.1.0. The local simulator
# stands in for the gateway in development, the demo and the tests; production sets the VNPAY_*.
PAYMENT_PROVIDER = env_str(
    "PAYMENT_PROVIDER", "vnpay", help_text="Payment gateway for fees and charges: 'vnpay'."
)
PAYMENT_SIMULATOR = env_bool(
    "PAYMENT_SIMULATOR",
    DEBUG or DEMO_MODE or TESTING,
    help_text="Serve the local payment simulator (no money moves); default on in debug/demo.",
)
PAYMENT_EXPIRE_MINUTES = env_int(
    "PAYMENT_EXPIRE_MINUTES", 15, help_text="Minutes a payer has on the gateway's payment page."
)
PAYMENT_RECEIPT_SERIES = env_str(
    "PAYMENT_RECEIPT_SERIES", "BLTT", help_text="Series (ký hiệu) printed before receipt numbers."
)
VNPAY_TMN_CODE = env_str(
    "VNPAY_TMN_CODE", "", help_text="Merchant code (vnp_TmnCode) VNPAY issued to this installation."
)
VNPAY_HASH_SECRET = env_str(
    "VNPAY_HASH_SECRET",
    "",
    help_text="VNPAY secret for HMAC-SHA512 signatures; prefer VNPAY_HASH_SECRET_FILE.",
)
VNPAY_PAYMENT_URL = env_str(
    "VNPAY_PAYMENT_URL",
    "",
    help_text="VNPAY payment page, e.g. https://sandbox.vnpayment.vn/paymentv2/vpcpay.html; "
    "empty: the local simulator.",
)
VNPAY_ORDER_TYPE = env_str(
    "VNPAY_ORDER_TYPE", "other", help_text="VNPAY goods category code sent as vnp_OrderType."
)

# Digital signatures (signing app): PAdES for PDF (ETSI EN 319 142), Decree 30/2020/NĐ-CP for the
# appearance. Production trusts the national root (NEAC) and the licensed CAs' certificates given
# as files; the demo PKI (chinhquyenso signing-demo-pki) is trusted only in demo and development.
SIGNING_PKI_DIR = Path(
    env_str(
        "SIGNING_PKI_DIR",
        str(VAR_DIR / "signing-pki"),
        help_text="Folder of the demo PKI (root, CA, TSA, certificates, SoftHSM2 token).",
    )
)
SIGNING_TRUST_ROOTS = env_list(
    "SIGNING_TRUST_ROOTS",
    [],
    help_text="Trusted root certificates (PEM/DER files, comma-separated), e.g. NEAC's root.",
)
SIGNING_EXTRA_CERTS = env_list(
    "SIGNING_EXTRA_CERTS",
    [],
    help_text="Intermediate CA certificates (PEM/DER files, comma-separated) for chain building.",
)
SIGNING_TRUST_DEMO_ROOT = env_bool(
    "SIGNING_TRUST_DEMO_ROOT",
    DEBUG or DEMO_MODE or TESTING,
    help_text="Trust the demo PKI's root (never in production); on with DEBUG/DEMO_MODE.",
)
SIGNING_TSA_URL = env_str(
    "SIGNING_TSA_URL",
    "",
    help_text="RFC 3161 time-stamping service URL; empty: the demo PKI's TSA if enabled.",
)
SIGNING_DEMO_TSA = env_bool(
    "SIGNING_DEMO_TSA",
    DEBUG or DEMO_MODE or TESTING,
    help_text="Time-stamp in-process with the demo PKI's TSA when SIGNING_TSA_URL is empty.",
)
SIGNING_FETCH_REVOCATION = env_bool(
    "SIGNING_FETCH_REVOCATION",
    not (DEBUG or DEMO_MODE or TESTING),
    help_text="Fetch CRLs and OCSP answers over the network when signing and verifying.",
)
SIGNING_PKCS11_MODULE = env_str(
    "SIGNING_PKCS11_MODULE",
    "/usr/lib/softhsm/libsofthsm2.so",
    help_text="Default PKCS#11 module (token/HSM library) for credentials kept on a token.",
)
SIGNING_FONT = env_str(
    "SIGNING_FONT",
    "",
    help_text="TrueType font for signature texts; empty: Times New Roman, else Liberation Serif.",
)
SIGNING_MAX_PDF_MB = env_int(
    "SIGNING_MAX_PDF_MB", 20, help_text="Size limit of a PDF sent for signing or verification, MB."
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_str("LOG_LEVEL", "INFO", help_text="Log level."),
    },
    # The font subsetter under WeasyPrint notes every glyph of every PDF slip it writes.
    "loggers": {"fontTools": {"level": "WARNING"}},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    FEEDBACK_DEMO_REPORTS = 0  # tests that want demo reports ask for a few
    DOSSIER_DEMO_COUNT = 0  # tests that want demo dossiers ask for a few
    DOCUMENTS_DEMO_OUTGOING = False  # the outgoing demo's own tests load it
