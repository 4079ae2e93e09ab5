#!/usr/bin/env bash
# The one launcher of the benchmarks (bench/*.sh call it): bench/run-benchmark.sh CLASS [ARGS...]
# Compiles the test classes offline and runs CLASS (a *Benchmark in src/test/java, excluded from 'mvn test')
# in one JVM with the JVM options Spark needs on Java 17 (scripts/java-options.sh), local mode.
#   BENCH_HEAP        -Xmx of that JVM (default 6g)
#   OPENBLAS_LIB_DIR  a folder holding libblas.so.3 (e.g. Debian's libopenblas0-pthread unpacked with
#                     'apt-get download' + 'dpkg -x', no system install): native BLAS in this JVM only
#   OPENBLAS_CORETYPE passed through to OpenBLAS when set (only for CPUs it misdetects: docs/blas.md)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $# -ge 1 ]] || { echo "usage: bench/run-benchmark.sh CLASS [ARGS...]" >&2; exit 2; }
main_class=$1
shift
mvn -o -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test >&2
source scripts/java-options.sh   # JAVA_MODULE_OPTS
if [[ -n "${OPENBLAS_LIB_DIR:-}" ]]; then export LD_LIBRARY_PATH="$OPENBLAS_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
export SPARK_LOCAL_IP=127.0.0.1
export OPENBLAS_NUM_THREADS=1   # one BLAS thread per Spark task
exec java "${JAVA_MODULE_OPTS[@]}" -Xmx"${BENCH_HEAP:-6g}" \
  -Dlog4j2.configurationFile="$PWD/src/test/resources/log4j2-test.properties" \
  -Dcosine.audit.project.dir="$PWD" \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  "$main_class" "$@"
