/**
 * Waits until the API server admits an object: a server-side dry-run create (`?dryRun=All`, which runs every
 * admission webhook and stores nothing) is repeated while the webhook is not reachable yet. Run by the AdmissionReady
 * dynamic resource (k8s/admission-ready.ts) as `node scripts/cli-bundle.cjs admission-ready`, its input
 * as JSON on stdin (a kubeconfig path and context, the collection path and the object; nothing secret).
 */
import type { ApiResponse } from "../lib/kube-api";
import { runKubeWait } from "./kube-wait";
import { sleep } from "../lib/async";

/** What the wait needs. */
export interface AdmissionReadyInput {
    /** Collection path of the object, e.g. `/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools`. */
    path: string;
    /** The object as it will be created. */
    object: { kind: string; metadata: { name: string } };
    /** Seconds to keep trying. */
    timeoutSeconds: number;
    /** Kubeconfig path (relative to the project directory); @default $KUBECONFIG, then ~/.kube/config. */
    kubeconfig?: string;
    /** Context; @default the kubeconfig's current one. */
    context?: string;
}

/**
 * Whether an answer to the dry run means "admitted" (2xx, or 409: the object exists, so it passed admission before
 * storage refused it), "retry" (the webhook or the API server is not answering yet: 5xx), or a refusal to report.
 */
export function admissionOutcome(res: ApiResponse): "admitted" | "retry" | string {
    if ((res.status >= 200 && res.status < 300) || res.status === 409) return "admitted";
    if (res.status >= 500) return "retry";
    const message = (res.body as { message?: string } | undefined)?.message;
    return `HTTP ${res.status}: ${message ?? JSON.stringify(res.body)}`;
}

/** Repeats `dryRun` every `pollMs` until admitted, refused or out of time; resolves to the failure text or undefined. */
export async function waitForAdmission(
    dryRun: () => Promise<ApiResponse>,
    input: Pick<AdmissionReadyInput, "object" | "timeoutSeconds">,
    log: (line: string) => void,
    pollMs = 3000,
): Promise<string | undefined> {
    const what = `${input.object.kind} ${input.object.metadata.name}`;
    const t0 = Date.now();
    let last = "";
    for (let attempt = 1; ; attempt++) {
        const res = await dryRun().catch((e: Error) => ({ status: 599, body: { message: e.message } }));
        const outcome = admissionOutcome(res);
        if (outcome === "admitted") {
            if (attempt > 1) log(`${what}: admitted after ${attempt} attempts`);
            return undefined;
        }
        const reason = (res.body as { message?: string } | undefined)?.message ?? `HTTP ${res.status}`;
        if (outcome !== "retry") return `${what} is refused by the API server: ${outcome}`;
        if (reason !== last) log(`${what}: waiting for its admission webhook (${reason})`);
        last = reason;
        if (Date.now() - t0 >= input.timeoutSeconds * 1000) {
            return `${what}: its admission webhook did not answer within ${input.timeoutSeconds} s (last: ${reason}); check the webhook's pods and run pulumi up again`;
        }
        await sleep(pollMs);
    }
}

if (require.main === module) {
    runKubeWait<AdmissionReadyInput>((client, input, log) =>
        waitForAdmission(() => client.request("POST", `${input.path}?dryRun=All`, input.object), input, log),
    );
}
