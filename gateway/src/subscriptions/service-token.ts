import { mintToken } from "@emshop/common/auth/mint";
import type { FeedCredential } from "./options";

/** Lifetime of a minted token; a fresh one is minted when less than RENEW_BEFORE_S is left. */
const TTL_S = 3600;
const RENEW_BEFORE_S = 300;

/**
 * The `Authorization` header the gateway reads the change feed with: its own
 * token for role `gateway` (scope stock:audit), minted once an hour with the
 * subgraphs' shared secret, or the token it was given.
 */
export function feedAuthorization(credential: FeedCredential): () => Promise<string> {
  if (credential.kind === "token") {
    const header = `Bearer ${credential.token}`;
    return async () => header;
  }
  let current: { header: Promise<string>; renewAt: number } | undefined;
  return () => {
    const now = Date.now();
    if (!current || now >= current.renewAt) {
      const header = mintToken(credential, { subject: "gateway", role: "gateway", ttlSeconds: TTL_S }).then(
        (token) => `Bearer ${token}`,
      );
      current = { header, renewAt: now + (TTL_S - RENEW_BEFORE_S) * 1000 };
    }
    return current.header;
  };
}
