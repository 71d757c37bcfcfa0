/** Issue 10: stack files as a careless or hostile admin writes them; each rule with a passing and a failing case. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackFile } from "../../config/stackfile";
import { airgap, check, section } from "./helpers";

/** Asserts exactly these error lines. */
function assertLines(values: Record<string, unknown>, expected: string[], secure?: ReadonlySet<string>) {
    assert.deepEqual(check(values, secure ?? airgap().secure).lines, expected);
}

/** The errors of a stack file made of these lines. */
const fileErrors = (...lines: string[]) => parseStackFile(lines.join("\n"), "Pulumi.t.yaml").errors;

const ok = (values: Record<string, unknown>, secure?: ReadonlySet<string>) => assertLines(values, [], secure);

/** The airgap stack with one key changed by `edit`. */
function edited(edit: (v: Record<string, unknown>) => void): Record<string, unknown> {
    const { values } = airgap();
    edit(values);
    return values;
}

const MON = "aihub-airgap:ceph.nodes[0].monDisk";
const DEV_FIX = "(write it like /dev/nvme1n1 or /dev/disk/by-id/<id>)";

describe("issue 10.1: device paths", () => {
    const withMonPath = (p: string) => edited((v) => (section(v, "ceph").nodes[0].monDisk.path = p));
    it("accepts /dev names, /dev/disk/by-id and /dev/disk/by-path", () => {
        ok(withMonPath("/dev/sdb"));
        ok(withMonPath("/dev/disk/by-id/nvme-Samsung_SSD_970_EVO_1TB_S467NX0M123456"));
        ok(withMonPath("/dev/disk/by-path/pci-0000:00:1f.2-ata-1"));
    });
    for (const [p, text] of [
        ["/dev/../etc/passwd", `has a ".." segment ${DEV_FIX}`],
        ["/dev/sd$(reboot)", `contains the character "$", which a device name does not have ${DEV_FIX}`],
        ["/dev/sd;b", `contains the character ";", which a device name does not have ${DEV_FIX}`],
        ["/dev/sd*", `contains the character "*", which a device name does not have ${DEV_FIX}`],
        ["/dev/sd?", `contains the character "?", which a device name does not have ${DEV_FIX}`],
        ["/dev/sd\nb", `contains the character U+000A, which a device name does not have ${DEV_FIX}`],
        ["/dev/sd\u200bb", `contains the character U+200B, which a device name does not have ${DEV_FIX}`],
        ["/dev/sdé", `contains the character U+00E9, which a device name does not have ${DEV_FIX}`],
        ["/dev/", `names no device ${DEV_FIX}`],
        ["/dev/disk/by-id", `is a directory of device links, not a device ${DEV_FIX}`],
        [`/dev/${"a".repeat(130)}`, "is longer than 128 characters (use a shorter /dev/disk/by-id name)"],
        ["/dev//sdb", "is not in canonical form (write /dev/sdb)"],
        ["/dev/./sdb", "is not in canonical form (write /dev/sdb)"],
        ["sdb", `is not a device path under /dev ${DEV_FIX}`],
    ]) {
        it(`rejects ${JSON.stringify(p)}`, () => assertLines(withMonPath(p), [`${MON}.path: ${text}`]));
    }
    it("catches the same device twice on a node after canonicalising, across mon and OSD", () => {
        const values = edited((v) => {
            section(v, "ceph").nodes[0].monDisk.path = "/dev/nvme2n1/";
        });
        assertLines(values, [
            `${MON}.path: is not in canonical form (write /dev/nvme2n1)`,
            "aihub-airgap:ceph.nodes[0].osdDisks[0].path: disk /dev/nvme2n1 on worker1 is already used by ceph.nodes[0].monDisk (give each mon and OSD its own device)",
        ]);
    });
    it("rejects a PV name that would exceed Kubernetes' 253 characters", () => {
        const long = `w${"x".repeat(61)}`;
        const values = edited((v) => {
            const n = section(v, "ceph").nodes[0];
            n.hostname = `${long}.${long}.${long}`;
            n.monDisk.path = `/dev/disk/by-id/${"a".repeat(60)}`;
        });
        const lines = check(values).lines;
        assert.ok(
            lines.some((l) => l.startsWith(`${MON}.path: gives the local PV name "`)),
            lines.join("\n"),
        );
        assert.ok(
            lines.includes(
                "aihub-airgap:ceph.nodes[0].hostname: is longer than 63 characters, too long for the node label on its PVs (use the node's short kubernetes.io/hostname)",
            ),
        );
    });
    it("rejects a device whose name gives no PV name", () => {
        assertLines(withMonPath("/dev/---"), [
            `${MON}.path: gives the local PV name "worker1-mon-", which is not a valid Kubernetes name of at most 253 characters (use a shorter /dev/disk/by-id path with letters or digits)`,
        ]);
    });
});

