/**
 * Admission webhooks answered on loopback (issue: the sim never dials off the machine): the named webhook
 * configurations of a chart point at a loopback URL (testing/sim/webhooks.ts routed them to the real webhook server
 * the sim runs), none is reported unanswered, and the API server's log has no failed call to any of their webhooks.
 * A chart whose `failurePolicy: Ignore` webhook guards objects of its own install (Envoy Gateway's topology injector
 * and its controller's pod, kube-prometheus-stack's rules) sees calls fail open before its server exists, on a real
 * cluster as here: with `routedOnly`, such a call to the Service's own address (made before the sim routed the
 * webhook to loopback) is not counted for an `Ignore` webhook; every call to the loopback server still is.
 * `retried` names `Fail` webhooks that the program probes with an admission wait (k8s/admission-ready.ts) until they
 * answer: a probe refused before the sim routed the webhook (on a real cluster: before its pod serves) is retried,
 * so it is not counted either; a refused create of the program's own would have failed the `up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UNANSWERED_ANNOTATION } from "../../testing/sim/webhooks";
import type { EngineScenario } from "./scenario";

interface Webhook {
    name: string;
    clientConfig?: { url?: string; service?: unknown };
    /** `Fail` (the default) or `Ignore`. */
    failurePolicy?: string;
}

/**
 * Throws naming every webhook of `configurations` that is not answered on 127.0.0.1 or whose call failed. With
 * `routedOnly`, a failed call of an `Ignore` webhook to its Service (before the sim routed it) does not count.
 */
export async function webhooksAnsweredOnLoopback(
    s: EngineScenario,
    configurations: string[],
    opts: { routedOnly?: boolean; retried?: string[] } = {},
): Promise<void> {
    const problems: string[] = [];
    const names: string[] = [];
    const failOpen: string[] = [];
    const base = "/apis/admissionregistration.k8s.io/v1";
    for (const name of configurations) {
        const found = [];
        for (const plural of ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"]) {
            const cfg = await s.sim.client.get(`${base}/${plural}/${name}`);
            if (cfg) found.push(cfg);
        }
        if (found.length === 0) problems.push(`webhook configuration ${name} is missing`);
        for (const cfg of found) {
            const unanswered = cfg.metadata.annotations?.[UNANSWERED_ANNOTATION];
            if (unanswered) problems.push(`${name}: reported unanswered: ${unanswered}`);
            for (const w of (cfg as { webhooks?: Webhook[] }).webhooks ?? []) {
                names.push(w.name);
                if (w.failurePolicy === "Ignore") failOpen.push(w.name);
                const url = w.clientConfig?.url ?? "";
                if (!url.startsWith("https://127.0.0.1:")) {
                    problems.push(`${name}/${w.name} is not answered on loopback: ${JSON.stringify(w.clientConfig)}`);
                }
            }
        }
    }
    const log = fs.readFileSync(path.join(s.sim.dir, "logs", "kube-apiserver.log"), "utf8");
    for (const line of log.split("\n").filter((l) => /failed calling webhook/i.test(l))) {
        const toService = !line.includes("https://127.0.0.1:");
        if (opts.routedOnly && toService && failOpen.some((n) => line.includes(n))) continue;
        if (toService && (opts.retried ?? []).some((n) => line.includes(n))) continue;
        if (names.some((n) => line.includes(n))) problems.push(`kube-apiserver: ${line.trim()}`);
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
}
