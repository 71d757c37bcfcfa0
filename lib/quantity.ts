/**
 * Kubernetes resource quantities (the subset used for disk sizes): `10Gi`, `256G`, `500M`. A unit is required: a
 * bare `10` is 10 bytes to Kubernetes, which is never what a disk size means.
 */

const UNITS: Record<string, number> = {
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

const QUANTITY = /^(\d{1,15}(?:\.\d{1,9})?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)$/;

/** True when `q` is a quantity this tool accepts for sizes. */
export function isQuantity(q: string): boolean {
    return QUANTITY.test(q);
}

/** The number of bytes a quantity stands for. Throws on a malformed quantity. */
export function quantityBytes(q: string): number {
    const m = QUANTITY.exec(q);
    if (!m) throw new Error(`"${q}" is not a Kubernetes quantity such as 10Gi`);
    return Number(m[1]) * UNITS[m[2]];
}

/** `1Pi`: no single disk is larger; a size above it is a unit mistake. */
export const MAX_DISK_BYTES = 2 ** 50;

/** `10G`, the smallest mon disk the guide allows (Rook: at least 10 GB for the mon store). */
export const MIN_MON_BYTES = 10e9;

/** `5Gi`, the smallest device ceph-volume accepts as an OSD. */
export const MIN_OSD_BYTES = 5 * 2 ** 30;