describe("issue 10.2: sizes", () => {
    const withSize = (key: "monDisk" | "osd", size: unknown) =>
        edited((v) => {
            const n = section(v, "ceph").nodes[0];
            if (key === "monDisk") n.monDisk.size = size;
            else n.osdDisks[0].size = size;
        });
    it("accepts 10G and 10Gi mon disks and a 100Ti OSD", () => {
        ok(withSize("monDisk", "10G"));
        ok(withSize("monDisk", "10Gi"));
        ok(withSize("osd", "100Ti"));
    });
    it("requires a unit", () => {
        assertLines(withSize("monDisk", "10"), [
            `${MON}.size: "10" has no unit, so it means 10 bytes (write it like 10Gi or 256Gi)`,
        ]);
        assertLines(withSize("monDisk", 10), [
            `${MON}.size: "10" has no unit, so it means 10 bytes (write it like 10Gi or 256Gi)`,
        ]);
    });
    it("rejects zero, tiny and sub-guide mon disks", () => {
        for (const s of ["0Gi", "1k", "9Gi"]) {
            assertLines(withSize("monDisk", s), [
                `${MON}.size: ${s} is below 10G, the smallest mon disk the guide allows (use 10Gi or more)`,
            ]);
        }
        assertLines(withSize("osd", "0Mi"), [
            "aihub-airgap:ceph.nodes[0].osdDisks[0].size: 0Mi is below 5Gi, the smallest device ceph-volume accepts (use a disk of at least 5Gi)",
        ]);
    });
    it("rejects absurd sizes", () => {
        assertLines(withSize("osd", "2Pi"), [
            "aihub-airgap:ceph.nodes[0].osdDisks[0].size: 2Pi is above 1Pi, larger than any disk (check the unit; write it like 10Gi or 256Gi)",
        ]);
        assertLines(withSize("osd", "99999999999999999999Gi"), [
            "aihub-airgap:ceph.nodes[0].osdDisks[0].size: is not a Kubernetes quantity (write it like 10Gi or 256Gi)",
        ]);
    });
});

describe("issue 10.3: keys", () => {
    it("treats prototype names as unknown keys, at the top and inside records", () => {
        const values = edited((v) => {
            Object.defineProperty(v, "constructor", { value: 1, enumerable: true });
            section(v, "aihub").values = JSON.parse('{"__proto__": {"x": 1}, "toString": 2}');
            section(v, "registry").constructor = "x";
        });
        const unknown = "is not a known key (remove it or fix the spelling; see docs/configuration.md)";
        assertLines(values, [
            `aihub-airgap:registry.constructor: ${unknown}`,
            `aihub-airgap:constructor: ${unknown}`,
            `aihub-airgap:aihub.values.__proto__: ${unknown}`,
            `aihub-airgap:aihub.values.toString: ${unknown}`,
        ]);
    });
    it("makes a bare key that shadows a namespaced one an error, and accepts a bare key alone", () => {
        assert.deepEqual(fileErrors("config:", "  aihub-airgap:protectData: true", "  protectData: false"), [
            {
                path: "protectData",
                text: 'is given twice, as "protectData" and as "aihub-airgap:protectData" (keep only aihub-airgap:protectData)',
            },
        ]);
        const bare = parseStackFile(["config:", "  protectData: false"].join("\n"), "Pulumi.t.yaml");
        assert.deepEqual([bare.errors, bare.values], [[], { protectData: false }]);
    });
    it("warns about namespaces that look like a typo of ours", () => {
        const sf = parseStackFile(
            [
                "config:",
                "  aihub-airgp:registry: {}",
                "  AIHUB-AIRGAP:protectData: true",
                "  kubernetes:context: x",
            ].join("\n"),
            "Pulumi.t.yaml",
        );
        assert.deepEqual(
            sf.warnings.map((w) => `${w.path}: ${w.text}`),
            [
                'aihub-airgp:registry: namespace "aihub-airgp" looks like a typo of aihub-airgap, so no part of this program reads it (write aihub-airgap:registry)',
                'AIHUB-AIRGAP:protectData: namespace "AIHUB-AIRGAP" looks like a typo of aihub-airgap, so no part of this program reads it (write aihub-airgap:protectData)',
            ],
        );
    });
});

