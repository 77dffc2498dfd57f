#!/usr/bin/env bash
# FraiseQL on Compute Engine: a regional managed instance group running the container
# image (deploy/Dockerfile), autohealed on /health and autoscaled on CPU (70 %) and on
# the per-instance query rate graphql_queries_per_second (100 per instance).
#
# The autoscaler reads per-instance metrics only from the gce_instance monitored
# resource: have an agent on each VM copy the gauge graphql_queries_per_second of
# /metrics to QPS_METRIC with that resource (Managed Service for Prometheus writes to
# prometheus_target instead, which the autoscaler cannot use).
#
# Usage: PROJECT=my-project REGION=europe-west1 IMAGE=gcr.io/my-project/fraiseql:1.0 \
#          DATABASE_URL_SECRET=fraiseql-database-url deploy/gcp/create-mig.sh
# DRY_RUN=1 prints the gcloud commands instead of running them.
set -euo pipefail

: "${PROJECT:?set PROJECT}"
: "${REGION:?set REGION}"
: "${IMAGE:?set IMAGE}"
: "${DATABASE_URL_SECRET:?set DATABASE_URL_SECRET (Secret Manager secret name)}"
NAME=${NAME:-fraiseql}
MACHINE_TYPE=${MACHINE_TYPE:-e2-standard-2}
MIN_REPLICAS=${MIN_REPLICAS:-2}
MAX_REPLICAS=${MAX_REPLICAS:-20}
TARGET_QPS=${TARGET_QPS:-100}
QPS_METRIC=${QPS_METRIC:-custom.googleapis.com/fraiseql/graphql_queries_per_second}

run() {
  if [[ ${DRY_RUN:-0} == 1 ]]; then
    printf '%q ' "$@"
    printf '\n'
  else
    "$@"
  fi
}

gc=(gcloud --project "$PROJECT")

run "${gc[@]}" compute health-checks create http "$NAME-health" \
  --port 8000 --request-path /health \
  --check-interval 10s --timeout 5s --healthy-threshold 2 --unhealthy-threshold 3

# DATABASE_URL comes from Secret Manager and lands in the template's container
# environment (instance metadata): restrict compute.instances.get accordingly.
if [[ ${DRY_RUN:-0} == 1 ]]; then
  database_url='<secret>'
else
  database_url=$("${gc[@]}" secrets versions access latest --secret "$DATABASE_URL_SECRET")
fi
run "${gc[@]}" compute instance-templates create-with-container "$NAME-template" \
  --machine-type "$MACHINE_TYPE" \
  --container-image "$IMAGE" \
  --container-env "^|^DATABASE_URL=$database_url|PORT=8000" \
  --tags fraiseql,http-server \
  --scopes cloud-platform

run "${gc[@]}" compute instance-groups managed create "$NAME-mig" \
  --region "$REGION" \
  --template "$NAME-template" \
  --size "$MIN_REPLICAS" \
  --health-check "$NAME-health" \
  --initial-delay 60

run "${gc[@]}" compute instance-groups managed set-named-ports "$NAME-mig" \
  --region "$REGION" --named-ports http:8000

# Scale out on whichever signal asks for more instances; scale in by at most 10 % per
# 10 minutes so a lull between bursts does not drop capacity.
run "${gc[@]}" compute instance-groups managed set-autoscaling "$NAME-mig" \
  --region "$REGION" \
  --min-num-replicas "$MIN_REPLICAS" \
  --max-num-replicas "$MAX_REPLICAS" \
  --cool-down-period 60 \
  --target-cpu-utilization 0.70 \
  --custom-metric-utilization "metric=$QPS_METRIC,utilization-target=$TARGET_QPS,utilization-target-type=GAUGE" \
  --scale-in-control max-scaled-in-replicas-percent=10,time-window=600
