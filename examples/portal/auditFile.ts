/**
 * The audit log's file: appended to with O_APPEND and capped in size by rotation. When a line would take the file past
 * its cap, the file is renamed `<file>.1` (older ones shift to `.2` … `.<keep>`; the oldest is dropped) and a fresh
 * file is started. Lines are never rewritten or truncated in place, so a shipper that follows the file by name (or a
 * copy-and-truncate tool) sees every line once; the disk the log takes is at most (keep + 1) × maxBytes.
 */
import * as fs from "fs";

/** Default cap of the current file: 64 MiB. */
export const AUDIT_MAX_BYTES = 64 * 1024 * 1024;
/** Default number of rotated files kept beside the current one. */
export const AUDIT_KEEP = 5;

const OPEN_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT;

/** An append-only file rotated at `maxBytes`, keeping `keep` older files. */
export class RotatingFile {
    private fd: number | undefined;
    private size: number;

    constructor(readonly file: string, readonly maxBytes = AUDIT_MAX_BYTES, readonly keep = AUDIT_KEEP) {
        this.fd = fs.openSync(file, OPEN_FLAGS, 0o600);
        this.size = fs.fstatSync(this.fd).size;
    }

    /** Appends `text` (one whole line) in one write, rotating first if it would not fit under the cap. */
    append(text: string): void {
        const bytes = Buffer.byteLength(text);
        // After close (a connection cut while the portal stops) lines are still written: opened for the one write.
        const reopened = this.fd === undefined;
        if (reopened) this.openAgain();
        if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
        // One write per line: O_APPEND makes each write land whole at the end of the file.
        fs.writeSync(this.fd!, text);
        this.size += bytes;
        if (reopened) this.close();
    }

    close(): void {
        if (this.fd !== undefined) fs.closeSync(this.fd);
        this.fd = undefined;
    }

    private openAgain(): void {
        this.fd = fs.openSync(this.file, OPEN_FLAGS, 0o600);
        this.size = fs.fstatSync(this.fd).size;
    }

    /** `<file>.<n>` → `<file>.<n+1>` from the oldest kept down, then `<file>` → `<file>.1` and a fresh `<file>`. */
    private rotate(): void {
        this.close();
        for (let n = this.keep - 1; n >= 1; n--) {
            if (fs.existsSync(`${this.file}.${n}`)) fs.renameSync(`${this.file}.${n}`, `${this.file}.${n + 1}`);
        }
        fs.renameSync(this.file, `${this.file}.1`);
        this.openAgain();
    }
}
