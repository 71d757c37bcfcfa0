import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

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
}

/** Single-quotes a word for `/bin/sh`. */
export function shellQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The push command line the component runs (the same code as `npm run push`, through the project's tsx). */
export function pushCommandLine(bundlePath: string, stack: string, parallel = 4): string {
    return `node --import tsx cli/push.ts ${shellQuote(bundlePath)} --stack ${shellQuote(stack)} --parallel ${parallel}`;
}

/**
 * Pushes the bundle's images into the private registry during `pulumi up` (design §3: images first), by running
 * the push CLI through `@pulumi/command` `local.Command`. The releases depend on this component.
 *
 * The bundle hash sits in `environment`, not `triggers`: a changed environment re-runs the command in place
 * (an update), while `triggers` would replace the resource on every new bundle. The push itself skips images
 * already present, so a re-run after a password change is cheap. Nothing is deleted on destroy: images stay in
 * the registry.
 */
export class RegistryMirror extends pulumi.ComponentResource {
    /** The push command, for `dependsOn`. */
    public readonly push: command.local.Command;
    /** sha256 of the bundle.json that was pushed. */
    public readonly bundleSha256: pulumi.Output<string>;

    constructor(name: string, args: RegistryMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:registry:RegistryMirror", name, {}, opts);
        this.push = new command.local.Command(
            `${name}-push`,
            {
                create: pushCommandLine(args.bundlePath, args.stack, args.parallel),
                environment: {
                    AIHUB_REGISTRY_PASSWORD: pulumi.secret(args.password),
                    AIHUB_BUNDLE_SHA256: args.bundleSha256,
                    PULUMI_SKIP_UPDATE_CHECK: "true",
                },
                // Progress lines only; skopeo's raw stderr stays out of the log (on failure Pulumi shows it anyway).
                logging: "stdout",
                // The env var of the previous run would hand the old stdout back; nothing needs it.
                addPreviousOutputInEnv: false,
            },
            { parent: this },
        );
        this.bundleSha256 = pulumi.output(args.bundleSha256);
        this.registerOutputs({ bundleSha256: this.bundleSha256 });
    }
}
