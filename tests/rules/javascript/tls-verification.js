const https = require("https");
const axios = require("axios");

// ruleid: js-tls-reject-unauthorized-disabled
const agent = new https.Agent({ rejectUnauthorized: false });
const client = axios.create({ httpsAgent: agent });

function insecureRequest(url) {
  // ruleid: js-tls-reject-unauthorized-disabled
  return https.get(url, { rejectUnauthorized: false, timeout: 5000 }, (res) => res.resume());
}

// ruleid: js-tls-reject-unauthorized-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

// ruleid: js-tls-reject-unauthorized-disabled
request({ url: "https://internal.example.com", strictSSL: false }, cb);

// ok: js-tls-reject-unauthorized-disabled
const good = new https.Agent({ rejectUnauthorized: true, ca: fs.readFileSync("ca.pem") });
// ok: js-tls-reject-unauthorized-disabled
const dev = new https.Agent({ rejectUnauthorized: process.env.NODE_ENV === "production" });
// ok: js-tls-reject-unauthorized-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";
