import * as pulumi from "@pulumi/pulumi";
import { BundlePush } from "./bundle-push";

/** Arguments of {@link RegistryMirror}. */
export interface RegistryMirrorArgs {
    /** The bundle directory, relative to the project directory (where the command runs) or absolute. */
    bundlePath: string;
    /** The stack whose `registry` settings (server, user, CA) the push reads from `Pulumi.<stack>.yaml`. */
    stack: string;
    /** Registry password; reaches the push only as the secret environment variable `AIHUB_REGISTRY_PASSWORD`. */
    password: pulumi.Input<string>;
    /**
     * sha256 of the bundle's `bundle.json`; a new bundle (new hash) runs the push again. `"missing"` when the
     * bundle is not there yet (the push then fails naming it).
     */
    bundleSha256: string;
    /** Images pushed at once. @default 4 */
    parallel?: number;
    /**
     * The stack's `bundle.publicKey` (PEM). The push reads it from the stack file itself and refuses a bundle it did
     * not sign (and a signed bundle when it is unset); passed here so a new key runs the push again. @default none
     */
    publicKey?: string;
}

/**
 * Pushes the bundle's images into the private registry during `pulumi up` (design §3: images first), by running
 * the push CLI through {@link BundlePush}. The releases depend on this component.
 *
 * A new bundle (new bundle.json hash) or password re-runs the push as an update; the push skips images already
 * present, so a re-run is cheap. Nothing is deleted on destroy: images stay in the registry.
 */
export class RegistryMirror extends pulumi.ComponentResource {
    /** The push command, for `dependsOn`. */
    public readonly push: BundlePush;
    /** sha256 of the bundle.json that was pushed. */
    public readonly bundleSha256: pulumi.Output<string>;

    constructor(name: string, args: RegistryMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:registry:RegistryMirror", name, {}, opts);
        this.push = new BundlePush(
            `${name}-push`,
            {
                bundlePath: args.bundlePath,
                stack: args.stack,
                parallel: args.parallel ?? 4,
                bundleSha256: args.bundleSha256,
                password: args.password,
                publicKey: args.publicKey ?? "",
            },
            { parent: this },
        );
        this.bundleSha256 = pulumi.output(args.bundleSha256);
        this.registerOutputs({ bundleSha256: this.bundleSha256 });
    }
}
