#!/usr/bin/env bash
# cosine-audit launcher: ./submit.sh [--master URL] [--conf key=value]... JOB [JOB OPTIONS]
#
# Builds the application jar when it is missing or older than the sources, then submits JOB:
# with $SPARK_HOME/bin/spark-submit when SPARK_HOME is set, otherwise with Spark's own
# SparkSubmit class from the project's Maven classpath. Master: local[*] unless --master.
#
# Environment:
#   SPARK_HOME                 use this Spark installation's spark-submit
#   COSINE_AUDIT_DRIVER_MEMORY driver heap when run without SPARK_HOME (default 4g)
#   OPENBLAS_CORETYPE          passed to executors too (native OpenBLAS CPU detection; see docs/blas.md)
#   COSINE_AUDIT_JAR           a prebuilt application jar to submit instead of target/cosine-audit.jar;
#                              nothing is built then (the cluster tests use it: 'mvn test' makes no jar)
#   COSINE_AUDIT_CLASSPATH_FILE the driver's Spark classpath file (default target/classpath.txt)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="${COSINE_AUDIT_JAR:-$HERE/target/cosine-audit.jar}"
CLASSPATH_FILE="${COSINE_AUDIT_CLASSPATH_FILE:-$HERE/target/classpath.txt}"
MAIN=org.cosineaudit.cli.Main

source "$HERE/scripts/java-options.sh"   # JAVA_MODULE_OPTS: the JVM options Spark uses on Java 17

die_usage() { echo "error: $1" >&2; echo "usage: ./submit.sh [--master URL] [--conf key=value]... JOB [JOB OPTIONS]   (./submit.sh --help lists the jobs)" >&2; exit 2; }

master="local[*]"
spark_conf=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --master) [[ $# -ge 2 ]] || die_usage "--master needs a URL"; master="$2"; shift 2 ;;
    --master=*) master="${1#--master=}"; shift ;;
    --conf) [[ $# -ge 2 && "$2" == *=* ]] || die_usage "--conf needs key=value"; spark_conf+=(--conf "$2"); shift 2 ;;
    --conf=*) spark_conf+=(--conf "${1#--conf=}"); shift ;;
    *) break ;;
  esac
done

build_needed() {
  if [[ -n "${COSINE_AUDIT_JAR:-}" ]]; then
    [[ -f "$JAR" && -f "$CLASSPATH_FILE" ]] || die_usage "COSINE_AUDIT_JAR=$JAR or $CLASSPATH_FILE does not exist"
    return 1
  fi
  [[ ! -f "$JAR" || ! -f "$CLASSPATH_FILE" ]] && return 0
  [[ -n "$(find "$HERE/src/main" "$HERE/pom.xml" -newer "$JAR" -print -quit 2>/dev/null)" ]]
}
if build_needed; then
  echo "submit.sh: building the application jar (mvn package -DskipTests)..." >&2
  (cd "$HERE" && mvn -q -B -DskipTests package dependency:build-classpath \
      -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile >&2) \
    || { echo "error: the build failed; run 'mvn -DskipTests package' to see why" >&2; exit 3; }
  touch "$JAR"
fi

git_commit="$(git -C "$HERE" rev-parse --verify -q HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$HERE" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then git_commit="$git_commit-dirty"; fi
driver_props=(-Dlog4j2.configurationFile="$HERE/conf/log4j2.properties" -Dcosine.audit.conf.dir="$HERE/conf"
  -Dcosine.audit.git.commit="$git_commit")

export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# one BLAS thread per task (Spark's advice); a CPU type for OpenBLAS only when the user sets one
spark_conf+=(--conf spark.executorEnv.OPENBLAS_NUM_THREADS=1)
if [[ -n "${OPENBLAS_CORETYPE:-}" ]]; then spark_conf+=(--conf "spark.executorEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"); fi
spark_conf+=(--conf spark.ui.showConsoleProgress=false)

if [[ -n "${SPARK_HOME:-}" && -x "${SPARK_HOME}/bin/spark-submit" ]]; then
  exec "$SPARK_HOME/bin/spark-submit" --master "$master" "${spark_conf[@]}" \
    --driver-java-options "${driver_props[*]}" --class "$MAIN" "$JAR" "$@"
fi

exec java "${JAVA_MODULE_OPTS[@]}" -Xmx"${COSINE_AUDIT_DRIVER_MEMORY:-4g}" "${driver_props[@]}" \
  -cp "$JAR:$(cat "$CLASSPATH_FILE")" org.apache.spark.deploy.SparkSubmit \
  --master "$master" "${spark_conf[@]}" --class "$MAIN" "$JAR" "$@"
