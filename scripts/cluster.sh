#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, built from the project's own Spark jars
# (no Spark download): one master and N workers on 127.0.0.1, each its own JVM.
#
#   scripts/cluster.sh start    build the SPARK_HOME folder, start master + workers, wait until
#                               every worker is registered, print the master URL
#   scripts/cluster.sh stop     stop the workers (and their executors), then the master, by PID
#   scripts/cluster.sh status   the daemons' PIDs and what the master reports
#
# Then: ./submit.sh --master spark://127.0.0.1:7077 demo   (see docs/cluster.md)
#
# Environment (all optional):
#   COSINE_AUDIT_CLUSTER_DIR     runtime state: spark-home/, logs/, work/, pids/ (default ./cluster)
#   COSINE_AUDIT_MASTER_PORT     master RPC port (default 7077)
#   COSINE_AUDIT_MASTER_UI_PORT  master web UI port (default: the first free port from 18080)
#   COSINE_AUDIT_WORKERS         number of workers (default 2)
#   COSINE_AUDIT_WORKER_CORES    cores each worker offers (default 1; the machine has 2 vCPUs)
#   COSINE_AUDIT_WORKER_MEMORY   memory each worker offers to executors (default 2g)
#   COSINE_AUDIT_DAEMON_MEMORY   heap of the master and worker daemons themselves (default 512m)
#   COSINE_AUDIT_CLUSTER_TIMEOUT seconds to wait for the master and the workers (default 120)
#   COSINE_AUDIT_CLASSPATH_FILE  the Spark runtime classpath whose jars make SPARK_HOME/jars
#                                (default target/runtime-classpath.txt, written by 'mvn process-classes')
#
# Exit codes: 0 ok; 1 usage or build error; 75 the cluster could not start here
# (a port in use, a daemon that died, workers not registered in time): tests skip on 75.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${COSINE_AUDIT_CLUSTER_DIR:-$HERE/cluster}"
HOST=127.0.0.1
MASTER_PORT="${COSINE_AUDIT_MASTER_PORT:-7077}"
WORKERS="${COSINE_AUDIT_WORKERS:-2}"
WORKER_CORES="${COSINE_AUDIT_WORKER_CORES:-1}"
WORKER_MEMORY="${COSINE_AUDIT_WORKER_MEMORY:-2g}"
DAEMON_MEMORY="${COSINE_AUDIT_DAEMON_MEMORY:-512m}"
TIMEOUT="${COSINE_AUDIT_CLUSTER_TIMEOUT:-120}"
CLASSPATH_FILE="${COSINE_AUDIT_CLASSPATH_FILE:-$HERE/target/runtime-classpath.txt}"
SPARK_HOME_DIR="$DIR/spark-home"
EX_ENV=75

source "$HERE/scripts/java-options.sh"   # JAVA_MODULE_OPTS: the JVM options Spark uses on Java 17

say() { echo "cluster: $*" >&2; }
die() { local code="$1"; shift; echo "cluster: error: $*" >&2; exit "$code"; }

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

first_free_port() {
  local p="$1"
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}

