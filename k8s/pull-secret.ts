import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link ImagePullSecret}. */
export interface ImagePullSecretArgs {
    /** Namespace the Secret is created in. */
    namespace: pulumi.Input<string>;
    /** Name of the Secret; pods and service accounts refer to it. */
    secretName: string;
    /** Private registry, `host[:port][/project]`; only the host part keys the credentials. */
    server: string;
    /** Registry user. */
    username: string;
    /** Registry password; kept secret end to end. */
    password: pulumi.Input<string>;
}

/** The registry host that keys `auths` in a Docker config (drops any `/project` suffix). */
export function registryHost(server: string): string {
    return server.split("/")[0];
}

/** The `.dockerconfigjson` document for one registry. */
export function dockerConfigJson(server: string, username: string, password: string): string {
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    return JSON.stringify({ auths: { [registryHost(server)]: { username, password, auth } } });
}

/** A `kubernetes.io/dockerconfigjson` Secret holding the private registry's credentials in one namespace. */
export class ImagePullSecret extends pulumi.ComponentResource {
    /** Name of the Secret, for `imagePullSecrets` references. */
    public readonly secretName: pulumi.Output<string>;
    /** The Secret itself, for `dependsOn`. */
    public readonly secret: k8s.core.v1.Secret;

    constructor(name: string, args: ImagePullSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:registry:ImagePullSecret", name, {}, opts);
        const config = pulumi
            .secret(args.password)
            .apply((password) => dockerConfigJson(args.server, args.username, password));
        this.secret = new k8s.core.v1.Secret(
            name,
            {
                metadata: { name: args.secretName, namespace: args.namespace },
                type: "kubernetes.io/dockerconfigjson",
                stringData: { ".dockerconfigjson": config },
            },
            { parent: this },
        );
        this.secretName = this.secret.metadata.name;
        this.registerOutputs({ secretName: this.secretName });
    }
}