describe("issue 10.4: registry", () => {
    const withServer = (s: string) => edited((v) => (section(v, "registry").server = s));
    const FIX = "(write host[:port][/project] without https://, e.g. registry.airgap.internal:5000)";
    it("accepts host, host:port, IPv4, [IPv6]:port and host:port/project", () => {
        for (const s of [
            "registry.corp",
            "10.0.0.5:5000",
            "[fd00::1]:443",
            "harbor.corp:8443/aihub",
            "localhost:5000",
        ]) {
            ok(withServer(s));
        }
    });
    for (const [s, why] of [
        ["registry..corp", "host has an empty label (two dots in a row)"],
        ["-registry.corp", `host label "-registry" is not lower-case letters, digits and inner '-'`],
        ["registry.corp.", "host ends with a dot"],
        ["registry.corp:0", 'port "0" is not a number from 1 to 65535'],
        ["registry.corp:65536", "port 65536 is above 65535"],
        ["registry.corp:", 'port "" is not a number from 1 to 65535'],
        ["https://registry.corp", "has a scheme"],
        ["999.1.1.1", '"999.1.1.1" is not an IPv4 address'],
        ["registry.corp//x", "has an empty path component"],
        ["registry", 'host "registry" has no dot and no port, so image names under it would mean Docker Hub'],
    ]) {
        it(`rejects server ${s}`, () =>
            assertLines(withServer(s), [`aihub-airgap:registry.server: is not a registry address: ${why} ${FIX}`]));
    }
    it("rejects a username with ':' or a control character", () => {
        for (const u of ["k8s:admin", "k8s\u0007"]) {
            assertLines(
                edited((v) => (section(v, "registry").username = u)),
                [
                    "aihub-airgap:registry.username: contains ':' or a control character, which basic auth cannot carry (use the registry's user name)",
                ],
            );
        }
    });
    it("bounds the registry password so the pull Secret stays small", () => {
        const { values, secure } = airgap();
        section(values, "registry").password = "p".repeat(1025);
        assertLines(
            values,
            ["aihub-airgap:registry.password: is longer than 1024 characters (set a shorter value)"],
            secure,
        );
    });
    it("applies the host rules to image references", () => {
        assertLines(
            edited((v) => (section(v, "bundle").extraImages = ["registry..corp/x/y:1", "host.corp:70000/x:1"])),
            [
                "aihub-airgap:bundle.extraImages[0]: is not an image reference (write it like quay.io/ceph/ceph:v19.2.3)",
                "aihub-airgap:bundle.extraImages[1]: is not an image reference (write it like quay.io/ceph/ceph:v19.2.3)",
            ],
        );
        ok(edited((v) => (section(v, "bundle").extraImages = ["host.corp:5000/x/y:1"])));
    });
});