pid_alive() { [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; }

read_pid() { [[ -f "$1" ]] && cat "$1" || true; }

# The runtime jars of Spark (the project's provided + compile scope), as links: nothing is copied.
build_spark_home() {
  if [[ ! -s "$CLASSPATH_FILE" ]]; then
    say "writing $CLASSPATH_FILE (mvn process-classes)..."
    (cd "$HERE" && mvn -q -B -DskipTests process-classes >&2) \
      || die 1 "could not resolve the Spark classpath; run 'mvn -DskipTests process-classes' to see why"
    [[ -s "$CLASSPATH_FILE" ]] || die 1 "$CLASSPATH_FILE was not written by the build"
  fi
  rm -rf "$SPARK_HOME_DIR"
  mkdir -p "$SPARK_HOME_DIR/jars" "$SPARK_HOME_DIR/conf"
  local n=0 jar
  local IFS=':'
  for jar in $(cat "$CLASSPATH_FILE"); do
    [[ "$jar" == *.jar && -f "$jar" ]] || continue
    ln -sf "$jar" "$SPARK_HOME_DIR/jars/$(basename "$jar")"
    n=$((n + 1))
  done
  ls "$SPARK_HOME_DIR/jars" | grep -q '^spark-core_' \
    || die 1 "no spark-core jar in $CLASSPATH_FILE; is it the project's compile+provided classpath?"
  say "SPARK_HOME=$SPARK_HOME_DIR ($n jars linked)"
}

# The Scala binary version of the linked Spark jars (spark-core_2.13-4.2.0.jar -> 2.13).
scala_version() {
  local core; core="$(cd "$SPARK_HOME_DIR/jars" && ls spark-core_*.jar | head -n 1)"
  core="${core#spark-core_}"; echo "${core%%-*}"
}

# Starts one daemon in the background, detached from this shell; records its PID.
start_daemon() {
  local name="$1"; shift
  local log="$DIR/logs/$name.log"
  # SPARK_SCALA_VERSION: without it a worker's executor launcher looks for Spark's source build
  # directories ("Cannot find any build directories") instead of using SPARK_HOME/jars
  SPARK_HOME="$SPARK_HOME_DIR" SPARK_LOCAL_IP="$HOST" SPARK_CONF_DIR="$SPARK_HOME_DIR/conf" \
    SPARK_SCALA_VERSION="$(scala_version)" \
    nohup java "${JAVA_MODULE_OPTS[@]}" -Xmx"$DAEMON_MEMORY" -cp "$SPARK_HOME_DIR/jars/*" "$@" \
    >"$log" 2>&1 </dev/null &
  echo $! >"$DIR/pids/$name.pid"
}

# GET http://HOST:UI/json/ with bash alone (no curl needed): the master's status as JSON
master_json() {
  local port; port="$(cat "$DIR/ui-port")"
  timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET /json/ HTTP/1.0\r\nHost: %s:%s\r\n\r\n" "$0" "$1" >&3
    response="$(cat <&3)"
    [[ "$response" == "HTTP/1."?" 200"* ]] || exit 1
    printf "%s\n" "${response#*$'"'"'\r\n\r\n'"'"'}"' "$HOST" "$port" 2>/dev/null
}

# the master's JSON status has "aliveworkers" : N
alive_workers() { master_json | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || echo 0; }

# Fails with EX_ENV (after stopping what this call started) when a daemon dies or time runs out.
wait_for() {
  local what="$1" check="$2" deadline=$((SECONDS + TIMEOUT)) name
  until eval "$check"; do
    for name in master $(seq -f 'worker-%g' 1 "$WORKERS"); do
      local pid; pid="$(read_pid "$DIR/pids/$name.pid")"
      if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
        tail -n 30 "$DIR/logs/$name.log" >&2 || true
        stop_all
        die "$EX_ENV" "$name (pid $pid) exited while waiting for $what; its log is $DIR/logs/$name.log"
      fi
    done
    if (( SECONDS >= deadline )); then
      tail -n 30 "$DIR/logs/master.log" >&2 || true
      stop_all
      die "$EX_ENV" "timed out after ${TIMEOUT}s waiting for $what; logs in $DIR/logs"
    fi
    sleep 1
  done
}

start() {
  command -v java >/dev/null || die "$EX_ENV" "no 'java' on PATH"
  if pid_alive "$(read_pid "$DIR/pids/master.pid")"; then
    die 1 "a cluster from $DIR is already running (pid $(cat "$DIR/pids/master.pid")); 'scripts/cluster.sh stop' first"
  fi
  port_in_use "$MASTER_PORT" && die "$EX_ENV" "port $MASTER_PORT on $HOST is in use; set COSINE_AUDIT_MASTER_PORT"
  local ui_port="${COSINE_AUDIT_MASTER_UI_PORT:-$(first_free_port 18080)}"
  port_in_use "$ui_port" && die "$EX_ENV" "web UI port $ui_port on $HOST is in use; set COSINE_AUDIT_MASTER_UI_PORT"
  # a fresh start: logs and executor folders of an earlier cluster from this folder would mislead
  rm -rf "$DIR/logs" "$DIR/work"
  mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/work"
  build_spark_home
  echo "$ui_port" >"$DIR/ui-port"
  echo "spark://$HOST:$MASTER_PORT" >"$DIR/master-url"

  local t0=$SECONDS
  start_daemon master org.apache.spark.deploy.master.Master \
    --host "$HOST" --port "$MASTER_PORT" --webui-port "$ui_port"
  wait_for "the master's web UI on port $ui_port" 'master_json >/dev/null'
  say "master up at spark://$HOST:$MASTER_PORT (web UI http://$HOST:$ui_port) in $((SECONDS - t0))s"

  local i
  for i in $(seq 1 "$WORKERS"); do
    mkdir -p "$DIR/work/worker-$i"
    # port 0: the worker's RPC and UI ports are chosen free by the OS
    start_daemon "worker-$i" org.apache.spark.deploy.worker.Worker \
      --host "$HOST" --port 0 --webui-port 0 --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" \
      --work-dir "$DIR/work/worker-$i" "spark://$HOST:$MASTER_PORT"
  done
  wait_for "$WORKERS workers to register" '[[ "$(alive_workers)" -ge "$WORKERS" ]]'
  say "$WORKERS workers registered ($WORKER_CORES core(s), $WORKER_MEMORY each) in $((SECONDS - t0))s"
  echo "spark://$HOST:$MASTER_PORT"
}

# TERM first (a worker kills its executors on shutdown), KILL after 15 s.
stop_pid() {
  local name="$1" pid="$2" i
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 30); do pid_alive "$pid" || return 0; sleep 0.5; done
  say "$name (pid $pid) did not stop in 15s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

stop_all() {
  local f name
  for f in "$DIR"/pids/worker-*.pid "$DIR/pids/master.pid"; do
    [[ -f "$f" ]] || continue
    name="$(basename "$f" .pid)"
    stop_pid "$name" "$(cat "$f")"
    rm -f "$f"
  done
}

stop() {
  stop_all
  say "stopped"
}

status() {
  local f name pid running=0
  for f in "$DIR/pids/master.pid" "$DIR"/pids/worker-*.pid; do
    [[ -f "$f" ]] || continue
    name="$(basename "$f" .pid)"; pid="$(cat "$f")"
    if pid_alive "$pid"; then echo "$name: running (pid $pid)"; running=1; else echo "$name: not running (stale pid $pid)"; fi
  done
  if (( running )) && [[ -f "$DIR/ui-port" ]]; then
    echo "master: $(cat "$DIR/master-url"), web UI http://$HOST:$(cat "$DIR/ui-port"), alive workers: $(alive_workers)"
    return 0
  fi
  echo "no cluster running from $DIR"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/cluster.sh start|stop|status" >&2; exit 1 ;;
esac
