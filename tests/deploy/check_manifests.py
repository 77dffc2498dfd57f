#!/usr/bin/env python3
"""Structural checks of deploy/ that need no cluster, no cloud account and no kubectl.

Usage: check_manifests.py DEPLOY_DIR REPO_ROOT [FRAISEQL_BINARY]

Each failed check prints one line "FAIL <area>: <what>" and the exit status is 1.
The checks hold the files to one another (ports, names, selectors, shutdown timeline,
quota against the HPA's maximum) and to the daemon (its configuration keys, the metric
names it exports or DESIGN §4 promises, the libraries its binary links).
"""

import os
import re
import subprocess
import sys
import tempfile

import yaml

PORT = 8000

# DESIGN §4: the metric names the scaling setup depends on. Those the daemon does not
# export yet are listed in deploy/README.md and printed as a note, not a failure.
SCALING_METRICS = {
    "graphql_queries_per_second",
    "fraiseql_active_connections",
    "fraiseql_queue_depth",
    "fraiseql_response_time_p95",
    "fraiseql_error_rate",
}

failures = []


def fail(area, message):
    failures.append(f"FAIL {area}: {message}")


def check(condition, area, message):
    if not condition:
        fail(area, message)
    return condition


class AnyTagLoader(yaml.SafeLoader):
    """Safe loader that accepts CloudFormation's short tags (!Ref, !Sub, ...)."""


def _any_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"Fn::" + suffix if suffix not in ("Ref", "Condition") else suffix: value}


AnyTagLoader.add_multi_constructor("!", _any_tag)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def duration_seconds(text):
    m = re.fullmatch(r"(\d+)(ms|s|m|h)", str(text).strip())
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    n, unit = int(m.group(1)), m.group(2)
    return n * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def cpu_cores(text):
    text = str(text)
    return int(text[:-1]) / 1000 if text.endswith("m") else float(text)


def mem_bytes(text):
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    text = str(text)
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return int(text[: -len(suffix)]) * factor
    return int(text)


def flatten_keys(node, prefix=""):
    keys = set()
    if isinstance(node, dict):
        for k, v in node.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            keys.add(path)
            keys |= flatten_keys(v, path)
    return keys


def daemon_metrics(repo):
    """Metric names the daemon registers today (prometheus-cpp .Name("...") calls)."""
    names = set()
    for root, _, files in os.walk(os.path.join(repo, "src")):
        for name in files:
            if name.endswith((".cpp", ".hpp")):
                names |= set(re.findall(r'\.Name\("([a-z_:][a-z0-9_:]*)"\)', read(os.path.join(root, name))))
    return names


