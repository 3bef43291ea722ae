// Written by `gofer service init-config`. Every value shown is the default, so deleting a line changes nothing;
// a test loads this text and compares it with the defaults. Settings whose default changes in dev mode are
// commented out: written out, they would override dev mode.

export const SAMPLE_CONFIG = `# Gofer server configuration (TOML).
#
# Precedence: built-in defaults < this file < GOFER_* environment variables < command-line flags.
# \`gofer service printenv\` lists every environment variable. Durations are Go durations ("90s", "5m", "1h30m")
# or integer seconds (300). Names from Gofer v0.4/v0.5 files are accepted too: [extensions] for [triggers],
# [external_events] for [external_events_api], an [api] table for the top-level keys, task_run_* for task_execution_*.

# Development mode: no authentication, human-readable logs, generated localhost certificates, the default secret
# store key, and data under ./.gofer-dev/. Never use it for a shared server.
dev_mode = false

# Start with event ingress off: trigger events start no runs until \`gofer service toggle-event-ingress\`.
ignore_pipeline_run_events = false

# Parallel runs per pipeline when the pipeline sets no limit. 0 is unlimited.
run_parallelism_limit = 200

# How long events are kept, and how often older ones are removed.
event_log_retention = "4380h" # about 6 months
event_prune_interval = "3h"

# debug, info, warn or error.
log_level = "info"

# Task execution logs are text files in this directory (dev mode: ./.gofer-dev/logs); logs of all but the newest
# task_execution_log_expiry runs are deleted.
# task_execution_logs_dir = "/tmp"
task_execution_log_expiry = 50

# How long a task container gets to stop gracefully before it is killed.
task_execution_stop_timeout = "5m"

[server]
host = "localhost:8080"           # address the API binds to
shutdown_timeout = "15s"          # how long shutdown waits for connections and runs to drain
storage_engine = "sqlite"         # sqlite (one server) or postgres (servers sharing one database)
# storage_path = "/tmp/gofer.db"  # the sqlite database (dev mode: ./.gofer-dev/gofer.db)
# With storage_engine = "postgres": the database's URL (env GOFER_SERVER_STORAGE_URL keeps the password out of this file).
# storage_url = "postgres://gofer:password@localhost:5432/gofer"
# replica_lease = "6s"           # postgres: a dead server's triggers move to another after this
storage_results_limit = 200       # most results one list call returns
use_tls = true
# The API's certificate and key (PEM). Required when use_tls is on, unless dev mode or
# [development] use_localhost_tls provides localhost certificates.
# tls_cert_path = "/etc/gofer/server.crt"
# tls_key_path = "/etc/gofer/server.key"
# Address at which containers reach the API, e.g. "172.17.0.1:8080" on a default docker bridge.
# extension_address = "172.17.0.1:8080"

[triggers]
install_base_triggers = true # register the provided cron and interval triggers when missing
stop_timeout = "5m"          # after Shutdown, how long a trigger gets before it is stopped, then killed
use_tls = true               # trigger containers serve gRPC over TLS
readiness_attempts = 30      # Info calls before a starting trigger counts as failed
readiness_delay = "300ms"    # pause between those calls
liveness_interval = "2s"     # a running trigger is asked Info this often (0 = never) to find it hung
liveness_timeout = "2s"      # deadline of each such check
liveness_misses = 3          # misses in a row: the trigger is marked UNKNOWN, an event written, and it is restarted
# Certificate and key handed to trigger containers; generated when not set.
# tls_cert_path = "/etc/gofer/triggers.crt"
# tls_key_path = "/etc/gofer/triggers.key"

# Process engine only: which local command stands in for an image.
[triggers.image_map]
# "ghcr.io/clintjedwards/gofer/triggers/interval:latest" = ["node", "/opt/gofer/triggers/interval.js"]

[scheduler]
engine = "docker" # docker, or process (runs trigger images as local commands from [triggers.image_map])

[scheduler.docker]
prune = false            # periodically remove exited containers
prune_interval = "24h"
network = "bridge"       # bridge or host

[external_events_api]
enable = true            # the HTTP endpoint forwarding webhooks to triggers
host = "localhost:8081"
use_tls = true           # the API's certificate; plaintext only when the API is plaintext
max_body_size = 26214400 # bytes (25 MB); larger webhooks are answered 413
max_concurrent_per_trigger = 8 # webhooks with one trigger at once; more wait their turn
max_waiting_per_trigger = 256  # waiting for one trigger before more are answered 429

[object_store]
engine = "sqlite"
pipeline_object_limit = 50 # objects kept per pipeline; the oldest is evicted
run_object_expiry = 50     # runs after which a run's objects are deleted
max_object_bytes = 10485760 # largest object accepted (10 MiB)

[object_store.sqlite]
# path = "/tmp/gofer-object.db" # dev mode: ./.gofer-dev/gofer-object.db

[secret_store]
engine = "sqlite"

[secret_store.sqlite]
# path = "/tmp/gofer-secret.db" # dev mode: ./.gofer-dev/gofer-secret.db
# Exactly 32 characters. Secrets cannot be read back if it changes. The well-known default
# "changemechangemechangemechangeme" is refused unless dev mode or [development] default_encryption is on.
# encryption_key = "<32 characters>"

# All off by default and all on in dev mode; set one to override either.
[development]
# pretty_logging = false     # human-readable logs instead of JSON
# bypass_auth = false        # every caller is treated as a management token
# use_localhost_tls = false  # serve the API with generated localhost certificates
# default_encryption = false # allow the default secret store key
`;
