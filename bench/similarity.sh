#!/usr/bin/env bash
# Runs the similarity benchmark (org.cosineaudit.similarity.SimilarityBenchmark, in src/test/java,
# excluded from 'mvn test'): ./bench/similarity.sh [--items 20000] [--scaling 10000,20000,40000,80000]
# [--blockmatrix true|false] [--colsim 1000,2000,4000|none] [--report FILE] ...
# Results and the command used: docs/benchmarks/similarity.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -o -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
  -Dmdep.includeScope=test >&2
JAVA_MODULE_OPTS=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true)
export SPARK_LOCAL_IP=127.0.0.1
export OPENBLAS_NUM_THREADS=1
exec java "${JAVA_MODULE_OPTS[@]}" -Xmx"${BENCH_HEAP:-8g}" \
  -Dlog4j2.configurationFile="$PWD/src/test/resources/log4j2-test.properties" \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.cosineaudit.similarity.SimilarityBenchmark "$@"
