#!/usr/bin/env bash
# Starts the SourceFlow sample (orders and payments) on Open Liberty or WildFly and waits until SourceFlow has started.
#
#   ./run-sample.sh             Open Liberty on http://127.0.0.1:9080, local: moto (SQS, SNS, KMS) on 127.0.0.1:4566,
#                               started here if nothing listens there
#   ./run-sample.sh --wildfly   WildFly (standalone-microprofile.xml) on http://127.0.0.1:8080, /health on the
#                               management port http://127.0.0.1:9990
#   ./run-sample.sh --aws       real AWS: region and credentials from the AWS SDK default chain, no endpoint override
#                               (combines with --wildfly, in either order)
#
# It returns to the prompt only on failure: when the server dies, the application fails to deploy, SourceFlow's startup
# fails or the server does not start in time, it prints the first error lines of the server log and exits 1. Otherwise
# it prints the URLs and /health and runs until Ctrl-C, which stops what this script started.
#
# Needs: JDK 17+, Maven, Python 3, PostgreSQL on 127.0.0.1:5432 (database "test", user "postgres"), and for the local
# mode moto (pip install 'moto[server]').
#
# Switches (environment variables):
#   SAMPLE_HTTP_PORT            the HTTP port, on 127.0.0.1 (9080 on Open Liberty, 8080 on WildFly)
#   SAMPLE_MANAGEMENT_PORT=9990 WildFly's management port (127.0.0.1), which serves /health
#   SAMPLE_MOTO_PORT=4566       the emulator's port (local mode); moto is started there unless something listens
#   SAMPLE_ENCRYPTION=true      KMS envelope encryption of message data (local: key alias/sourceflow-sample in moto)
#   SAMPLE_KMS_KEY_ID=...       the KMS key with --aws and encryption on (id, ARN or alias/name)
#   SAMPLE_DB_HOST/PORT/NAME/USER/PASSWORD   the database (defaults 127.0.0.1, 5432, test, postgres, empty)
#   SAMPLE_START_TIMEOUT=300    seconds to wait for SourceFlow's startup check to be UP
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
TARGET=$ROOT/sourceflow-ee-sample/target

usage() { echo "usage: $0 [--wildfly] [--aws]" >&2; exit 2; }
MODE=local
SERVER_KIND=liberty
for arg in "$@"; do
  case "$arg" in
    --aws) MODE=aws ;;
    --local) MODE=local ;;
    --wildfly) SERVER_KIND=wildfly ;;
    --liberty) SERVER_KIND=liberty ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) usage ;;
  esac
done

ENCRYPTION=${SAMPLE_ENCRYPTION:-true}
MOTO_PORT=${SAMPLE_MOTO_PORT:-4566}
ENDPOINT=http://127.0.0.1:$MOTO_PORT
START_TIMEOUT=${SAMPLE_START_TIMEOUT:-300}
DB_HOST=${SAMPLE_DB_HOST:-127.0.0.1}
DB_PORT=${SAMPLE_DB_PORT:-5432}
DB_NAME=${SAMPLE_DB_NAME:-test}
DB_USER=${SAMPLE_DB_USER:-postgres}
DB_PASSWORD=${SAMPLE_DB_PASSWORD:-}
if [ "$SERVER_KIND" = liberty ]; then
  PORT=${SAMPLE_HTTP_PORT:-9080}
  WLP=$TARGET/servers/liberty/wlp
  SERVER=quickstart
  SERVER_DIR=$WLP/usr/servers/$SERVER
  SERVER_LOG=$SERVER_DIR/logs/messages.log
  CONSOLE_LOG=$TARGET/liberty-console.log
  # [12/6/26, 10:58:18:593 UTC] 0000002a com.ibm.ws.app.manager.AppMessageHelper  E CWWKZ0002E: ...
  ERROR_LINE='^\[[^]]+\] [^ ]+ [^ ]+ +E '
  SERVER_NAME="Open Liberty"
  BASE=http://127.0.0.1:$PORT
  HEALTH=$BASE/health
  PORTS=("$PORT")
