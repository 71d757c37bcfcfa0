/**
 * What the live-cluster commands (`preflight`, `status`) read from a stack file, parsed once: namespaces, the URL,
 * the disk map, and which cluster to talk to (`--kubeconfig`/`--context` flags over the stack's optional
 * `kubernetes: {kubeconfig, context}` over `KUBECONFIG` over ~/.kube/config).
 */
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { publicUrl } from "../modules/aihub/values";
import { ApiClient } from "../lib/kube-api";
import { cephSchema } from "../config/schema";
import { readStackFile } from "../config/stackfile";
import { formatProblem, joinPath } from "../lib/problems";

/** The keys the live-cluster commands use; other keys are left to the program's validation. */
const opsSchema = z.looseObject({
    rook: z.looseObject({ namespace: z.string().default("rook-ceph") }).prefault({}),
    ceph: cephSchema.pick({ image: true, nodes: true }).loose(),
    aihub: z.looseObject({
        namespace: z.string().default("aihub"),
        domain: z.string({ error: "is required (the FQDN users open)" }),
        running: z.boolean({ error: "must be true or false" }).default(true),
    }),
    registry: z.looseObject({
        server: z.string({ error: "is required (the private registry host)" }),
        username: z.string().default(""),
        pullSecretName: z.string().default("airgap-registry"),
    }),
    ingress: z.looseObject({ mode: z.enum(["http", "https", "https-custom-ca"]).default("https") }).prefault({}),
    backup: z.unknown().optional(),
    kubernetes: z.strictObject({ kubeconfig: z.string().optional(), context: z.string().optional() }).optional(),
});

/** A stack as the live-cluster commands see it. */
export interface OpsTarget {
    stack: string;
    rookNamespace: string;
    aihubNamespace: string;
    url: string;
    running: boolean;
    backupConfigured: boolean;
    ceph: z.output<typeof opsSchema>["ceph"];
    registry: { server: string; username: string; pullSecretName: string };
    kubernetes: { kubeconfig?: string; context?: string };
}

/** Reads and checks the stack file; throws one line per problem, each naming the key. */
export function loadOpsTarget(projectDir: string, stack: string): OpsTarget {
    const file = readStackFile(projectDir, stack);
    const r = opsSchema.safeParse(file.values);
    if (!r.success) {
        const lines = r.error.issues.map((i) => formatProblem({ path: joinPath(i.path), text: i.message }));
        throw new Error(`${file.file}:\n  ${lines.join("\n  ")}`);
    }
    const v = r.data;
    return {
        stack,
        rookNamespace: v.rook.namespace,
        aihubNamespace: v.aihub.namespace,
        url: publicUrl(v.aihub.domain, v.ingress.mode),
        running: v.aihub.running,
        backupConfigured: v.backup !== undefined,
        ceph: v.ceph,
        registry: {
            server: v.registry.server,
            username: v.registry.username,
            pullSecretName: v.registry.pullSecretName,
        },
        kubernetes: v.kubernetes ?? {},
    };
}

/** The kubeconfig file and context to use: flags, then the stack's `kubernetes` key, then the usual defaults. */
export function clusterAccess(
    flags: { kubeconfig?: string; context?: string },
    target: Pick<OpsTarget, "kubernetes">,
    env: NodeJS.ProcessEnv = process.env,
): { kubeconfig: string; context?: string } {
    const kubeconfig =
        flags.kubeconfig ??
        target.kubernetes.kubeconfig ??
        env.KUBECONFIG?.split(path.delimiter)[0] ??
        path.join(os.homedir(), ".kube", "config");
    return { kubeconfig, context: flags.context ?? target.kubernetes.context };
}

/** An API client for the chosen cluster; the error names the file and the flag to fix it. */
export function clusterClient(access: { kubeconfig: string; context?: string }): ApiClient {
    try {
        return ApiClient.fromKubeconfig(access.kubeconfig, access.context);
    } catch (e) {
        throw new Error(
            `cannot use ${access.kubeconfig}${access.context ? ` (context ${access.context})` : ""}: ` +
                `${(e as Error).message} (pass --kubeconfig <file> and --context <name>, or set aihub-airgap:kubernetes)`,
        );
    }
}