describe("issue 10.5: domain", () => {
    const withDomain = (d: string) => edited((v) => (section(v, "aihub").domain = d));
    const FIX = "(write the FQDN users open, e.g. aihub.example.com)";
    it("accepts a DNS name with labels up to 63 characters", () => {
        // The certificate must cover the domain too (issue 9.6): only the domain rule is asked about here.
        const lines = check(withDomain(`${"a".repeat(63)}.example.com`), airgap().secure).lines;
        assert.deepEqual(
            lines.filter((l) => !l.startsWith("aihub-airgap:ingress.tlsCert: does not cover aihub.domain")),
            [],
        );
    });
    it("rejects a label over 63 characters, an IP address and a trailing dot", () => {
        assertLines(withDomain(`${"a".repeat(64)}.example.com`), [
            `aihub-airgap:aihub.domain: has a label longer than 63 characters ${FIX}`,
        ]);
        assertLines(withDomain("10.0.0.1"), [`aihub-airgap:aihub.domain: is an IP address, not a DNS name ${FIX}`]);
        assertLines(withDomain("aihub.example.com."), [
            `aihub-airgap:aihub.domain: is not a DNS name: use lower-case letters, digits, '-' and '.', no trailing dot ${FIX}`,
        ]);
    });
});

describe("issue 10.7: secrets", () => {
    it("rejects an empty secure value", () => {
        assert.deepEqual(fileErrors("config:", "  aihub-airgap:registry:", '    password: { secure: "" }'), [
            {
                path: "registry.password",
                text: "is an empty secure value (set it again with: pulumi config set --secret --path registry.password, which prompts for it)",
            },
        ]);
    });
    it("rejects known passwords in plain text in aihub.values, and accepts them secure", () => {
        const { values, secure } = airgap();
        section(values, "aihub").values = { common: { initialPass: "hunter2hunter2hunter2" }, license: {} };
        assertLines(
            values,
            [
                "aihub-airgap:aihub.values.common.initialPass: is a secret given in plain text (remove it from aihub.values and run: pulumi config set --secret --path aihub.credentials.adminPassword, which prompts for it)",
            ],
            secure,
        );
        ok(values, new Set([...secure, "aihub.values.common.initialPass"]));
    });
    it("rejects credentials embedded in upstream mirror addresses", () => {
        const text =
            "carries credentials in the address, which would sit in the stack file in plain text (remove user:password@ and log in on the bastion instead: `skopeo login <mirror host>` prompts for the password and the bundle's pulls use that login)";
        for (const m of ["user:pw@artifactory.corp/dockerhub", "https://user:pw@artifactory.corp/dockerhub"]) {
            assertLines(
                edited((v) => (section(v, "bundle").upstreamMirrors = { "docker.io": m })),
                [`aihub-airgap:bundle.upstreamMirrors.docker.io: ${text}`],
            );
        }
        ok(
            edited(
                (v) => (section(v, "bundle").upstreamMirrors = { "docker.io": "artifactory.corp/dockerhub-remote" }),
            ),
        );
        assertLines(
            edited(
                (v) => (section(v, "bundle").upstreamMirrors = { "docker io": "artifactory.corp/dockerhub-remote" }),
            ),
            [
                "aihub-airgap:bundle.upstreamMirrors.docker io: is not an upstream registry host (use the host of the images, e.g. docker.io or quay.io)",
            ],
        );
    });
    it("never puts a secret on a command line in a fix hint", () => {
        const { values, secure } = airgap();
        section(values, "aihub").credentials = { adminPassword: "short", jupyterCryptKey: "x".repeat(64) };
        const lines = check(values, new Set([...secure].filter((p) => p !== "registry.password"))).lines;
        assert.equal(lines.length, 5, lines.join("\n"));
        for (const l of lines) {
            assert.match(l, /pulumi config set --secret --path [\w.]+, which prompts for it\)$/);
            assert.doesNotMatch(l, /<value>|short|xxxx/);
        }
    });
});

