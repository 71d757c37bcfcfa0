/** Kubernetes resource quantities (the subset used for disk sizes): `10Gi`, `256G`, `500M`, plain bytes. */

const UNITS: Record<string, number> = {
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
};

const QUANTITY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;

/** True when `q` is a quantity this tool accepts for sizes. */
export function isQuantity(q: string): boolean {
    return QUANTITY.test(q);
}

/** The number of bytes a quantity stands for. Throws on a malformed quantity. */
export function quantityBytes(q: string): number {
    const m = QUANTITY.exec(q);
    if (!m) throw new Error(`"${q}" is not a Kubernetes quantity such as 10Gi`);
    return Number(m[1]) * UNITS[m[2] ?? ""];
}

/** `5Gi`, the smallest device ceph-volume accepts as an OSD. */
export const MIN_OSD_BYTES = 5 * 2 ** 30;
