/** Where the sim's controller parts write their one-line reports. */
export type Log = (line: string) => void;
