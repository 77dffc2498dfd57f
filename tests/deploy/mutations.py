#!/usr/bin/env python3
"""Shows that each check of deploy/check.sh can fail.

For every mutation below, copies deploy/ into a temporary directory, makes one small
mistake in one file, runs deploy/check.sh on the copy and expects exit status 1 and a
message naming that mistake. An unaltered copy must pass first.

Usage: mutations.py REPO_ROOT [FRAISEQL_BINARY]
MUTATIONS_ONLY=SUBSTRING limits the run to the mutations of matching files.
"""

import os
import shutil
import subprocess
import sys
import tempfile

# (file under deploy/, text to find, replacement, fragment check.sh must print)
MUTATIONS = [
    ("kubernetes/service.yaml", "  type: ClusterIP\n", "  type: ClusterIP   \n", "trailing spaces"),
    ("nginx/nginx.conf", "    keepalive 64;", "    keepalive_connections 64;", "FAILED: nginx -t"),
    ("nginx/nginx.conf", "    proxy_next_upstream error timeout http_502 http_503 http_504;",
     "    proxy_next_upstream off;", "did not try both upstreams"),
    ("nginx/nginx.conf", '    "" $request_id;', '    "" "";', "no generated X-Request-Id"),
    ("nginx/nginx.conf", "one random instance.\n      return 404;",
     "one random instance.\n      proxy_pass http://fraiseql;",
     "GET /metrics (scraped per instance, not through nginx) answered 502"),
    ("nginx/nginx.conf", "      proxy_buffering off;",
     "      proxy_buffering off;\n      proxy_set_header Upgrade $http_upgrade;", "loses the server's"),
    ("nginx/upstreams.conf", "127.0.0.1:8000", "127.0.0.1:9000", "does not list 127.0.0.1:8000"),
    ("prometheus/alerts.yml", "(fraiseql_response_time_p95) > 1", "(fraiseql_response_time_p95) > > 1",
     "FAILED: promtool check rules"),
    ("prometheus/alerts.yml", "(fraiseql_queue_depth) > 100", "(fraiseql_queue_depth) > 1000",
     "FAILED: promtool test rules"),
    ("prometheus/alerts.yml", "max by (instance) (fraiseql_queue_depth)", "max by (instance) (fraiseql_queue_dept)",
     "fraiseql_queue_dept is neither exported"),
    ("kubernetes/deployment.yaml", "              path: /ready", "              path: /health", "readinessProbe"),
    ("kubernetes/deployment.yaml", "terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 30",
     "terminationGracePeriodSeconds 30 is not above"),
    ("kubernetes/deployment.yaml", "    type: RollingUpdate", "    type: RollingUpdate\n    bogus: [", "structure"),
    ("kubernetes/service.yaml", "targetPort: http", "targetPort: 8080", "targetPort"),
    ("kubernetes/configmap.yaml", "      shutdown_grace: 25s", "      shutdown_grce: 25s",
     "unknown daemon configuration key server.shutdown_grce"),
    ("kubernetes/configmap.yaml", "      web_concurrency: 20", "      web_concurrency: 4", "web_concurrency"),
    ("kubernetes/hpa.yaml", 'averageValue: "100"', 'averageValue: "50"', "averageValue is not 100"),
    ("kubernetes/hpa.yaml", "averageUtilization: 70", "averageUtilization: 90", "cpu target is not 70"),
    ("kubernetes/vpa.yaml", 'updateMode: "Off"', 'updateMode: "Auto"', "updateMode must be Off or Initial"),
    ("kubernetes/pdb.yaml", "minAvailable: 2", "minAvailable: 3", "minAvailable must be below"),
    ("kubernetes/resourcequota.yaml", 'requests.cpu: "16"', 'requests.cpu: "4"', "requests.cpu 4 below"),
    ("kubernetes/servicemonitor.yaml", "path: /metrics", "path: /stats", "endpoint path is not /metrics"),
    ("kubernetes/prometheus-adapter-values.yaml", 'as: "graphql_queries_per_second"', 'as: "qps"',
     "no rule serves the HPA's metric graphql_queries_per_second"),
    ("kubernetes/kustomization.yaml", "  - pdb.yaml\n", "", "pdb.yaml is not listed"),
    ("aws/autoscaling-group.yaml", "        TargetValue: 70", "        TargetValue: 80", "no CPU target tracking"),
    ("aws/autoscaling-group.yaml", "LaunchTemplateId: !Ref LaunchTemplate", "LaunchTemplateId: !Ref LaunchTmpl",
     "refers to unknown LaunchTmpl"),
    ("aws/autoscaling-group.yaml", '--name "${DatabaseUrlParameter}"', '--name "${DatabaseUrlParam}"',
     "!Sub names unknown ${DatabaseUrlParam}"),
    ("gcp/create-mig.sh", "--target-cpu-utilization 0.70", "--target-cpu-utilization 0.90", "no CPU autoscaling"),
    ("gcp/create-mig.sh", 'run "${gc[@]}" compute health-checks', 'run ${gc[@]} compute health-checks',
     "FAILED: shellcheck"),
    ("Dockerfile", "USER 10001:10001", "USER root", "runtime stage runs as root"),
    ("Dockerfile", "FROM debian:bookworm-slim AS runtime", "FROM debian:bookworm AS runtime", "stage FROM"),
    ("Dockerfile", "HEALTHCHECK --interval", "# HEALTHCHECK --interval", "no HEALTHCHECK"),
]