else
  PORT=${SAMPLE_HTTP_PORT:-8080}
  MANAGEMENT_PORT=${SAMPLE_MANAGEMENT_PORT:-9990}
  WILDFLY_VERSION=$(sed -n 's:.*<wildfly.version>\(.*\)</wildfly.version>.*:\1:p' sourceflow-ee-sample/pom.xml)
  DIST=$TARGET/servers/wildfly/wildfly-$WILDFLY_VERSION
  QUICKSTART=$TARGET/quickstart
  WILDFLY=$QUICKSTART/wildfly
  SERVER_LOG=$WILDFLY/standalone/log/server.log
  CONSOLE_LOG=$QUICKSTART/wildfly-console.log
  # 2026-12-06 10:58:18,593 ERROR [org.jboss.msc.service.fail] (MSC service thread 1-5) ...
  ERROR_LINE='^[^ ]+ [^ ]+ (ERROR|FATAL) '
  SERVER_NAME=WildFly
  BASE=http://127.0.0.1:$PORT
  HEALTH=http://127.0.0.1:$MANAGEMENT_PORT/health
  # HTTP, management, and the HTTPS listener of standalone-microprofile.xml
  PORTS=("$PORT" "$MANAGEMENT_PORT" 8443)
fi

log() { printf '[run-sample] %s\n' "$*"; }
fail() { printf '[run-sample] %s\n' "$*" >&2; exit 1; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

MOTO_PID=""
SERVER_PID=""
# Stops the process $1 and its children: SIGTERM (WildFly's standalone.sh passes it on to the JVM), SIGKILL after 60 s
stop_tree() {
  local pid=$1 children
  children=$(pgrep -P "$pid" || true)
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 60 s: killing $pid $children"
    # shellcheck disable=SC2086
    kill -9 "$pid" $children 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  trap - EXIT
  trap '' INT TERM  # a second Ctrl-C does not leave the server running: it is stopped, or killed after 60 s
  if [ -n "$SERVER_PID" ]; then
    log "stopping $SERVER_NAME"
    if [ "$SERVER_KIND" = liberty ]; then
      "$WLP/bin/server" stop "$SERVER" >/dev/null 2>&1 || true
    fi
    stop_tree "$SERVER_PID"
  fi
  if [ -n "$MOTO_PID" ]; then
    log "stopping moto"
    stop_tree "$MOTO_PID"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for p in "${PORTS[@]}"; do
  if listening "$p"; then
    case "$p" in
      "$PORT") fail "port $p (HTTP) is in use; set SAMPLE_HTTP_PORT" ;;
      "${MANAGEMENT_PORT:-}") fail "port $p (WildFly management) is in use; set SAMPLE_MANAGEMENT_PORT" ;;
      *) fail "port $p, which WildFly opens on 127.0.0.1, is in use" ;;
    esac
  fi
done
command -v python3 >/dev/null || fail "python3 not found"
if [ "$MODE" = aws ] && [ "$ENCRYPTION" = true ] && [ -z "${SAMPLE_KMS_KEY_ID:-}" ]; then
  fail "with --aws and SAMPLE_ENCRYPTION=true set SAMPLE_KMS_KEY_ID (or SAMPLE_ENCRYPTION=false)"
fi

log "building the WAR"
mvn -B -q -Dstyle.color=never -DskipTests package -pl sourceflow-ee-sample -am
log "unpacking $SERVER_NAME (once)"
mvn -B -q -Dstyle.color=never -pl sourceflow-ee-sample "dependency:unpack@unpack-$SERVER_KIND" -DskipITs=false

# What the server gets: environment variables (ENV) and system properties (PROPS)
ENV=("SOURCEFLOW_AWS_ENCRYPTION_ENABLED=$ENCRYPTION")
PROPS=()
if [ "$MODE" = local ]; then
  if listening "$MOTO_PORT"; then
    log "using the AWS emulator already listening on $ENDPOINT"
  else
    command -v moto_server >/dev/null || fail "moto_server not found: pip install 'moto[server]'"
    log "starting moto on $ENDPOINT (log: $TARGET/moto.log)"
    moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$TARGET/moto.log" 2>&1 &
    MOTO_PID=$!
    for _ in $(seq 1 300); do
      listening "$MOTO_PORT" && break
      kill -0 "$MOTO_PID" 2>/dev/null || fail "moto exited; see $TARGET/moto.log"
      sleep 0.1
    done
    listening "$MOTO_PORT" || fail "moto did not listen on $MOTO_PORT within 30 s; see $TARGET/moto.log"
  fi
  ENV+=("MP_CONFIG_PROFILE=local" "SOURCEFLOW_AWS_ENDPOINT=$ENDPOINT" "AWS_ACCESS_KEY_ID=test"
        "AWS_SECRET_ACCESS_KEY=test" "AWS_REGION=us-east-1")
  if [ "$ENCRYPTION" = true ]; then
    log "creating the KMS key alias/sourceflow-sample in the emulator (if missing)"
    python3 - "$ENDPOINT" <<'PY'
