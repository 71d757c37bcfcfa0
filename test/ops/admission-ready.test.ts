/** The admission wait (cli/admission-ready.ts): retries while the webhook does not answer, stops on a refusal. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { admissionOutcome, waitForAdmission } from "../../cli/admission-ready";
import type { ApiResponse } from "../../lib/kube-api";

const POOL = { kind: "IPAddressPool", metadata: { name: "aihub" } };
const WEBHOOK_DOWN: ApiResponse = {
    status: 500,
    body: {
        message:
            'Internal error occurred: failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io": connect: connection refused',
    },
};

/** Answers the scripted responses in turn (a thrown Error stands for a connection failure). */
function scripted(answers: (ApiResponse | Error)[]): { dryRun: () => Promise<ApiResponse>; calls: () => number } {
    let n = 0;
    return {
        dryRun: async () => {
            const a = answers[Math.min(n++, answers.length - 1)];
            if (a instanceof Error) throw a;
            return a;
        },
        calls: () => n,
    };
}

test("a dry run is admitted by 2xx and by 409 (exists, so it passed admission); 5xx retries; 4xx is a refusal", () => {
    assert.equal(admissionOutcome({ status: 201, body: {} }), "admitted");
    assert.equal(admissionOutcome({ status: 409, body: {} }), "admitted");
    assert.equal(admissionOutcome(WEBHOOK_DOWN), "retry");
    assert.equal(
        admissionOutcome({ status: 400, body: { message: 'admission webhook denied the request: overlaps "other"' } }),
        'HTTP 400: admission webhook denied the request: overlaps "other"',
    );
});

test("waits while the webhook is not answering, logs the reason once, and passes once it admits", async () => {
    const s = scripted([
        WEBHOOK_DOWN,
        new Error("socket hang up"),
        WEBHOOK_DOWN,
        WEBHOOK_DOWN,
        { status: 201, body: {} },
    ]);
    const log: string[] = [];
    const failure = await waitForAdmission(s.dryRun, { object: POOL, timeoutSeconds: 60 }, (l) => log.push(l), 1);
    assert.equal(failure, undefined);
    assert.equal(s.calls(), 5);
    assert.deepEqual(
        log.map((l) => l.replace(/\(.*\)/, "(…)")),
        [
            "IPAddressPool aihub: waiting for its admission webhook (…)",
            "IPAddressPool aihub: waiting for its admission webhook (…)",
            "IPAddressPool aihub: waiting for its admission webhook (…)",
            "IPAddressPool aihub: admitted after 5 attempts",
        ],
    );
});

test("a refusal ends the wait at once with the API server's message; a webhook that never answers times out", async () => {
    const refused = scripted([{ status: 422, body: { message: "spec.addresses: Invalid value" } }]);
    const failure = await waitForAdmission(refused.dryRun, { object: POOL, timeoutSeconds: 60 }, () => {}, 1);
    assert.equal(failure, "IPAddressPool aihub is refused by the API server: HTTP 422: spec.addresses: Invalid value");
    assert.equal(refused.calls(), 1);
    const down = scripted([WEBHOOK_DOWN]);
    const late = await waitForAdmission(down.dryRun, { object: POOL, timeoutSeconds: 0.05 }, () => {}, 5);
    assert.match(
        late!,
        /^IPAddressPool aihub: its admission webhook did not answer within 0.05 s \(last: Internal error/,
    );
    assert.match(late!, /run pulumi up again$/);
});