# Needs the daemon binary: the runtime stage must install what it links.
BINARY_MUTATIONS = [
    ("Dockerfile", " libfmt9 ", " ", "which the runtime stage does not install"),
    ("kubernetes/configmap.yaml", "      l1_max_bytes: 128MiB", "      l1_max_bytes: lots",
     "fraiseql check-config rejects it"),
]


def run_check(root, deploy, binary):
    cmd = [os.path.join(root, "deploy", "check.sh")]
    if binary:
        cmd += ["--binary", binary]
    cmd.append(deploy)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def main():
    root = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.getcwd()
    binary = sys.argv[2] if len(sys.argv) > 2 and os.path.isfile(sys.argv[2]) else ""
    mutations = MUTATIONS + (BINARY_MUTATIONS if binary else [])
    only = os.environ.get("MUTATIONS_ONLY", "")  # e.g. "nginx/" while editing one file
    mutations = [m for m in mutations if only in m[0]]
    if shutil.which("shellcheck") is None:
        mutations = [m for m in mutations if "shellcheck" not in m[3]]
    problems = []
    with tempfile.TemporaryDirectory(prefix="fraiseql-deploy-mutations.") as tmp:
        deploy = os.path.join(tmp, "deploy")
        shutil.copytree(os.path.join(root, "deploy"), deploy)
        rc, out = run_check(root, deploy, binary)
        if rc != 0:
            print(out)
            print("FAIL: the unaltered deploy/ does not pass deploy/check.sh")
            return 1
        for path, find, replace, expect in mutations:
            shutil.rmtree(deploy)
            shutil.copytree(os.path.join(root, "deploy"), deploy)
            target = os.path.join(deploy, path)
            with open(target, encoding="utf-8") as f:
                text = f.read()
            label = f"{path}: {find.strip()!r} -> {replace.strip()!r}"
            if text.count(find) != 1:
                problems.append(f"{label}: the text occurs {text.count(find)} times, expected once")
                continue
            with open(target, "w", encoding="utf-8") as f:
                f.write(text.replace(find, replace))
            rc, out = run_check(root, deploy, binary)
            if rc == 1 and expect in out:
                print(f"ok: {label} fails with '{expect}'")
            else:
                problems.append(f"{label}: exit {rc}, expected 1 with '{expect}'\n{out}")
    for p in problems:
        print("FAIL:", p)
    print(f"{len(mutations) - len(problems)} of {len(mutations)} mutations caught")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
