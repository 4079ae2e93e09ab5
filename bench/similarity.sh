#!/usr/bin/env bash
# Runs the similarity benchmark (org.cosineaudit.similarity.SimilarityBenchmark, in src/test/java,
# excluded from 'mvn test'): ./bench/similarity.sh [--items 20000] [--scaling 10000,20000,40000,80000]
# [--blockmatrix true|false] [--colsim 1000,2000,4000|none] [--report FILE] ...
# Results and the command used: docs/benchmarks/similarity.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -o -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test >&2
# the JVM options Spark needs on Java 17, from their one declaration (pom.xml, jvm.module.options)
read -r -a JAVA_MODULE_OPTS <<< "$(sed -n 's:.*<jvm.module.options>\(.*\)</jvm.module.options>.*:\1:p' pom.xml)"
[[ ${#JAVA_MODULE_OPTS[@]} -gt 0 ]] || { echo "error: jvm.module.options not found in pom.xml" >&2; exit 3; }
# OPENBLAS_LIB_DIR: a folder holding libblas.so.3 (e.g. unpacked from Debian's libopenblas0-pthread with
# 'apt-get download' + 'dpkg -x', no system install) to benchmark native BLAS in this JVM only
if [[ -n "${OPENBLAS_LIB_DIR:-}" ]]; then export LD_LIBRARY_PATH="$OPENBLAS_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
export SPARK_LOCAL_IP=127.0.0.1
export OPENBLAS_NUM_THREADS=1
exec java "${JAVA_MODULE_OPTS[@]}" -Xmx"${BENCH_HEAP:-8g}" \
  -Dlog4j2.configurationFile="$PWD/src/test/resources/log4j2-test.properties" \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.cosineaudit.similarity.SimilarityBenchmark "$@"
