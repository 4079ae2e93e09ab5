#!/usr/bin/env bash
# Unit costs for the cluster cost models of docs/cluster.md (org.cosineaudit.similarity.CostModelBenchmark,
# in src/test/java, excluded from 'mvn test'): core-seconds per item pair of the similarity engine and per
# rating x rank^2 x iteration of ALS. ./bench/cost-model.sh [--items 10000,20000] [--dim 128] [--k 20]
# [--ratings 500000] [--ranks 32,64] [--iterations 5] [--master local[2]]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -o -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test >&2
source scripts/java-options.sh   # JAVA_MODULE_OPTS
export SPARK_LOCAL_IP=127.0.0.1
export OPENBLAS_NUM_THREADS=1
exec java "${JAVA_MODULE_OPTS[@]}" -Xmx"${BENCH_HEAP:-6g}" \
  -Dlog4j2.configurationFile="$PWD/src/test/resources/log4j2-test.properties" \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.cosineaudit.similarity.CostModelBenchmark "$@"
