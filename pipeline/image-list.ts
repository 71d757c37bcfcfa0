/**
 * Plain image lists (`bundle --images-from <file>`): one reference a line, `#` comments and blank lines ignored —
 * the format of Rook's deploy/examples/images.txt and Charmed Kubeflow's images.txt.
 */
import * as fs from "node:fs";
import { mapImage, normaliseImageRef, printable } from "../lib/imageref";

/** The references of a list in file order (normalised); a malformed one throws naming `file:line`. */
export function parseImageList(text: string, file: string): string[] {
    const refs: string[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.replace(/#.*$/, "").trim();
        if (line === "") return;
        if (/\s/.test(line)) throw new Error(`${file}:${i + 1}: "${printable(line)}" is more than one reference`);
        try {
            refs.push(normaliseImageRef(line));
        } catch (e) {
            throw new Error(`${file}:${i + 1}: ${(e as Error).message}; fix or remove the line`);
        }
    });
    return refs;
}

/** Reads and parses each list; a missing file throws naming it. */
export function readImageLists(files: readonly string[]): string[][] {
    return files.map((f) => {
        if (!fs.existsSync(f)) throw new Error(`--images-from ${f}: no such file`);
        return parseImageList(fs.readFileSync(f, "utf8"), f);
    });
}

/**
 * The `push --retagged` texts: the N-th text holds the N-th recorded list's images mapped into `registry`, in the
 * list's order, one a line without a trailing newline (Charmed Kubeflow's retagged-images.txt). Throws when the
 * number of files differs from the number of lists the bundle recorded.
 */
export function retaggedTexts(
    lists: readonly { file: string; images: string[] }[],
    registry: string,
    files: number,
): string[] {
    if (files !== lists.length) {
        const names = lists.map((l) => l.file).join(", ") || "none";
        throw new Error(
            `${files} --retagged file(s) given, but the bundle recorded ${lists.length} --images-from list(s) (${names}): give one --retagged per list, in the same order`,
        );
    }
    return lists.map((l) => l.images.map((ref) => mapImage(ref, registry)).join("\n"));
}
