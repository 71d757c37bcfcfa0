import * as pulumi from "@pulumi/pulumi";
import { CREDENTIALS, PASSWORD_LENGTH, type CredentialSpec } from "../../catalog/aihub-credentials";
import { GeneratedSecret } from "../../k8s/generated-secret";

/** Arguments of {@link AiHubCredentials}. */
export interface AiHubCredentialsArgs {
    /**
     * Values that replace generated ones, by credential name (`aihub-airgap:aihub.credentials.<name>`); config
     * validation has checked each against its credential's shape. @default {} (everything generated)
     */
    overrides?: Record<string, pulumi.Input<string>>;
}

/**
 * Every password, key and client secret the AI Hub chart expects: generated once by {@link GeneratedSecret} (kept in
 * the state, so they stay the same across `pulumi up` runs) unless overridden from secure config; all kept secret.
 */
export class AiHubCredentials extends pulumi.ComponentResource {
    /** Credential values by name, as one secret Output. */
    public readonly values: pulumi.Output<Record<string, string>>;
    /** The initial admin password (secret). */
    public readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: AiHubCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:aihub:AiHubCredentials", name, {}, opts);
        const overrides = args.overrides ?? {};
        const entries = CREDENTIALS.map((spec): [string, pulumi.Output<string>] => {
            const given = overrides[spec.name];
            const value = given === undefined ? this.generate(`${name}-${spec.name}`, spec) : pulumi.output(given);
            return [spec.name, pulumi.secret(value)];
        });
        this.values = pulumi.secret(pulumi.all(Object.fromEntries(entries)));
        this.adminPassword = pulumi.secret(Object.fromEntries(entries).adminPassword);
        this.registerOutputs({ values: this.values, adminPassword: this.adminPassword });
    }

    private generate(resourceName: string, spec: CredentialSpec): pulumi.Output<string> {
        const length = spec.shape === "password" ? PASSWORD_LENGTH : undefined;
        return new GeneratedSecret(resourceName, { shape: spec.shape, length }, { parent: this }).value;
    }
}
