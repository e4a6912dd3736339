import * as tls from "tls";
import { Agent } from "https";

const opts: tls.ConnectionOptions = {
  host: "db.internal",
  port: 5432,
  // ruleid: js-tls-reject-unauthorized-disabled
  ssl: { rejectUnauthorized: false } as tls.ConnectionOptions,
};

export function makeAgent(): Agent {
  // ok: js-tls-reject-unauthorized-disabled
  return new Agent({ rejectUnauthorized: true, keepAlive: true });
}
