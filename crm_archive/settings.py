"""Settings for Customer Archive CRM, read from the environment (django-environ).

With nothing set, the application runs on the embedded default: a SQLite file and
Celery tasks executed in-process. Production sets DATABASE_URL (PostgreSQL),
CELERY_BROKER_URL or REDIS_URL (Redis), SECRET_KEY, ALLOWED_HOSTS and DEBUG=false.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key")
else:
    # No default: a production process must never start with a guessable key.
    SECRET_KEY = env("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The project package itself is an app too: its management commands (seed_demo) are found.
    "crm_archive",
    "accounts",
    "customers",
    "approvals",
    "dossiers",
    "lending",
    "destruction",
    "audit",
    "api",
]

MIDDLEWARE = [
    # First: one line per request (REQUEST_LOG=json), whatever answers it, redirects and errors too.
    "crm_archive.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise: static files need no policy; every page and error page gets one.
    "crm_archive.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crm_archive.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the language and the user are known, so the 400 page speaks the reader's language.
    "crm_archive.middleware.RejectControlCharactersMiddleware",
    "crm_archive.middleware.NoStoreForSignedInUsersMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (login, language switch).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm_archive.urls"

# What every page's layout shows (the menu, the user, the messages), for both engines.
CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.template.context_processors.i18n",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "accounts.context_processors.navigation",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": CONTEXT_PROCESSORS,
            # |day and |minute, the product's way of writing dates, in every template.
            "builtins": [
                "crm_archive.templatetags.dates",
                "crm_archive.templatetags.id_urls",
                "crm_archive.templatetags.jinja_parts",
            ],
        },
    },
    # The long lists' pages, the rows of other long lists and the top bar, written by Jinja2
    # (crm_archive/jinja.py, {% jinja_part %}). Second: a name found in both folders is the
    # Django template's; a list page written by Jinja2 has no Django template of its name.
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "crm_archive.jinja.environment", "context_processors": CONTEXT_PROCESSORS},
    },
]

WSGI_APPLICATION = "crm_archive.wsgi.application"
FORM_RENDERER = "crm_archive.forms.FormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The dev server serves requests on several threads: IMMEDIATE transactions and WAL
    # avoid "database is locked" on the embedded default.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # Planner settings for this application's queries, set on each connection (bench/RESULTS.md):
    # - no JIT compilation: a query here reads a page or counts up to a cap, and an access rule's OR
    #   inflates the planner's estimate past jit_above_cost, so PostgreSQL compiled queries for
    #   0.1–0.8 s to do a few milliseconds of work;
    # - random_page_cost 1.1, PostgreSQL's advice for SSD storage or data held in memory: at the
    #   default 4 the planner read a department's 100,000 customers to join 2,000 grade changes
    #   (60 ms) instead of looking each one up (10 ms).
    # DATABASE_SESSION_OPTIONS replaces them (an empty value keeps the server's own settings).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", env("DATABASE_SESSION_OPTIONS", default="-c jit=off -c random_page_cost=1.1")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.SignedInUserBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-guardian: no anonymous user row; nobody reads anything without signing in.
ANONYMOUS_USER_NAME = None

# django-axes: AXES_FAILURE_LIMIT failures within the cool-off lock the username (whatever address
# the attempts come from: a password guessed from many machines) and, separately, the address
# (one machine trying many usernames). Each entry of the list is its own lockout condition.
# Behind a reverse proxy set TRUSTED_PROXY_COUNT (below), or every user shares the proxy's address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address, for the lockout and the request log alike (crm_archive/request_log.py).
# django-ipware, which AXES_IPWARE_* settings would configure, is not installed.
AXES_CLIENT_IP_CALLABLE = "crm_archive.request_log.client_address"
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)

# Internationalisation: Simplified Chinese by default, English on request.
LANGUAGE_CODE = "zh-hans"
# A filter left open reads 全部 ("All"), not Django's "---------" (django-filter's choice filters;
# each ModelChoiceFilter names it as well).
FILTERS_EMPTY_CHOICE_LABEL = _("全部")
# Each language is named in itself in the language menu (a reader who cannot read the current
# language still finds their own).
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded scans live outside anything served statically; only access-checked views serve them,
# reading them through STORAGES["scans"] (crm_archive/storage.py): MEDIA_ROOT/scans by default,
# or, with SCANS_S3_BUCKET set, a private S3-compatible bucket that several servers share.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
SCANS_S3_BUCKET = env("SCANS_S3_BUCKET", default="")
if SCANS_S3_BUCKET:
    from crm_archive.storage import s3_scans_storage

    _scans_storage = s3_scans_storage(
        bucket=SCANS_S3_BUCKET,
        endpoint_url=env("SCANS_S3_ENDPOINT_URL", default=""),
        region=env("SCANS_S3_REGION", default=""),
        prefix=env("SCANS_S3_PREFIX", default="scans"),
        # Empty: send no ACL, for a bucket whose ACLs are disabled (its objects are private anyway).
        acl=env("SCANS_S3_ACL", default="private"),
    )
else:
    _scans_storage = {"BACKEND": "crm_archive.storage.ScansFileSystemStorage"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "scans": _scans_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Monthly backups (manage.py backup, crm_archive/backup.py): one archive of the database and the
# scans, the newest BACKUP_KEEP kept. BACKUP_PG_BIN_DIR picks pg_dump/pg_restore/psql of the
# server's major version when those on PATH are of another.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=12)
BACKUP_PG_BIN_DIR = env("BACKUP_PG_BIN_DIR", default="")

# Fonds code (全宗号) that starts every archive number, e.g. KH-2026-D30-0001 (DA/T 22 shape).
ARCHIVE_FONDS_CODE = env("ARCHIVE_FONDS_CODE", default="KH")
# Originals are due back the same day, by the end of the working day (Asia/Shanghai).
LOAN_DAY_ENDS_AT = env("LOAN_DAY_ENDS_AT", default="17:30")
# An original kept beyond the day is the exception (seed 000 §3): a requested return date lies at
# most this many days ahead; the approvers see it on the request, and the read access an approval
# gives ends with it.
LOAN_MAX_DAYS = env.int("LOAN_MAX_DAYS", default=7)
# Circulation (SPEC §5). A borrower with an overdue loan gets no new loan unless the archive manager
# overrides (recorded, with a reason).
LOAN_BLOCK_OVERDUE_BORROWERS = env.bool("LOAN_BLOCK_OVERDUE_BORROWERS", default=True)
# Extensions (续借) per loan, each approved like the loan.
LOAN_MAX_EXTENSIONS = env.int("LOAN_MAX_EXTENSIONS", default=2)
# Reservations (预约): an original that comes back is held this many working hours' worth — until the
# end of the next working day by default — for the next requester in the queue.
LOAN_RESERVATION_HOLD_WORKING_DAYS = env.int("LOAN_RESERVATION_HOLD_WORKING_DAYS", default=1)
# The courtesy reminder goes out this many minutes before the due time.
LOAN_COURTESY_REMINDER_MINUTES = env.int("LOAN_COURTESY_REMINDER_MINUTES", default=60)
# Overdue notices escalate (SPEC §5): "working days after the due day: who is told". Roles are
# borrower, department_manager (the borrower's department), archive_manager, general_manager.
# Reference copies (参考副本): documents of these types are flagged when no copy is left on the shelf
# (seed 000 §9: 设备说明书).
REFERENCE_COPY_KEPT_FOR = env.list("REFERENCE_COPY_KEPT_FOR", default=["设备说明书"])
LOAN_OVERDUE_NOTICE_LEVELS = env(
    "LOAN_OVERDUE_NOTICE_LEVELS", default="0:borrower;1:department_manager;3:archive_manager+general_manager"
)
# Overdue complaints escalate (seed 001 §10, SPEC §10): "working days after the deadline: who is
# told". Roles are department_manager (the customer's department), cs_manager, general_manager.
COMPLAINT_ESCALATION_LEVELS = env(
    "COMPLAINT_ESCALATION_LEVELS", default="0:department_manager;2:cs_manager;5:general_manager"
)
# 处理结果公司总经理审批后反馈到客户 (seed 003 制度7 §7.2–7.3): a complaint's result needs the general
# manager's approval before it is closed.
COMPLAINT_RESULT_APPROVAL = env.bool("COMPLAINT_RESULT_APPROVAL", default=True)
# 重要客户 (seed 003 制度1 第七条3): customers of these grades should have a second responsible person.
IMPORTANT_CUSTOMER_GRADES = env.list("IMPORTANT_CUSTOMER_GRADES", default=["A"])
# 查阅申请: how many working days an approved read request may run (the request asks for 1 by default).
READ_ACCESS_MAX_DAYS = env.int("READ_ACCESS_MAX_DAYS", default=5)
# The 5-day promotion limit (SPEC §3, §5) counts "working" days (China's calendar and the admin's
# 工作日历调整, crm_archive/workdays.py) or "calendar" days.
PROMOTION_LIMIT_COUNTS = env("PROMOTION_LIMIT_COUNTS", default="working").strip().lower() or "working"
if PROMOTION_LIMIT_COUNTS not in ("working", "calendar"):
    raise ImproperlyConfigured(
        f'PROMOTION_LIMIT_COUNTS must be "working" or "calendar", not {PROMOTION_LIMIT_COUNTS!r}'
    )
# Scanned files: PDF or image, at most this size.
SCAN_MAX_BYTES = env.int("SCAN_MAX_BYTES", default=20 * 1024 * 1024)

# The cache: rate limits of the API (and the bad-key counter) live here. Several application
# servers must share it: set CACHE_URL=rediscache://127.0.0.1:6379/1 in production.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "crm_archive.cache.RedisCache"  # one redis client, not one per call

# The REST API for the ERP (api/, SPEC §10): API keys or a session, the pages' access rules, one
# error shape, a rate per key (API_RATE, DRF's "number/period").
API_RATE = env("API_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # JSON only: the browsable documentation page is Swagger UI at /api/docs/ (signed-in users try
    # the API there with their session).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Customer Archive CRM API",
    "DESCRIPTION": "客户档案管理系统接口（供 ERP 等系统对接）。认证：`Authorization: Token <密钥>`。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "CustomerKindEnum": "customers.models.CustomerKind",
        "LoanKindEnum": "lending.models.LoanKind",
        "MonthlyReportKindEnum": "lending.models.MonthlyReportKind",
        "LoanStatusEnum": "lending.models.LoanStatus",
        "DossierStatusEnum": "dossiers.models.DossierStatus",
    },
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="archive@localhost")

# Security headers for production; `manage.py check --deploy` is clean with DEBUG=false.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours stand in front of the site, each appending the address it saw
# to X-Forwarded-For: the client's address is that many entries from the right. 0 (no proxy, or
# one that is not trusted): REMOTE_ADDR. AXES_IPWARE_PROXY_COUNT is the name earlier releases read.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_IPWARE_PROXY_COUNT", default=0))
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A monitor asks the application itself for /healthz, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Sessions end when the browser closes, and after SESSION_IDLE_TIMEOUT_MINUTES without a request
# (default one working day, 8 hours: a clerk at the archive desk is not signed out between two
# loans, and a session left open overnight is gone by morning). A request starts the time again
# (crm_archive.middleware.IdleSessionMiddleware, which writes the session at most once a minute
# rather than on every request). A site that wants a shorter idle limit for confidential files
# sets it in the environment (e.g. 30).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=8 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
# Sessions are read from the cache when every server process shares it (CACHE_URL to Redis, as in
# production), and kept in the database too: a page does not query its session, and a cache
# restart signs no one out. A cache of one process's own cannot hold them: a sign-out in one
# process would not reach another's copy.
# Only caches known to be shared by every server count (a file cache is one host's own).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHES["default"]["BACKEND"].endswith(("RedisCache", "PyMemcacheCache", "PyLibMCCache", "DatabaseCache"))
    else "django.contrib.sessions.backends.db"
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# A list or home page opened again by the same session within the same minute, while no table it
# read has been written, is answered from the cache (crm_archive.page_cache says why that is the
# same page). Only where the cache is shared by every process: one process's own cache would not
# hear another's writes. 0 turns it off.
PAGE_CACHE_SECONDS = env.int(
    "PAGE_CACHE_SECONDS",
    default=60 if SESSION_ENGINE == "django.contrib.sessions.backends.cached_db" else 0,
)

# A form post larger than this answers the "text too long" page (crm_archive.views.bad_request).
# URL-encoded Chinese takes 9 bytes a character, so Django's 2.5 MB is only ~280,000 characters;
# 5 MB is still far above any form (each text field is capped) and bounds the memory a post takes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# Content-Security-Policy (django-csp 4): only our own files run or style a page; no inline script
# or style (the templates keep theirs in static/), unless a template gives it the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # The one style attribute in the pages we ship: django-simple-history's admin history page
        # has `style="border-top: 0"`; exactly that value is allowed, by its hash.
        "style-src-attr": [UNSAFE_HASHES, "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        # data: images cannot run anything; inline SVG/PNG barcodes and icons may use them.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Celery. With no broker configured, tasks run in-process so the embedded default
# needs no Redis; production points CELERY_BROKER_URL (or REDIS_URL) at Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
# Optional: only needed to read task results (the tests do); the app itself never waits on them.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Later issues add their periodic jobs here (crontab in Asia/Shanghai). Never set
# `expires` on a beat entry: with a non-UTC time zone it can silently drop the run.
CELERY_BEAT_SCHEDULE = {
    # Overdue complaints escalate (seed 001 §10): every hour, each level sent once (recorded).
    "customers-escalate-complaints": {
        "task": "customers.tasks.escalate_overdue_complaints",
        "schedule": crontab(minute=20),
    },
    # 每月5日: the outstanding-loan report for the general manager. It runs every morning: before
    # the 5th it stores nothing, on the 5th it takes the month's official report, and after a 5th
    # missed while beat was down the first run takes it then; once taken, later runs change nothing.
    "lending-monthly-outstanding-report": {
        "task": "lending.tasks.generate_monthly_outstanding_report",
        "schedule": crontab(minute=0, hour=9),
    },
    # Courtesy reminders before the due time, the overdue escalation, and reservations whose hold
    # ran out: every quarter of an hour, each notice sent once (recorded on the loan).
    "lending-notices": {
        "task": "lending.tasks.send_loan_notices",
        "schedule": crontab(minute="*/15"),
    },
    "destruction-notify-hold-ended": {
        "task": "destruction.tasks.notify_hold_ended",
        "schedule": crontab(minute=15, hour=8),
    },
    "dossiers-notify-overdue-promotions": {
        "task": "dossiers.tasks.notify_overdue_promotions",
        "schedule": crontab(minute=0, hour=8),
    },
    # 检查与核对 (seed 002 §23): scheduled inspections that came due, reminded once per due date.
    "dossiers-notify-inspections-due": {
        "task": "dossiers.tasks.notify_inspections_due",
        "schedule": crontab(minute=5, hour=8),
    },
    # 每月1日对数据进行备份: at night, before the 02:30 housekeeping.
    "accounts-monthly-backup": {
        "task": "accounts.tasks.backup_monthly",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
}

# One JSON line per request on standard output (crm_archive/request_log.py): "json", or "off".
REQUEST_LOG = env("REQUEST_LOG", default="off").strip().lower() or "off"
if REQUEST_LOG not in ("off", "json"):
    raise ImproperlyConfigured(f'REQUEST_LOG must be "off" or "json", not {REQUEST_LOG!r}')

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # The request lines, as they are: one JSON object a line, for a log collector to parse.
        "request_lines": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "bare"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # axes logs every successful sign-in at INFO; lockouts still show as warnings.
        "axes": {"level": "WARNING"},
        "crm_archive.requests": {"handlers": ["request_lines"], "level": "INFO", "propagate": False},
    },
}
