#!/usr/bin/env bash
# Unit costs for the cluster cost models of docs/cluster.md (org.cosineaudit.similarity.CostModelBenchmark):
# core-seconds per item pair of the similarity engine and per rating x rank^2 x iteration of ALS.
# ./bench/cost-model.sh [--items 10000,20000] [--dim 128] [--k 20] [--ratings 500000] [--ranks 32,64]
# [--iterations 5] [--master local[2]]
exec "$(dirname "${BASH_SOURCE[0]}")/run-benchmark.sh" org.cosineaudit.similarity.CostModelBenchmark "$@"