describe("issue 10.8 and 10.9: valid configs the README documents", () => {
    it("accepts registry.server host:port/project", () =>
        ok(edited((v) => (section(v, "registry").server = "registry.airgap.internal:5000/aihub"))));
    it("accepts aihub.credentials given as secure values (placeholders are not format-checked)", () => {
        const { values, secure } = airgap();
        section(values, "aihub").credentials = {
            adminPassword: "[secret]",
            jupyterCryptKey: "[secret]",
            landingPageClientSecret: "[secret]",
        };
        const s = new Set([
            ...secure,
            ...Object.keys(section(values, "aihub").credentials).map((n) => `aihub.credentials.${n}`),
        ]);
        ok(values, s);
    });
    it("still checks a credential's format when its value is known", () => {
        const { values, secure } = airgap();
        section(values, "aihub").credentials = { jupyterCryptKey: "abc" };
        assertLines(
            values,
            [
                "aihub-airgap:aihub.credentials.jupyterCryptKey: must be 64 lower-case hex characters (openssl rand -hex 32) (set another: pulumi config set --secret --path aihub.credentials.jupyterCryptKey, which prompts for it)",
            ],
            new Set([...secure, "aihub.credentials.jupyterCryptKey"]),
        );
    });
});

describe("issue 24: length limits of image references and host paths", () => {
    const REPO = "the distribution spec allows at most 255 (use the image's real name, e.g. quay.io/ceph/ceph:v19.2.3)";
    const TAG = "the distribution spec allows at most 128 (use the image's real name, e.g. quay.io/ceph/ceph:v19.2.3)";
    const withImage = (image: string) => edited((v) => (section(v, "ceph").image = image));
    const withExtra = (...images: string[]) => edited((v) => (section(v, "bundle").extraImages = images));

    it("rejects a ceph.image of 318 characters and one of 1 MiB, naming the key and the limit", () => {
        const long = `quay.io/ceph/${"c".repeat(297)}:v19.2.3`;
        assert.equal(long.length, 318);
        assertLines(withImage(long), [
            `aihub-airgap:ceph.image: has a repository name (host and path) of 310 characters; ${REPO}`,
        ]);
        const huge = `quay.io/ceph/${"c".repeat(1 << 20)}:v19.2.3`;
        const t0 = Date.now();
        const lines = check(withImage(huge)).lines;
        assert.ok(Date.now() - t0 < 5000);
        assert.deepEqual(lines, [
            `aihub-airgap:ceph.image: has a repository name (host and path) of ${(1 << 20) + 13} characters; ${REPO}`,
        ]);
    });
    it("takes a repository name of 255 characters and a tag of 128, not one more", () => {
        const name255 = `quay.io/x/${"n".repeat(245)}`;
        assert.equal(name255.length, 255);
        ok(withExtra(`${name255}:1`, `quay.io/x/y:${"t".repeat(128)}`));
        assertLines(withExtra(`${name255}n:1`, `quay.io/x/y:${"t".repeat(129)}`), [
            `aihub-airgap:bundle.extraImages[0]: has a repository name (host and path) of 256 characters; ${REPO}`,
            `aihub-airgap:bundle.extraImages[1]: has a tag of 129 characters; ${TAG}`,
        ]);
    });
    it("counts a Docker Hub short name as pulled: docker.io/library/<name>", () => {
        assertLines(withExtra(`${"n".repeat(240)}:1`), [
            `aihub-airgap:bundle.extraImages[0]: has a repository name (host and path) of 258 characters once normalised; ${REPO}`,
        ]);
    });
    it("rejects a ceph.dataDirHostPath longer than PATH_MAX (4096), and takes one of 4096", () => {
        const at = (n: number) => edited((v) => (section(v, "ceph").dataDirHostPath = `/${"d".repeat(n - 1)}`));
        ok(at(4096));
        const line =
            "aihub-airgap:ceph.dataDirHostPath: is longer than 4096 characters, Linux's PATH_MAX (use e.g. /var/lib/rook)";
        assertLines(at(4097), [line]);
        assertLines(at(1 << 20), [line]);
    });
    it("a missing backup.target names its choices", () => {
        assertLines(
            edited((v) => (v.backup = { schedule: "@daily" })),
            [
                "aihub-airgap:backup.target: is missing (set pvc: {size} for a claim in the AI Hub namespace, or s3: {endpoint, bucket, accessKeyId, secretAccessKey}; e.g. target: { pvc: { size: 500Gi } })",
            ],
        );
    });
});
