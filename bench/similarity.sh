#!/usr/bin/env bash
# Runs the similarity benchmark (org.cosineaudit.similarity.SimilarityBenchmark):
# ./bench/similarity.sh [--items 20000] [--scaling 10000,20000,40000,80000] [--blockmatrix true|false]
# [--colsim 1000,2000,4000|none] [--report FILE] ...   Native BLAS: OPENBLAS_LIB_DIR (bench/run-benchmark.sh).
# Results and the command used: docs/benchmarks/similarity.md.
BENCH_HEAP="${BENCH_HEAP:-8g}" exec "$(dirname "${BASH_SOURCE[0]}")/run-benchmark.sh" \
  org.cosineaudit.similarity.SimilarityBenchmark "$@"
