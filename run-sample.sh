#!/usr/bin/env bash
# Starts the SourceFlow sample (orders and payments) on Open Liberty.
#
#   ./run-sample.sh          local: moto (SQS, SNS, KMS) on 127.0.0.1:4566, started here if nothing listens there
#   ./run-sample.sh --aws    real AWS: region and credentials from the AWS SDK default chain, no endpoint override
#
# Needs: JDK 17+, Maven, PostgreSQL on 127.0.0.1:5432 (database "test", user "postgres"), and for the local mode
# moto (pip install 'moto[server]'). Ctrl-C stops what this script started.
#
# Switches (environment variables):
#   SAMPLE_HTTP_PORT=9080       the HTTP port (127.0.0.1 only)
#   SAMPLE_ENCRYPTION=true      KMS envelope encryption of message data (local: key alias/sourceflow-sample in moto)
#   SAMPLE_KMS_KEY_ID=...       the KMS key with --aws and encryption on (id, ARN or alias/name)
#   SAMPLE_DB_HOST/PORT/NAME/USER/PASSWORD   the database (defaults 127.0.0.1, 5432, test, postgres, empty)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

MODE=local
case "${1:-}" in
  --aws) MODE=aws ;;
  ""|--local) ;;
  *) echo "usage: $0 [--aws]" >&2; exit 2 ;;
esac
PORT=${SAMPLE_HTTP_PORT:-9080}
ENCRYPTION=${SAMPLE_ENCRYPTION:-true}
MOTO_PORT=4566
ENDPOINT=http://127.0.0.1:$MOTO_PORT
WLP=$ROOT/sourceflow-ee-sample/target/servers/liberty/wlp
SERVER=quickstart
SERVER_DIR=$WLP/usr/servers/$SERVER

log() { printf '[run-sample] %s\n' "$*"; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

MOTO_PID=""
LIBERTY_PID=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$LIBERTY_PID" ]; then
    log "stopping Open Liberty"
    "$WLP/bin/server" stop "$SERVER" >/dev/null 2>&1 || true
    wait "$LIBERTY_PID" 2>/dev/null || true
  fi
  if [ -n "$MOTO_PID" ]; then
    log "stopping moto"
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

if listening "$PORT"; then
  echo "port $PORT is in use; set SAMPLE_HTTP_PORT" >&2; exit 1
fi

log "building the WAR"
mvn -B -q -DskipTests package -pl sourceflow-ee-sample -am
log "unpacking Open Liberty (once)"
mvn -B -q -pl sourceflow-ee-sample dependency:unpack@unpack-liberty -DskipITs=false

JVM_OPTIONS="-Xmx768m"
SERVER_ENV=""
if [ "$MODE" = local ]; then
  if listening "$MOTO_PORT"; then
    log "using the AWS emulator already listening on $ENDPOINT"
  else
    command -v moto_server >/dev/null || { echo "moto_server not found: pip install 'moto[server]'" >&2; exit 1; }
    log "starting moto on $ENDPOINT (log: sourceflow-ee-sample/target/moto.log)"
    moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$ROOT/sourceflow-ee-sample/target/moto.log" 2>&1 &
    MOTO_PID=$!
    for _ in $(seq 1 100); do listening "$MOTO_PORT" && break; sleep 0.1; done
  fi
  SERVER_ENV="MP_CONFIG_PROFILE=local
SOURCEFLOW_AWS_ENDPOINT=$ENDPOINT
AWS_ACCESS_KEY_ID=test
AWS_SECRET_ACCESS_KEY=test
AWS_REGION=us-east-1"
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
    [ -n "${SAMPLE_KMS_KEY_ID:-}" ] || { echo "with --aws and SAMPLE_ENCRYPTION=true set SAMPLE_KMS_KEY_ID" >&2; exit 1; }
    # passed as a system property; SOURCEFLOW_AWS_ENCRYPTION_KMS_KEY_ID works as well (sourceflow-ee-sample/README.md, Notes)
    JVM_OPTIONS="$JVM_OPTIONS
-Dsourceflow.aws.encryption.kms-key-id=$SAMPLE_KMS_KEY_ID"
  fi
fi
SERVER_ENV="$SERVER_ENV
SOURCEFLOW_AWS_ENCRYPTION_ENABLED=$ENCRYPTION"

log "creating Open Liberty server '$SERVER'"
rm -rf "$SERVER_DIR"
mkdir -p "$SERVER_DIR/apps" "$WLP/usr/shared/resources/jdbc"
cp server-config/liberty/server.xml "$SERVER_DIR/server.xml"
cp sourceflow-ee-sample/target/sourceflow-ee-sample.war "$SERVER_DIR/apps/"
cp sourceflow-ee-sample/target/jdbc/postgresql.jar "$WLP/usr/shared/resources/jdbc/postgresql.jar"
cat >"$SERVER_DIR/bootstrap.properties" <<PROPS
sample.http.host=127.0.0.1
sample.http.port=$PORT
sample.db.host=${SAMPLE_DB_HOST:-127.0.0.1}
sample.db.port=${SAMPLE_DB_PORT:-5432}
sample.db.name=${SAMPLE_DB_NAME:-test}
sample.db.user=${SAMPLE_DB_USER:-postgres}
sample.db.password=${SAMPLE_DB_PASSWORD:-}
PROPS
printf '%s\n' "$SERVER_ENV" >"$SERVER_DIR/server.env"
printf '%s\n' "$JVM_OPTIONS" >"$SERVER_DIR/jvm.options"

log "starting Open Liberty (log: $SERVER_DIR/logs/messages.log)"
"$WLP/bin/server" run "$SERVER" >"$ROOT/sourceflow-ee-sample/target/liberty-console.log" 2>&1 &
LIBERTY_PID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 240); do
  if curl -s -o /dev/null -w '%{http_code}' "$BASE/api/orders/none" 2>/dev/null | grep -q 404; then break; fi
  kill -0 "$LIBERTY_PID" 2>/dev/null || { echo "Open Liberty exited; see $SERVER_DIR/logs/messages.log" >&2; exit 1; }
  sleep 0.5
done

cat <<EOF2

  SourceFlow sample is running ($MODE mode, encryption $ENCRYPTION)

  Orders API   $BASE/api/orders
  Health       $BASE/health   ($BASE/health/ready, $BASE/health/live, $BASE/health/started)
  Server log   $SERVER_DIR/logs/messages.log

  Place an order, then watch it become PAID:

    curl -s -X POST $BASE/api/orders -H 'Content-Type: application/json' -d '{"customer":"alice","total":42.50}'
    curl -s $BASE/api/orders/<orderId>

  Ctrl-C stops the server$( [ -n "$MOTO_PID" ] && echo " and moto").

EOF2
wait "$LIBERTY_PID"
