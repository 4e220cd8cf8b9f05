import { createHash } from "node:crypto";

const MASK = (1n << 64n) - 1n;

/**
 * An order-independent checksum of a table's canonical rows: the sum, modulo
 * 2^64, of the first 8 bytes of each row's SHA-256. Source and target are
 * read in different orders (different databases, different collations), and
 * a sum does not care; a missing, extra or changed row changes it.
 */
export class TableChecksum {
  private sum = 0n;
  count = 0;

  add(canonical: string) {
    this.sum = (this.sum + createHash("sha256").update(canonical).digest().readBigUInt64BE(0)) & MASK;
    this.count++;
  }

  get hex() {
    return this.sum.toString(16).padStart(16, "0");
  }
}