import sys, boto3
kms = boto3.client("kms", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
if "alias/sourceflow-sample" not in aliases:
    key = kms.create_key(Description="SourceFlow sample")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/sourceflow-sample", TargetKeyId=key)
PY
  fi
else
  log "real AWS: region and credentials from the AWS SDK default chain"
  if [ "$ENCRYPTION" = true ]; then
    # a system property; SOURCEFLOW_AWS_ENCRYPTION_KMS_KEY_ID works as well (sourceflow-ee-sample/README.md, Notes)
    PROPS+=("-Dsourceflow.aws.encryption.kms-key-id=$SAMPLE_KMS_KEY_ID")
  fi
fi

start_liberty() {
  log "creating Open Liberty server '$SERVER'"
  rm -rf "$SERVER_DIR"
  mkdir -p "$SERVER_DIR/apps" "$WLP/usr/shared/resources/jdbc"
  cp server-config/liberty/server.xml "$SERVER_DIR/server.xml"
  cp "$TARGET/sourceflow-ee-sample.war" "$SERVER_DIR/apps/"
  cp "$TARGET/jdbc/postgresql.jar" "$WLP/usr/shared/resources/jdbc/postgresql.jar"
  cat >"$SERVER_DIR/bootstrap.properties" <<BOOTSTRAP
sample.http.host=127.0.0.1
sample.http.port=$PORT
sample.db.host=$DB_HOST
sample.db.port=$DB_PORT
sample.db.name=$DB_NAME
sample.db.user=$DB_USER
sample.db.password=$DB_PASSWORD
BOOTSTRAP
  printf '%s\n' "${ENV[@]}" >"$SERVER_DIR/server.env"
  printf '%s\n' -Xmx768m ${PROPS[@]+"${PROPS[@]}"} >"$SERVER_DIR/jvm.options"
  log "starting Open Liberty (log: $SERVER_LOG)"
  "$WLP/bin/server" run "$SERVER" >"$CONSOLE_LOG" 2>&1 &
  SERVER_PID=$!
}

start_wildfly() {
  [ -x "$DIST/bin/standalone.sh" ] || fail "no WildFly at $DIST"
  log "creating WildFly in $WILDFLY (a fresh copy of $DIST)"
  rm -rf "$WILDFLY"
  mkdir -p "$QUICKSTART"
  cp -a "$DIST" "$WILDFLY"
  # what a deployment or an earlier start may have left in the unpacked distribution
  rm -rf "$WILDFLY"/standalone/{deployments,data,tmp,log} "$WILDFLY/standalone/configuration/standalone_xml_history"
  mkdir -p "$WILDFLY/standalone/deployments"
  log "configuring it with server-config/wildfly/configure.cli (embedded, offline; log: $QUICKSTART/wildfly-cli.log)"
  printf 'postgresql.jar=%s\n' "$TARGET/jdbc/postgresql.jar" >"$QUICKSTART/wildfly-cli.properties"
  if ! "$WILDFLY/bin/jboss-cli.sh" --file="$ROOT/server-config/wildfly/configure.cli" \
      --properties="$QUICKSTART/wildfly-cli.properties" >"$QUICKSTART/wildfly-cli.log" 2>&1; then
    tail -n 20 "$QUICKSTART/wildfly-cli.log" >&2
    fail "configure.cli failed; see $QUICKSTART/wildfly-cli.log"
  fi
  rm -rf "$WILDFLY/standalone/log"  # the embedded server's log: server.log is the real server's only
  cp "$TARGET/sourceflow-ee-sample.war" "$WILDFLY/standalone/deployments/ROOT.war"
  ENV+=("SAMPLE_DB_URL=jdbc:postgresql://$DB_HOST:$DB_PORT/$DB_NAME" "SAMPLE_DB_USER=$DB_USER" "LAUNCH_JBOSS_IN_BACKGROUND=true")
  [ -z "$DB_PASSWORD" ] || ENV+=("SAMPLE_DB_PASSWORD=$DB_PASSWORD")
  log "starting WildFly (log: $SERVER_LOG)"
  env "${ENV[@]}" "$WILDFLY/bin/standalone.sh" -c standalone-microprofile.xml \
    -Djboss.bind.address=127.0.0.1 -Djboss.bind.address.management=127.0.0.1 \
    -Djboss.http.port="$PORT" -Djboss.management.http.port="$MANAGEMENT_PORT" ${PROPS[@]+"${PROPS[@]}"} >"$CONSOLE_LOG" 2>&1 &
  SERVER_PID=$!
}

# One look at the health endpoints: prints "up", "failed <reason>" or "waiting <what was seen>". Up means
# /health/started answers 200, UP, with SourceFlow's startup check UP, and then /health answers 200, UP, with
# SourceFlow's three checks UP (on WildFly, /health also has the server's own checks, e.g. server-state).
health_state() {
  python3 - "$HEALTH" <<'PY'
import json, sys, urllib.error, urllib.request

def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    except Exception as e:
        print("waiting", url, "does not answer:", e)
        sys.exit()
    try:
        health = json.loads(body)
        return status, health, {check["name"]: check for check in health.get("checks", [])}, body.decode()[:300]
    except (ValueError, AttributeError, KeyError, TypeError):
        print("waiting", url, "answers", status, body[:100])
        sys.exit()

base = sys.argv[1]
status, health, checks, text = get(base + "/started")
startup = checks.get("sourceflow-startup")
if startup is None:
    print("waiting", base + "/started", "answers", status, "without sourceflow-startup:", text)
    sys.exit()
data = startup.get("data") or {}
if data.get("phase") == "failed":
    print("failed", "SourceFlow's startup failed:", data.get("error"))
    sys.exit()
if status != 200 or health.get("status") != "UP" or startup.get("status") != "UP":
    print("waiting", base + "/started", "answers", status, text)
    sys.exit()
status, health, checks, text = get(base)
sourceflow = ["sourceflow-startup", "sourceflow-readiness", "sourceflow-liveness"]
if status != 200 or health.get("status") != "UP" or any(checks.get(n, {}).get("status") != "UP" for n in sourceflow):
    print("waiting", base, "answers", status, text)
else:
    print("up")
PY
}

# Why the server did not start: the first error lines of its log (and what caused them)
print_cause() {
  local log_file=$SERVER_LOG
  [ -s "$log_file" ] || log_file=$CONSOLE_LOG
  echo >&2
  if grep -Eq "$ERROR_LINE" "$log_file" 2>/dev/null; then
    echo "First errors (and what caused them) in $log_file:" >&2
    grep -E "$ERROR_LINE|^Caused by: " "$log_file" | tr -s ' ' | awk '!seen[$0]++' | head -n 12 | cut -c1-400 \
      | sed 's/^/  /' >&2
  else
    echo "Last lines of $log_file:" >&2
    tail -n 15 "$log_file" 2>/dev/null | cut -c1-400 | sed 's/^/  /' >&2
  fi
  echo >&2
}

"start_$SERVER_KIND"

log "waiting up to ${START_TIMEOUT}s for $HEALTH/started to list sourceflow-startup UP, then $HEALTH to be UP"
deadline=$((SECONDS + START_TIMEOUT))
while :; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    SERVER_PID_DEAD=$SERVER_PID; SERVER_PID=""
    wait "$SERVER_PID_DEAD" 2>/dev/null || true
    print_cause; fail "$SERVER_NAME exited while starting; see $CONSOLE_LOG and $SERVER_LOG"
  fi
  if [ -f "$SERVER_LOG" ] && grep -Eq "$ERROR_LINE" "$SERVER_LOG"; then
    sleep 1  # let the server finish writing what belongs to the error
    print_cause; fail "the sample failed to start on $SERVER_NAME; the server log is $SERVER_LOG"
  fi
  if [ "$SERVER_KIND" = wildfly ] && [ -e "$WILDFLY/standalone/deployments/ROOT.war.failed" ]; then
    print_cause; fail "the deployment of ROOT.war failed: $(cat "$WILDFLY/standalone/deployments/ROOT.war.failed")"
  fi
  state=$(health_state) || state="waiting (the health probe failed)"
  case "$state" in
    up) break ;;
    failed*) print_cause; fail "${state#failed }" ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    print_cause; fail "SourceFlow did not start within ${START_TIMEOUT}s (last: ${state#waiting }); see $SERVER_LOG"
  fi
  sleep 1
done

health=$(python3 - "$HEALTH" <<'PY' || true
import json, sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as answer:
        body = answer.read()
except urllib.error.HTTPError as e:
    body = e.read()
print("\n".join("    " + line for line in json.dumps(json.loads(body), indent=2).splitlines()))
PY
)
cat <<EOF

  SourceFlow sample is running on $SERVER_NAME ($MODE mode, encryption $ENCRYPTION)

  Orders API   $BASE/api/orders
  Health       $HEALTH   (also /health/started, /health/ready, /health/live)
  Server log   $SERVER_LOG

  Place an order, then watch it become PAID:

    curl -s -X POST $BASE/api/orders -H 'Content-Type: application/json' -d '{"customer":"alice","total":42.50}'
    curl -s $BASE/api/orders/<orderId>

  GET $HEALTH:
$health

  Ctrl-C stops the server$( [ -n "$MOTO_PID" ] && echo " and moto").

EOF
wait "$SERVER_PID" || true
SERVER_PID=""
fail "$SERVER_NAME stopped; see $SERVER_LOG"
