import type { z } from "zod";
import type { AddOn } from "../../platform/contracts";

/** Declares an add-on with its types kept (the table needs the literal name and the schema's output type). */
export function defineAddOn<N extends string, S extends z.ZodType>(a: AddOn<N, S>): AddOn<N, S> {
    return a;
}