def check_kubernetes(deploy, repo):
    kdir = os.path.join(deploy, "kubernetes")
    kust = yaml.safe_load(read(os.path.join(kdir, "kustomization.yaml")))
    resources = kust.get("resources", [])
    docs = []
    for res in resources:
        path = os.path.join(kdir, res)
        if check(os.path.isfile(path), "kustomization", f"resource {res} does not exist"):
            docs += [d for d in yaml.safe_load_all(read(path)) if d]
    # Every manifest of the directory is applied (the adapter's Helm values are not one).
    for name in sorted(os.listdir(kdir)):
        if name.endswith(".yaml") and name not in ("kustomization.yaml", "prometheus-adapter-values.yaml"):
            check(name in resources, "kustomization", f"{name} is not listed in resources")

    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.get("kind"), []).append(d)
    expected = {
        "Namespace": "v1",
        "ConfigMap": "v1",
        "Deployment": "apps/v1",
        "Service": "v1",
        "HorizontalPodAutoscaler": "autoscaling/v2",
        "VerticalPodAutoscaler": "autoscaling.k8s.io/v1",
        "PodDisruptionBudget": "policy/v1",
        "ResourceQuota": "v1",
        "ServiceMonitor": "monitoring.coreos.com/v1",
    }
    for kind, api in expected.items():
        if check(kind in by_kind, "kubernetes", f"no {kind}"):
            check(by_kind[kind][0].get("apiVersion") == api, "kubernetes", f"{kind} apiVersion is not {api}")
    if failures:
        return

    dep = by_kind["Deployment"][0]
    pod = dep["spec"]["template"]
    pod_labels = pod["metadata"]["labels"]
    check(dep["spec"]["selector"]["matchLabels"].items() <= pod_labels.items(), "deployment",
          "selector does not match the pod template's labels")
    containers = pod["spec"]["containers"]
    c = containers[0]
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    check(ports.get("http") == PORT, "deployment", f"container port 'http' is not {PORT}")

    def probe_target(probe_name):
        probe = c.get(probe_name) or {}
        get = probe.get("httpGet") or {}
        port = get.get("port")
        port = ports.get(port, port)
        return get.get("path"), port

    check(probe_target("livenessProbe") == ("/health", PORT), "deployment",
          f"livenessProbe is not GET /health on {PORT}")
    check(probe_target("readinessProbe") == ("/ready", PORT), "deployment",
          f"readinessProbe is not GET /ready on {PORT}")
    res = c.get("resources", {})
    for kind in ("requests", "limits"):
        for r in ("cpu", "memory"):
            check(r in res.get(kind, {}), "deployment", f"resources.{kind}.{r} missing")

    # Shutdown timeline: preStop sleep, then the daemon's drain, inside the grace period.
    cm = by_kind["ConfigMap"][0]
    config = yaml.safe_load(cm["data"]["fraiseql.yaml"])
    example = yaml.safe_load(read(os.path.join(repo, "config", "fraiseql.example.yaml")))
    known = flatten_keys(example)
    for key in sorted(flatten_keys(config)):
        check(key in known, "configmap", f"unknown daemon configuration key {key} (the daemon exits 2)")
    server = config.get("server", {})
    check(server.get("port", PORT) == PORT, "configmap", f"server.port is not {PORT}")
    grace = duration_seconds(server.get("shutdown_grace", example["server"]["shutdown_grace"]))
    command = (((c.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command") or []
    sleep = None
    if check(len(command) == 2 and command[0].endswith("sleep"), "deployment",
             "preStop is not an exec of sleep N"):
        sleep = float(command[1])
    tgps = pod["spec"].get("terminationGracePeriodSeconds", 30)
    if sleep is not None:
        check(tgps > sleep + grace, "deployment",
              f"terminationGracePeriodSeconds {tgps} is not above preStop {sleep:g} s + shutdown_grace {grace:g} s")
    mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
    args = c.get("args", [])
    if "--config" in args:
        cfg = args[args.index("--config") + 1]
        check(os.path.dirname(cfg) in mounts, "deployment", f"--config {cfg} is not on a mounted volume")

    svc = by_kind["Service"][0]
    check(svc["spec"]["selector"].items() <= pod_labels.items(), "service", "selector does not match the pods")
    sport = svc["spec"]["ports"][0]
    check(sport["port"] == PORT, "service", f"port is not {PORT}")
    check(ports.get(sport.get("targetPort"), sport.get("targetPort")) == PORT, "service",
          f"targetPort does not reach container port {PORT}")

    sm = by_kind["ServiceMonitor"][0]
    check(sm["spec"]["selector"]["matchLabels"].items() <= svc["metadata"].get("labels", {}).items(),
          "servicemonitor", "selector does not match the Service's labels")
    ep = sm["spec"]["endpoints"][0]
    check(ep.get("port") == sport.get("name"), "servicemonitor", "endpoint port is not the Service's port name")
    check(ep.get("path") == "/metrics", "servicemonitor", "endpoint path is not /metrics")

    hpa = by_kind["HorizontalPodAutoscaler"][0]["spec"]
    check(hpa["scaleTargetRef"]["name"] == dep["metadata"]["name"], "hpa", "scaleTargetRef is not the Deployment")
    targets = {}
    for m in hpa.get("metrics", []):
        if m["type"] == "Resource":
            targets[m["resource"]["name"]] = m["resource"]["target"].get("averageUtilization")
        elif m["type"] == "Pods":
            targets[m["pods"]["metric"]["name"]] = str(m["pods"]["target"].get("averageValue"))
    check(targets.get("cpu") == 70, "hpa", "cpu target is not 70 %")
    check(targets.get("memory") == 80, "hpa", "memory target is not 80 %")
    check(targets.get("graphql_queries_per_second") == "100", "hpa",
          "Pods metric graphql_queries_per_second averageValue is not 100")
    for m in targets:
        check(m in ("cpu", "memory") or m in SCALING_METRICS, "hpa", f"metric {m} is not a DESIGN §4 scaling metric")
    for direction in ("scaleUp", "scaleDown"):
        b = (hpa.get("behavior") or {}).get(direction) or {}
        check("stabilizationWindowSeconds" in b and b.get("policies"), "hpa",
              f"behavior.{direction} needs stabilizationWindowSeconds and policies")
    behavior = hpa.get("behavior") or {}
    up = (behavior.get("scaleUp") or {}).get("stabilizationWindowSeconds", 0)
    down = (behavior.get("scaleDown") or {}).get("stabilizationWindowSeconds", 0)
    check(down > up, "hpa", "scaleDown must stabilise longer than scaleUp")
    check(1 <= hpa["minReplicas"] <= hpa["maxReplicas"], "hpa", "minReplicas/maxReplicas out of order")
    check(server.get("web_concurrency") == hpa["maxReplicas"], "configmap",
          "server.web_concurrency is not the HPA's maxReplicas (pools would exceed max_connections)")

    vpa = by_kind["VerticalPodAutoscaler"][0]["spec"]
    check(vpa["targetRef"]["name"] == dep["metadata"]["name"], "vpa", "targetRef is not the Deployment")
    check(vpa.get("updatePolicy", {}).get("updateMode") in ("Off", "Initial"), "vpa",
          "updateMode must be Off or Initial: in Auto it fights the HPA on cpu/memory")

    pdb = by_kind["PodDisruptionBudget"][0]["spec"]
    check(pdb["selector"]["matchLabels"].items() <= pod_labels.items(), "pdb", "selector does not match the pods")
    check(isinstance(pdb.get("minAvailable"), int) and pdb["minAvailable"] < hpa["minReplicas"], "pdb",
          "minAvailable must be below the HPA's minReplicas, or no pod can ever be evicted")

    # The quota must admit maxReplicas plus the rolling update's surge.
    surge = dep["spec"]["strategy"]["rollingUpdate"].get("maxSurge", "25%")
    surge_pods = -(-hpa["maxReplicas"] * int(str(surge).rstrip("%")) // 100) if str(surge).endswith("%") else int(surge)
    pods = hpa["maxReplicas"] + surge_pods
    hard = by_kind["ResourceQuota"][0]["spec"]["hard"]
    check(int(hard.get("pods", 0)) >= pods, "resourcequota", f"pods below {pods} (maxReplicas + surge)")
    for r, parse in (("cpu", cpu_cores), ("memory", mem_bytes)):
        for kind in ("requests", "limits"):
            need = pods * sum(parse(x["resources"][kind][r]) for x in containers)
            have = parse(hard.get(f"{kind}.{r}", 0))
            check(have >= need, "resourcequota", f"{kind}.{r} {hard.get(f'{kind}.{r}')} below {pods} pods' worth")

    adapter = yaml.safe_load(read(os.path.join(kdir, "prometheus-adapter-values.yaml")))
    served = set()
    for rule in adapter.get("rules", {}).get("custom", []):
        m = re.match(r"\s*([a-zA-Z_:][a-zA-Z0-9_:]*)", rule.get("seriesQuery", ""))
        series = m.group(1) if m else None
        served.add(rule.get("name", {}).get("as") or series)
        check(series in SCALING_METRICS, "prometheus-adapter", f"series {series} is not a DESIGN §4 metric")
        check({"namespace", "pod"} <= set(rule.get("resources", {}).get("overrides", {})), "prometheus-adapter",
              "rule does not map the namespace and pod labels (Pods metrics need both)")
    for m in targets:
        if m not in ("cpu", "memory"):
            check(m in served, "prometheus-adapter", f"no rule serves the HPA's metric {m}")


def check_configmap_with_daemon(deploy, binary):
    """The daemon itself loads the ConfigMap's file (`fraiseql check-config`)."""
    if not (binary and os.path.isfile(binary)):
        print("note: no fraiseql binary given; the ConfigMap was not loaded by the daemon")
        return
    docs = yaml.safe_load_all(read(os.path.join(deploy, "kubernetes", "configmap.yaml")))
    cm = next(d for d in docs if d and d.get("kind") == "ConfigMap")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(cm["data"]["fraiseql.yaml"])
    try:
        # DATABASE_URL stands for the Secret; check-config connects to nothing.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": "postgresql://fraiseql@127.0.0.1/x"}
        p = subprocess.run([binary, "check-config", "--config", f.name], env=env, capture_output=True, text=True)
        check(p.returncode == 0, "configmap",
              f"fraiseql check-config rejects it (exit {p.returncode}): {p.stderr.strip()}")
    finally:
        os.unlink(f.name)


def check_nginx(deploy):
    conf = read(os.path.join(deploy, "nginx", "nginx.conf"))
    ups = read(os.path.join(deploy, "nginx", "upstreams.conf"))
    servers = re.findall(r"^\s*server\s+([^\s;]+)", ups, re.M)
    check(len(servers) >= 2, "nginx", "upstreams.conf lists fewer than two daemon instances")
    for s in servers:
        check(re.fullmatch(r"127\.0\.0\.1:\d+", s) is not None, "nginx", f"upstream {s} is not a loopback host:port")
    check(f"127.0.0.1:{PORT}" in servers, "nginx", f"upstreams.conf does not list 127.0.0.1:{PORT}")
    required = [
        (r"upstream\s+fraiseql\s*\{[^}]*include\s+upstreams\.conf;", "upstream block including upstreams.conf"),
        (r"upstream\s+fraiseql\s*\{[^}]*\bkeepalive\s+\d+;", "keepalive in the upstream"),
        (r"limit_req_zone\s", "limit_req_zone"),
        (r"limit_conn_zone\s", "limit_conn_zone"),
        (r"proxy_next_upstream\s+error\s+timeout\s+http_502\s+http_503\s+http_504;", "proxy_next_upstream"),
        (r"proxy_next_upstream_tries\s+[2-9]", "proxy_next_upstream_tries of at least 2"),
        (r"location\s+=\s+/health\s*\{[^}]*proxy_pass\s+http://fraiseql;", "/health passthrough"),
        (r"location\s+=\s+/graphql\s*\{[^}]*proxy_pass\s+http://fraiseql;", "/graphql proxy"),
        (r"location\s+=\s+/graphql\s*\{[^}]*proxy_read_timeout\s+(\d+[mh]|\d{3,}s)", "long read timeout on /graphql"),
        (r"proxy_http_version\s+1\.1;", "proxy_http_version 1.1"),
        (r"proxy_set_header\s+Upgrade\s+\$http_upgrade;", "Upgrade header"),
        (r"map\s+\$http_upgrade\s+\$(\w+)\s*\{[^}]*default\s+upgrade;", "Connection map for WebSocket upgrades"),
        (r"proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for;", "X-Forwarded-For"),
        (r"proxy_set_header\s+X-Request-Id\s", "X-Request-Id"),
    ]
    for pattern, what in required:
        check(re.search(pattern, conf, re.S) is not None, "nginx", f"missing {what}")
    # A location with its own proxy_set_header drops every inherited one.
    for loc in re.finditer(r"location\s+[^{]+\{([^}]*)\}", conf):
        check("proxy_set_header" not in loc.group(1), "nginx",
              "a location sets proxy_set_header and so loses the server's X-Forwarded-For/X-Request-Id")


def check_prometheus(deploy, exported):
    rules = yaml.safe_load(read(os.path.join(deploy, "prometheus", "alerts.yml")))
    exprs = " ".join(r.get("expr", "") for g in rules["groups"] for r in g["rules"])
    for metric in ("fraiseql_response_time_p95", "fraiseql_error_rate", "fraiseql_queue_depth",
                   "fraiseql_circuit_breaker_state", "fraiseql_db_replica_lag_seconds"):
        check(re.search(rf"\b{metric}\b", exprs) is not None, "alerts", f"no alert on {metric}")
    check(re.search(r"\bup\b(\{[^}]*\})?\s*==\s*0", exprs) is not None, "alerts", "no instance-down alert (up == 0)")
    known = exported | SCALING_METRICS
    for name in sorted(set(re.findall(r"\b((?:fraiseql|graphql)_[a-z0-9_]+)\b", exprs))):
        check(name in known, "alerts", f"{name} is neither exported by the daemon nor named in DESIGN §4")


def tagged(node, tag):
    """Every value of a CloudFormation intrinsic `tag` (e.g. Fn::Sub) under node."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == tag and isinstance(v, str):
                yield v
            else:
                yield from tagged(v, tag)
    elif isinstance(node, list):
        for v in node:
            yield from tagged(v, tag)


def check_cloud(deploy):
    cfn = yaml.load(read(os.path.join(deploy, "aws", "autoscaling-group.yaml")), Loader=AnyTagLoader)
    res = cfn.get("Resources", {})
    types = {v["Type"] for v in res.values()}
    for t in ("AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::ScalingPolicy"):
        check(t in types, "aws", f"no {t}")
    for name, v in res.items():
        for ref in re.findall(r"'(?:Ref|Fn::GetAtt)': \[?'([A-Za-z0-9]+)", str(v)):
            check(ref in res or ref in cfn.get("Parameters", {}) or ref.startswith("AWS"), "aws",
                  f"{name} refers to unknown {ref}")
        for sub in tagged(v, "Fn::Sub"):
            for var in re.findall(r"\$\{([^}!]+)\}", sub):
                check("::" in var or var.split(".")[0] in res or var in cfn.get("Parameters", {}), "aws",
                      f"{name}: !Sub names unknown ${{{var}}}")
    policies = [v["Properties"].get("TargetTrackingConfiguration", {}) for v in res.values()
                if v["Type"] == "AWS::AutoScaling::ScalingPolicy"]
    cpu = [p for p in policies if p.get("PredefinedMetricSpecification", {}).get("PredefinedMetricType")
           == "ASGAverageCPUUtilization"]
    check(cpu and cpu[0].get("TargetValue") == 70, "aws", "no CPU target tracking at 70 %")
    custom = [p for p in policies if p.get("CustomizedMetricSpecification", {}).get("MetricName")
              == "graphql_queries_per_second"]
    check(bool(custom), "aws", "no target tracking on graphql_queries_per_second")
    check(f"{PORT}:{PORT}" in str(res), "aws", f"the container is not published on {PORT}")

    script = os.path.join(deploy, "gcp", "create-mig.sh")
    env = dict(os.environ, DRY_RUN="1", PROJECT="p", REGION="r", IMAGE="fraiseql:test", DATABASE_URL_SECRET="s")
    out = subprocess.run(["bash", script], env=env, capture_output=True, text=True)
    if check(out.returncode == 0, "gcp", f"create-mig.sh DRY_RUN=1 failed: {out.stderr.strip()}"):
        text = out.stdout
        check("--request-path /health" in text and f"--port {PORT}" in text, "gcp",
              f"health check is not /health on {PORT}")
        check("--target-cpu-utilization 0.70" in text, "gcp", "no CPU autoscaling at 0.70")
        check("graphql_queries_per_second" in text, "gcp", "no autoscaling on graphql_queries_per_second")


def dockerfile_stages(text):
    text = re.sub(r"\\\n", " ", text)
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append({"from": rest, "lines": []})
        elif stages:
            stages[-1]["lines"].append((word.upper(), rest.strip()))
    return stages


def check_dockerfile(deploy, binary):
    stages = dockerfile_stages(read(os.path.join(deploy, "Dockerfile")))
    if not check(len(stages) >= 2, "dockerfile", "not multi-stage"):
        return
    for s in stages:
        check(s["from"].split()[0] == "debian:bookworm-slim", "dockerfile", f"stage FROM {s['from']}")
    final = stages[-1]["lines"]
    instr = {}
    for word, rest in final:
        instr.setdefault(word, []).append(rest)
    user = (instr.get("USER") or ["root"])[-1].split(":")[0]
    check(user not in ("root", "0"), "dockerfile", "runtime stage runs as root")
    check(any("/health" in h for h in instr.get("HEALTHCHECK", [])), "dockerfile", "no HEALTHCHECK on /health")
    check(str(PORT) in " ".join(instr.get("EXPOSE", [])), "dockerfile", f"does not EXPOSE {PORT}")
    copies = " ".join(instr.get("COPY", []))
    for f in ("config/fraiseql.example.yaml", "examples/blog/schema.graphql"):
        check(f in copies, "dockerfile", f"runtime stage does not copy {f}")
    check("cmake" in " ".join(r for w, r in stages[0]["lines"] if w == "RUN") and "Release" in str(stages[0]),
          "dockerfile", "build stage does not build with CMake in Release")
    runtime_pkgs = set()
    for word, rest in final:
        if word == "RUN" and "apt-get install" in rest:
            after = rest.split("apt-get install", 1)[1].split("&&")[0]
            runtime_pkgs |= {p for p in after.split() if not p.startswith("-")}
    if binary and os.path.isfile(binary):
        # Every library the binary links directly must come from a runtime package (or
        # the base image's libc6, libstdc++6, libgcc-s1).
        base = {"libc6", "libstdc++6", "libgcc-s1"}
        out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
        needed = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True).stdout
        for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", needed):
            m = re.search(rf"^\s*{re.escape(lib)} => (\S+)", out, re.M)
            if not check(m is not None, "dockerfile", f"{lib} not found by ldd"):
                continue
            real = os.path.realpath(m.group(1))
            owner = None
            for candidate in (m.group(1), real, real.replace("/lib/", "/usr/lib/", 1)):
                q = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
                if q.returncode == 0:
                    owner = q.stdout.split(":")[0]
                    break
            if check(owner is not None, "dockerfile", f"no Debian package owns {lib}"):
                check(owner in runtime_pkgs | base, "dockerfile",
                      f"{lib} comes from {owner}, which the runtime stage does not install")
    else:
        print("note: no fraiseql binary given; the runtime libraries were not compared with ldd")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    deploy, repo = sys.argv[1], sys.argv[2]
    binary = sys.argv[3] if len(sys.argv) > 3 else ""
    exported = daemon_metrics(repo)
    for name, fn in (("kubernetes", lambda: check_kubernetes(deploy, repo)),
                     ("configmap", lambda: check_configmap_with_daemon(deploy, binary)),
                     ("nginx", lambda: check_nginx(deploy)),
                     ("prometheus", lambda: check_prometheus(deploy, exported)),
                     ("cloud", lambda: check_cloud(deploy)),
                     ("dockerfile", lambda: check_dockerfile(deploy, binary))):
        try:
            fn()
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, yaml.YAMLError, OSError) as e:
            fail(name, f"unexpected structure: {type(e).__name__}: {e}")
    missing = sorted(SCALING_METRICS - exported)
    if missing:
        print("note: scaling metrics not exported by the daemon yet: " + ", ".join(missing))
    for f in failures:
        print(f)
    if failures:
        return 1
    print("manifests: all structural checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
