const jwt = require("jsonwebtoken");

function authenticate(req, res, next) {
  const token = req.headers.authorization.split(" ")[1];
  // ruleid: js-jwt-none-algorithm
  req.user = jwt.verify(token, publicKey, { algorithms: ["RS256", "none"] });
  next();
}

function requireAuth(req, res, next) {
  const token = req.cookies.token;
  // ruleid: js-jwt-decode-without-verify
  const payload = jwt.decode(token);
  if (!payload || !payload.userId) return res.status(401).end();
  req.user = payload;
  next();
}

async function getCurrentUser(token) {
  // ruleid: js-jwt-decode-without-verify
  const claims = jwt.decode(token);
  return User.findById(claims.sub);
}

function verifyRefresh(req, res, next) {
  // ruleid: js-jwt-ignore-expiration
  const data = jwt.verify(req.body.refreshToken, process.env.REFRESH_SECRET, { ignoreExpiration: true });
  req.user = data;
  next();
}

// ---------- safe ----------
function authenticateSafe(req, res, next) {
  const token = req.headers.authorization.split(" ")[1];
  // ok: js-jwt-none-algorithm
  req.user = jwt.verify(token, process.env.JWT_SECRET, { algorithms: ["HS256"] });
  next();
}

function authWithKid(req, res, next) {
  const token = req.headers.authorization.split(" ")[1];
  // ok: js-jwt-decode-without-verify
  const { header } = jwt.decode(token, { complete: true });
  const key = keys[header.kid];
  req.user = jwt.verify(token, key, { algorithms: ["RS256"] });
  next();
}

function logTokenInfo(token) {
  // ok: js-jwt-decode-without-verify
  const info = jwt.decode(token);
  console.log("token expires at", info.exp);
}

function verifyAccess(req, res, next) {
  // ok: js-jwt-ignore-expiration
  req.user = jwt.verify(req.body.token, process.env.JWT_SECRET, { ignoreExpiration: false });
  next();
}

// --- more decoders that skip the signature check ---
async function requireSsoUser(req, res, next) {
  // ruleid: js-jwt-decode-without-verify
  const payload = jose.decodeJwt(req.headers.authorization.slice(7));
  req.user = payload;
  next();
}

const mobileAuthorizer = async (event) => {
  // ruleid: js-jwt-decode-without-verify
  const claims = jwtDecode(event.authorizationToken);
  return claims.sub;
};

class SessionService {
  async currentUser(authorization) {
    // ruleid: js-jwt-decode-without-verify
    return this.jwtService.decode(authorization.replace(/^Bearer /, ""));
  }

  async currentUserVerified(authorization) {
    // ok: js-jwt-decode-without-verify
    return this.jwtService.verifyAsync(authorization.replace(/^Bearer /, ""), { algorithms: ["HS256"] });
  }

  internalClaims(token) {
    // ruleid: js-jwt-unsecured-decode
    return UnsecuredJWT.decode(token).payload;
  }

  async verifiedClaims(token) {
    // ok: js-jwt-unsecured-decode
    return (await jwtVerify(token, JWKS, { algorithms: ["RS256"] })).payload;
  }
}
