/**
 * What each stack-config key means, for the generated reference (config-reference.ts, docs/configuration.md). Types
 * and defaults come from the schemas; this map holds only the prose, one entry per key path the reference lists
 * (arrays as `[]`). config-reference.test.ts fails when a key has no entry or an entry names no key. Links are
 * relative to docs/.
 */
export const KEY_DOCS: Record<string, string> = {
    // Core sections (config/schema.ts).
    protectData:
        "`protect` the stateful resources (local PVs, CephCluster, CephFilesystem, CephBlockPool, AI Hub release); while true, `pulumi destroy` deletes nothing (see [Storage](storage.md#tearing-down-and-wiping-the-disks))",

    policyPack:
        "run the policy pack `policy/` on every `preview` and `up` started through `npm run pulumi` (the launcher adds `--policy-pack ./policy` unless the command gives one): policy errors then stop `up` before it changes anything (see [the policy pack](policy-pack.md))",

    registry: "the private registry inside the gap; every image is pulled from it",
    "registry.server":
        'private registry `host[:port][/project]`, no scheme, at most 255 characters; every image is pulled from it. The host is a DNS name (lower-case labels of 1–63 characters, no leading or trailing `-`, no empty label, no trailing dot, at most 253 characters; a single label needs a port, or `registry/x` would mean Docker Hub, `localhost` excepted), an IPv4 address or a bracketed IPv6 address; the port 1–65535; each project component follows the image path rule (`[a-z0-9]` with inner `.`, `_`, `__`, `-`). Image references in config (`ceph.image`, `bundle.extraImages`, the JupyterHub notebook images) follow the same host and port rules, and the limits of the distribution spec: a repository name (host and path, a Docker Hub short name counted as `docker.io/library/<name>`) of at most 255 characters, a tag of at most 128. Harbor and Artifactory keep images in projects (repositories): use `host/project`, e.g. `harbor.local/aihub`, and create the project first — for a missing project they answer "denied" (Harbor: "project … not found"), which push reports as such, not as bad credentials',
    "registry.username": "registry credentials: the user name, 1–255 characters without `:` or control characters",
    "registry.password":
        "registry credentials: the password, which feeds the image pull Secrets; at most 1024 characters (it is written twice into each pull Secret, which stays far below Kubernetes' 1 MiB)",
    "registry.caCert": "PEM of the CA that signed the registry's certificate (used by push)",
    "registry.pullSecretName": "name of the `kubernetes.io/dockerconfigjson` Secret created in each namespace",

    bundle: "the bundle carried across the gap: what `npm run bundle` carries, and where the unpacked bundle is inside",
    "bundle.path": "the unpacked bundle; when set, RegistryMirror pushes from it before anything else",
    "bundle.platforms": "what `npm run bundle` carries: the image platforms (`os/arch`)",
    "bundle.publicKey":
        "the bundle signing key's public half (PEM, ECDSA P-256); RegistryMirror verifies the bundle's signature with it before pushing",
    "bundle.extraImages": "what `npm run bundle` carries: more images, by upstream reference",
    "bundle.upstreamMirrors":
        "bastion side: pull through a corporate proxy registry instead of the public hosts; keys are upstream hosts (`docker.io`), values registry addresses under the `registry.server` rules. Credentials in the address (`user:pass@`) are refused: they would sit in the stack file in plain text; log in with `skopeo login <mirror host>` on the bastion instead (the pulls use skopeo's auth file)",
    "bundle.upstreamTlsVerify":
        "bastion side: verify TLS of the upstream registries and mirrors the bundle pulls from (false passes `--src-tls-verify=false` to skopeo)",
    "bundle.verifyUpstream":
        "bastion side: upstream signatures `cosign verify` must accept before anything is carried, one rule per image pattern; the first rule whose `images` matches applies, images no rule matches are not checked (docs/security.md)",
    "bundle.verifyUpstream[].images":
        "the image references the rule covers; `*` matches any characters (e.g. `quay.io/ceph/*`)",
    "bundle.verifyUpstream[].key":
        "the vendor's public key (PEM, e.g. its `cosign.pub`); give this, or `identity` and `issuer`",
    "bundle.verifyUpstream[].identity": "keyless: the signing certificate's identity (cosign `--certificate-identity`)",
    "bundle.verifyUpstream[].issuer": "keyless: the OIDC issuer of that identity (cosign `--certificate-oidc-issuer`)",
    "bundle.verifyUpstream[].insecureIgnoreTlog":
        "accept signatures without a transparency-log entry (cosign `--insecure-ignore-tlog`), for vendors that sign privately",
    "bundle.trustedRoot":
        "Sigstore's `trusted_root.json` (path from the project): given to cosign for `verifyUpstream` and carried as `sigstore/trusted_root.json`, so `cosign verify --trusted-root` works inside",
    "bundle.syft":
        "syft (a path from the project, or a command on `PATH`): `bundle` lists each image's contents, per platform, in `sbom/images/<image>_<platform>.cdx.json` (scanned offline from the bundle's own layout), records them in `bundle.json` and links them from the SBOM. Unset: the SBOM lists the images, not what is inside them; a binary that is not syft stops the bundle",
    "bundle.extraFiles":
        "more files to carry: local paths (relative to the project) or `http(s)://` URLs (downloaded through `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`); each lands in `files/<name>` with its sha256 in `bundle.json`, and `verify` / `verify.cjs` check it like a chart. Two entries ending in the same file name, a non-http scheme or a path without a file name are config errors",

    rook: "the Rook operator",
    "rook.version":
        "e.g. `v1.20.6`; selects the chart values layout (v1.9.x vs v1.10+; CSI drivers chart from v1.20) and the image list (`catalog/rook.ts`: v1.9.8 and v1.20.6)",
    "rook.chart": "local rook-ceph chart `.tgz`; the file name must carry the version",
    "rook.csiDriversChart":
        "local ceph-csi-drivers chart `.tgz`; the file name must carry the version; required for Rook ≥ 1.20 and refused before",
    "rook.namespace": "operator namespace (the Ceph cluster runs there too)",

    ceph: "the Ceph cluster, filesystem and classes",
    "ceph.image":
        "upstream Ceph image with a pinned `vX.Y.Z` tag (mapped to the private registry); v19–v20 for Rook 1.20, v15–v17 for Rook 1.9",
    "ceph.dataDirHostPath": "absolute; not `/etc/ceph`, `/rook`, `/var/log/ceph`; at most 4096 characters (PATH_MAX)",
    "ceph.monCount": "odd, 1–9, at most the nodes that have a `monDisk`",
    "ceph.allowMultiplePerNode": "let mons and MDS share a node (labs)",
    "ceph.nodes":
        "the workers that give disks. One device is used once per node (mon and OSD together), and the PV name `<host>-<role>-<device>` must be a valid Kubernetes name of at most 253 characters",
    "ceph.nodes[].hostname": "the node's `kubernetes.io/hostname`, at most 63 characters as it labels the PVs",
    "ceph.nodes[].monDisk": "the mon disk `{path, size}`; size ≥ 10G, the guide's minimum",
    "ceph.nodes[].monDisk.path":
        "a canonical `/dev/...` path of at most 128 characters: segments of `A-Z a-z 0-9 . _ : + -` only (no `..`, shell or glob characters, spaces, control, zero-width or non-ASCII characters), no doubled or trailing `/`, not `/dev/disk` or `/dev/disk/by-*` itself; `/dev/disk/by-id/...` and `/dev/disk/by-path/...` are fine. Use `/dev/disk/by-id/…`: `/dev/nvme1n1` may swap names across reboots, and Rook would then consume the wrong disk",
    "ceph.nodes[].monDisk.size":
        "at least 10G. Sizes need a unit (`k M G T P Ki Mi Gi Ti Pi`; a bare `10` would mean 10 bytes) and are at most 1Pi",
    "ceph.nodes[].osdDisks": "the OSD disks `[{path, size}]`; raw and empty",
    "ceph.nodes[].osdDisks[].path": "a device path under the rules of `ceph.nodes[].monDisk.path`",
    "ceph.nodes[].osdDisks[].size": "≥ 5Gi each; a unit as for `ceph.nodes[].monDisk.size`, at most 1Pi",
    "ceph.replicas": "replica size of every pool; at most the hosts with OSD disks",
    "ceph.requireSafeReplicaSize": "set false to allow replica size 1 (labs only)",
    "ceph.filesystem": "the CephFS; its MDS pods must fit one per node unless `allowMultiplePerNode`",
    "ceph.filesystem.name": "name of the filesystem; its pools are `<fs>-metadata` and `<fs>-data0`",
    "ceph.filesystem.activeMds": "number of active MDS daemons",
    "ceph.filesystem.activeStandby": "run standby MDS daemons in active-standby mode (Rook's `activeStandby`)",
    "ceph.storageClass": "CephFS (RWX) StorageClass name",
    "ceph.blockStorageClass": "optional RBD (RWO) StorageClass name; enables the CephBlockPool",
    "ceph.snapshotClass":
        "create a VolumeSnapshotClass per Ceph StorageClass (CephFS, and RBD when set) and the StorageClass `<storageClass>-snapshot-ro` of shallow read-only volumes from CephFS snapshots; implied by `backup`",
    "ceph.snapshotController":
        "with snapshot classes, also install the CSI snapshot CRDs and snapshot-controller; false when the cluster already runs them",
    "ceph.dashboard": "the Ceph dashboard; see [Storage](storage.md) for its password and port-forward outputs",
    "ceph.wipeDisksOnDestroy":
        "arm Rook's cleanup so `pulumi destroy` wipes `dataDirHostPath` and the OSD disks; see [Tearing down and wiping the disks](storage.md#tearing-down-and-wiping-the-disks)",

    aihub: "AI Hub",
    "aihub.version":
        "e.g. `2026.0.2`; a version must be in the image catalog (`catalog/aihub.ts`: 10.3.1, 10.3.2, 2024.0.0, 2024.0.1, 2024.0.3, 2024.1.0, 2024.1.1, 2024.1.2, 2025.0.0, 2025.0.1, 2025.1.0, 2025.1.1, 2026.0.0, 2026.0.2), or it is one config error listing the known versions. Change it together with `aihub.chart`",
    "aihub.chart": "the AI Hub chart `.tgz` of `aihub.version`",
    "aihub.namespace": "release namespace = the chart's `common.productNS`",
    "aihub.releaseName": "name of the AI Hub Helm release",
    "aihub.domain":
        "the FQDN users open; also the Ingress host. A DNS name: lower-case labels of 1–63 characters, at most 253 in all, no trailing dot, not an IP address",
    "aihub.valuesFile":
        "vendor values file, merged under the computed values. It must be a regular, readable YAML file of at most 4 MiB whose top level is a mapping (a device, FIFO or directory is refused without reading it); it is required to exist for `plan` too",
    "aihub.values":
        "inline overrides (over everything). A password the chart takes (e.g. `common.initialPass`, `aihubDB.dbPass`, `license.rapidminer.licenseValue`) in `aihub.values` is refused unless `secure:`; set it through `aihub.credentials.<name>` / `aihub.license`",
    "aihub.license":
        'legacy RapidMiner license (only with `license.type: rapidminer` in the values). The chart\'s `license` block (same in every chart 10.3.1–2026.0.2) defaults to Altair One, which needs the internet: set `license.type: altair_unit`, `license.altair.mode: on_prem` and `license.altair.onPrem.host`/`port` of your Altair License Manager in `aihub.valuesFile` or `aihub.values` (as the templates do), or `license.type: rapidminer` with `aihub.license`. Secrets are 1–16384 characters, and `secure: ""` is refused',
    "aihub.credentials":
        'overrides for generated credentials (`aihub.credentials.<name>`), given as `secure:` values; names and formats are checked before anything runs (a format against a `plan` placeholder is not). Secrets are 1–16384 characters, and `secure: ""` is refused. Names: see [Credentials](aihub.md#credentials)',
    "aihub.running":
        "false scales every AI Hub workload to 0 (front ends first, databases last); true starts them again in the reverse order (see [Day 2](day-2.md#stopping-and-starting-ai-hub))",

    ingress: "the way into AI Hub: an Ingress, or an HTTPRoute on the shared Gateway (`gateway`)",
    "ingress.mode":
        "`gateway` (default when `addons.gateway` is on, else required), `http` (charts before 2025.0 only), `https`, `https-custom-ca`",
    "ingress.className": "class of the Ingress in the Ingress modes (AI Hub's, and add-on UIs' without a Gateway)",
    "ingress.tlsCert":
        "PEM chain for `aihub.domain`; https modes need cert and key. Checked at load (X.509, `node:crypto`): the first certificate covers `aihub.domain` (subjectAltName, wildcards for one label), the chain is in order, the key matches, nothing has expired. Mode `https` needs a chain to a public root: AI Hub's back ends call the public URL and trust only the chart's custom CA besides public roots, so with a private CA use `https-custom-ca`",
    "ingress.tlsKey":
        "the key of `ingress.tlsCert`; https modes need cert and key. `plan` cannot check the key (it stays encrypted)",
    "ingress.caCert": "CA certificates that issued the chain of `ingress.tlsCert`; `https-custom-ca` needs it",

    kubernetes:
        "the cluster; both keys optional (defaults: `$KUBECONFIG`, else `~/.kube/config`, and its current context). Every Kubernetes resource goes through one explicit provider built from these; the default kubernetes provider is disabled in `Pulumi.yaml` (`pulumi:disable-default-providers: [kubernetes]`), so a resource can never fall back to whatever context kubectl has current",
    "kubernetes.context": "a context in the kubeconfig; default: its current context",
    "kubernetes.kubeconfig":
        "a kubeconfig **path** (absolute, or relative to the project directory), not its contents; default: `$KUBECONFIG`, else `~/.kube/config`",

    backup: "scheduled consistent backups: CSI snapshots of every AI Hub volume and dumps of its databases (see [Day 2](day-2.md))",
    "backup.schedule": 'cron schedule of the consistent backup (five fields or `@daily`…), e.g. `"0 2 * * *"`',
    "backup.retention": "complete backups kept (older snapshots and copies are removed by the next run)",
    "backup.target":
        "where backups are copied: exactly one of `pvc: {size}` (a claim in the AI Hub namespace) or `s3: {endpoint, bucket, accessKeyId, secretAccessKey}`",
    "backup.target.pvc": "a ReadWriteMany claim in the AI Hub namespace, created (and protected) unless `existing`",
    "backup.target.pvc.name": "name of the claim",
    "backup.target.pvc.size": "size of the claim the program creates",
    "backup.target.pvc.storageClass": "StorageClass of the claim; default: `ceph.storageClass`",
    "backup.target.pvc.existing": "true: the claim exists already, and the program does not create it",
    "backup.target.s3": "an S3-compatible bucket inside the gap",
    "backup.target.s3.endpoint": "http(s) URL of the S3 endpoint, e.g. `https://minio.airgap.internal:9000`",
    "backup.target.s3.bucket": "bucket name (3–63 lower-case characters)",
    "backup.target.s3.prefix": "key prefix the backups are written under (`s3://bucket/prefix/<id>/…`)",
    "backup.target.s3.region": "region of the bucket",
    "backup.target.s3.accessKeyId": "access key id",
    "backup.target.s3.secretAccessKey": "secret access key",
    "backup.timeZone": "time zone of the schedule (the CronJob's `timeZone`)",

    addons: "optional add-ons, off by default; a present section turns one on. Names: see [Add-ons](addons/README.md); each section's keys are listed below",
    "addons.<name>.enabled": "`enabled: false` keeps the section and installs nothing",

    // addons.metallb
    "addons.metallb": "[MetalLB](addons/metallb.md): `LoadBalancer` addresses from a pool of the site network",
    "addons.metallb.chart": "path of the metallb chart `.tgz` (relative to the project)",
    "addons.metallb.version": "chart version; selects the image catalog",
    "addons.metallb.namespace": "namespace of MetalLB and its CRs",
    "addons.metallb.poolName": "name of the IPAddressPool",
    "addons.metallb.addresses":
        "the addresses LoadBalancer Services get: ranges `a-b` and CIDRs, IPv4 and IPv6. Checked before anything is installed: syntax, start ≤ end, a CIDR written as its network address, no block overlapping another (errors name `addons.metallb.addresses[<n>]`). Take addresses no DHCP server hands out",
    "addons.metallb.l2": "announce the pool on the nodes' LAN (ARP/NDP, an L2Advertisement)",
    "addons.metallb.bgp":
        "announce the pool to BGP routers (a `BGPPeer` per router and a `BGPAdvertisement`); turns on frr-k8s. BGP passwords and BFD are not offered by this section yet",
    "addons.metallb.bgp.myASN": "the cluster's own AS number",
    "addons.metallb.bgp.peers": "routers to peer with",
    "addons.metallb.bgp.peers[].address": "router address (IPv4 or IPv6)",
    "addons.metallb.bgp.peers[].asn": "the router's AS number",
    "addons.metallb.bgp.peers[].port": "BGP port",
    "addons.metallb.bgp.peers[].holdTime": "hold time, e.g. `90s`; default: MetalLB's (90s)",
    "addons.metallb.bgp.peers[].ebgpMultiHop": "the router is more than one hop away (eBGP multi-hop)",
    "addons.metallb.bgp.aggregationLength":
        "announce aggregated routes of this prefix length (IPv4); default: 32 (one route per address)",

    // addons.certManager
    "addons.certManager":
        "[cert-manager](addons/cert-manager.md): a CA `ClusterIssuer` for AI Hub's and the add-ons' certificates",
    "addons.certManager.chart": "path of the cert-manager chart `.tgz` (relative to the project)",
    "addons.certManager.version": "chart version; selects the image catalog",
    "addons.certManager.namespace": "namespace of cert-manager; the CA Secret lives here too",
    "addons.certManager.issuerName": "name of the CA ClusterIssuer",
    "addons.certManager.ca":
        "optional: the site's CA; without it the program generates one (ECDSA P-256, ten years) and keeps its key as a secret in the state",
    "addons.certManager.ca.cert": "PEM of the CA certificate (the signing CA first; intermediates may follow)",
    "addons.certManager.ca.key":
        "PEM of its private key, set as a secret (`pulumi config set --secret --path addons.certManager.ca.key < ca-key.pem`); errors never echo the key",

    // addons.gateway
    "addons.gateway": "[Gateway API](addons/gateway.md) through Envoy Gateway: the default way into AI Hub",
    "addons.gateway.chart": "packaged gateway-helm chart (carried by the bundle)",
    "addons.gateway.version": "Envoy Gateway version (image catalog `addons/gateway/catalog.ts`)",
    "addons.gateway.namespace": "controller, proxies, the Gateway and its TLS Secret",
    "addons.gateway.gatewayName": "the shared Gateway",
    "addons.gateway.className": "its GatewayClass",
    "addons.gateway.httpRedirect": "an HTTP listener on port 80 answering with a 301 to HTTPS",
    "addons.gateway.service": "how clients reach the Gateway's Envoy proxies",
    "addons.gateway.service.type":
        "`LoadBalancer` (MetalLB when `addons.metallb` is on, else the cluster's own load balancer — a warning says so) or `NodePort`",
    "addons.gateway.service.loadBalancerIP": "a fixed address (LoadBalancer only); default: the pool chooses",

    // addons.aistore
    "addons.aistore": "[AIStore](addons/aistore.md): an S3-compatible object store for training data",
    "addons.aistore.chart": "the ais-operator chart .tgz",
    "addons.aistore.version": "chart version; selects the operator and AIS images",
    "addons.aistore.operatorNamespace": "where the operator runs",
    "addons.aistore.namespace": "where the cluster runs",
    "addons.aistore.name":
        "name of the `AIStore` resource; the proxy Service is `<name>-proxy` (at most 40 characters: the operator appends `-proxy-lb` and more)",
    "addons.aistore.size": "proxies and targets; default: number of `nodes`, else 1",
    "addons.aistore.nodes":
        "mountpath disks as local PVs (own no-provisioner class `aistore-local`, `Filesystem` on the raw device, XFS made by the kubelet); disk `j` of every node is mountpath `/ais/mp<j>`, so every node lists the same number of disks. Exclusive with `storageClass`",
    "addons.aistore.nodes[].hostname": "the node's `kubernetes.io/hostname`",
    "addons.aistore.nodes[].disks": "the node's mountpath disks `{path, size}`",
    "addons.aistore.nodes[].disks[].path":
        "device path under Ceph's rules; a disk that is also a Ceph mon or OSD disk is an error naming both keys",
    "addons.aistore.nodes[].disks[].size": "size under Ceph's rules, at least 1Gi",
    "addons.aistore.storageClass":
        "instead of `nodes`: `mounts` claims of `size` per target from a class (e.g. the Ceph RBD class)",
    "addons.aistore.storageClass.name": "the StorageClass",
    "addons.aistore.storageClass.size": "size of each mountpath's claim",
    "addons.aistore.storageClass.mounts": "mountpaths (claims) per target",
    "addons.aistore.disablePodAntiAffinity": "allow several targets per node (only with `storageClass`)",
    "addons.aistore.proxyResources": "`{requests, limits}` of `cpu`/`memory` of each proxy; default: the operator's",
    "addons.aistore.proxyResources.requests": "requests of each proxy",
    "addons.aistore.proxyResources.limits": "limits of each proxy",
    "addons.aistore.targetResources": "`{requests, limits}` of `cpu`/`memory` of each target; default: the operator's",
    "addons.aistore.targetResources.requests": "requests of each target",
    "addons.aistore.targetResources.limits": "limits of each target",
    "addons.aistore.externalLB":
        "a LoadBalancer Service for the proxy and each target (`enableExternalLB`): needs `addons.metallb` with `size + 1` free addresses (one more with the Gateway)",
    "addons.aistore.tls":
        "HTTPS; the operator requests the certificate from the ClusterIssuer (`spec.tls.certificate`), covering `<name>-proxy`, `<name>-target` and their `.svc.cluster.local` names",
    "addons.aistore.additionalDNSNames":
        "more names in that certificate (e.g. the name of the external address); only with `tls: true`",
    "addons.aistore.logSidecar": "the ais-logs sidecar",
    "addons.aistore.readyTimeoutSeconds": "how long `pulumi up` waits for `status.state: Ready`",

    // addons.monitoring
    "addons.monitoring": "[Monitoring](addons/monitoring.md): Prometheus, Alertmanager and Grafana",
    "addons.monitoring.chart": "packaged kube-prometheus-stack chart; the file name must carry the version",
    "addons.monitoring.version": "chart version; selects the image catalog",
    "addons.monitoring.namespace": "created here (privileged: node-exporter uses the host's network)",
    "addons.monitoring.prometheus": "Prometheus' volume and retention",
    "addons.monitoring.prometheus.storage": "volume size (at least 2Gi)",
    "addons.monitoring.prometheus.retention": "how long samples are kept (a Prometheus duration: `15d`, `2w`, `36h`)",
    "addons.monitoring.prometheus.retentionSize":
        "size at which the oldest blocks go (a Prometheus byte size, e.g. `40GiB`); default: 85% of `storage`, so the volume never fills up before the retention time is reached",
    "addons.monitoring.alertmanager": "Alertmanager's volume and retention",
    "addons.monitoring.alertmanager.storage": "volume size (at least 100Mi)",
    "addons.monitoring.alertmanager.retention":
        "how long silences and the notification log are kept (hours at most, e.g. `120h`)",
    "addons.monitoring.grafana": "Grafana's volume and path",
    "addons.monitoring.grafana.storage": "volume size (dashboards, users, plugins state; at least 1Gi)",
    "addons.monitoring.grafana.path":
        "path under `https://<aihub.domain>` where Grafana is served (`root_url`, `serve_from_sub_path`); refused when it is, contains or lies under a path the AI Hub chart serves (its own Grafana at `/grafana`, JupyterHub at `/jupyter`, Keycloak at `/auth`, …)",
    "addons.monitoring.ceph": "scrape the Ceph mgr and alert on health and full OSDs/pools",

    // addons.kepler
    "addons.kepler": "[Kepler](addons/kepler.md): energy per node, pod and container; needs `addons.monitoring`",
    "addons.kepler.chart": "packaged Kepler chart, e.g. `./bundle/charts/kepler-0.11.4.tgz`",
    "addons.kepler.version": "chart version; selects the image",
    "addons.kepler.namespace": "created here (privileged: the exporter reads the host's /proc and /sys)",
    "addons.kepler.scrapeInterval":
        "how often Prometheus scrapes Kepler (the counters are cumulative, so a longer interval loses nothing)",

    // addons.gpu
    "addons.gpu": "[NVIDIA GPU operator](addons/gpu.md) on the listed GPU workers",
    "addons.gpu.version": "selects the image catalog (`addons/gpu/catalog.ts`)",
    "addons.gpu.chart": "path of `gpu-operator-v26.7.0.tgz`",
    "addons.gpu.namespace": "namespace (privileged: driver and toolkit pods)",
    "addons.gpu.nodes": "the GPU workers' `kubernetes.io/hostname`; duplicates are errors. They need not be Ceph nodes",
    "addons.gpu.driver":
        "the kernel driver, exactly one of: `{ preinstalled: true }` (drivers installed on the hosts, no driver image carried); a precompiled driver image `{ version, os, kernelVersion }`; the driver container with a local package mirror `{ version, os, repoConfigMap }`. The plain driver container downloads OS packages before it installs, so in an air gap it never loads a driver; none or two of these is an error at `addons.gpu.driver` naming the three keys",
    "addons.gpu.driver.preinstalled": "true: drivers installed on the hosts (`driver.enabled: false`)",
    "addons.gpu.driver.version":
        "driver version, e.g. `595.91.07` (not with preinstalled); with `kernelVersion` only its branch (`595`) names the image",
    "addons.gpu.driver.os":
        "the nodes' OS as the driver image tag names it, e.g. `ubuntu24.04` (not with preinstalled); all GPU nodes must run the same OS",
    "addons.gpu.driver.kernelVersion":
        "the GPU nodes' kernel (`uname -r`, e.g. `6.8.0-60-generic`): `driver.usePrecompiled`, the bundle carries `nvcr.io/nvidia/driver:<branch>-<kernel>-<os>` (e.g. `595-6.8.0-60-generic-ubuntu24.04`); all GPU nodes must run this kernel",
    "addons.gpu.driver.repoConfigMap":
        "a ConfigMap the admin creates in the operator's namespace with the package-manager configuration of a local OS package mirror (`driver.repoConfig.configMapName`); the bundle carries `nvcr.io/nvidia/driver:<version>-<os>`",

    // addons.jupyterhub
    "addons.jupyterhub": "[JupyterHub](addons/jupyterhub.md) for notebooks next to AI Hub, homes on CephFS",
    "addons.jupyterhub.version": "chart version; selects the image catalog",
    "addons.jupyterhub.chart": "path of `jupyterhub-4.4.0.tgz`",
    "addons.jupyterhub.namespace": "namespace of the hub",
    "addons.jupyterhub.path":
        "served at `https://<aihub.domain>/addons/jupyterhub` (`hub.baseUrl`), through the shared Gateway (`ingress.mode: gateway`) or an Ingress with the site certificate (`ExposedService`); the chart's proxy stays a ClusterIP Service, autohttps off; refused when it is, contains or lies under a path the AI Hub chart serves (its own JupyterHub at `/jupyter`, Grafana at `/grafana`, Keycloak at `/auth`, …)",
    "addons.jupyterhub.storage": "user homes: PVCs on the CephFS class (`ceph.storageClass`, ReadWriteMany)",
    "addons.jupyterhub.storage.capacity": "size of each home",
    "addons.jupyterhub.images":
        "notebook images users may run (upstream names); the bundle carries them and the profiles use them from the private registry; the first is the default",
    "addons.jupyterhub.profiles":
        "server options users pick (kubespawner `profileList`); default: one CPU profile with the first image",
    "addons.jupyterhub.profiles[].name": "name shown in the spawn form",
    "addons.jupyterhub.profiles[].description": "one line under the name",
    "addons.jupyterhub.profiles[].cpu": "CPU cores guaranteed and limited",
    "addons.jupyterhub.profiles[].memory": "memory guaranteed and limited",
    "addons.jupyterhub.profiles[].gpus":
        "`gpus > 0` requests `nvidia.com/gpu` and needs `addons.gpu` (error at `addons.jupyterhub.profiles[i].gpus`)",
    "addons.jupyterhub.profiles[].image": "notebook image (upstream name); default: the first of `images`",
    "addons.jupyterhub.profiles[].default": "preselected in the form",
    "addons.jupyterhub.cull": "idle-server culling",
    "addons.jupyterhub.cull.enabled": "cull idle servers",
    "addons.jupyterhub.cull.timeout": "seconds a server may be idle",
    "addons.jupyterhub.cull.every": "seconds between checks",
    "addons.jupyterhub.auth": "who may log in: `native`, `ldap` or `oidc`",
    "addons.jupyterhub.auth.type":
        "`native`: NativeAuthenticator (sign-up, admins approve); `ldap`: LDAPAuthenticator with a search bind; `oidc`: GenericOAuthenticator against AI Hub's Keycloak (`https://<aihub.domain>/auth/realms/<realm>`, callback `https://<aihub.domain>/addons/jupyterhub/hub/oauth_callback`)",
    "addons.jupyterhub.auth.admins": "admin user names",
    "addons.jupyterhub.auth.server": "the LDAP server",
    "addons.jupyterhub.auth.port": "LDAP port",
    "addons.jupyterhub.auth.ssl": "TLS to the LDAP server",
    "addons.jupyterhub.auth.bindDn": "DN of the search bind",
    "addons.jupyterhub.auth.bindPassword": "bind password; set with `pulumi config set --secret --path`",
    "addons.jupyterhub.auth.userSearchBase": "where users are searched",
    "addons.jupyterhub.auth.userAttribute": "attribute holding the user name",
    "addons.jupyterhub.auth.realm": "Keycloak realm (AI Hub's `common.defaultSSORealm`)",
    "addons.jupyterhub.auth.clientId":
        "a confidential client in AI Hub's Keycloak with the redirect URI `https://<aihub.domain>/addons/jupyterhub/hub/oauth_callback`",
    "addons.jupyterhub.auth.clientSecret": "the client's secret; set with `pulumi config set --secret --path`",
    "addons.jupyterhub.auth.adminGroups": "users of these Keycloak groups are admins",
};
