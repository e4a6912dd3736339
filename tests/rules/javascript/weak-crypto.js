const crypto = require("crypto");

function hashPassword(password) {
  // ruleid: js-weak-hash-password
  return crypto.createHash("md5").update(password).digest("hex");
}

async function register(req, res) {
  const { email, password } = req.body;
  // ruleid: js-weak-hash-password
  const passwordHash = crypto.createHash("sha1").update(password + SALT).digest("hex");
  await User.create({ email, passwordHash });
}

function fingerprintUser(user) {
  const h = crypto.createHash("md5");
  // ruleid: js-weak-hash-password
  h.update(user.resetToken);
  return h.digest("base64");
}

const legacyLogin = (u, pwd) => {
  // ruleid: js-weak-hash-password
  return md5(pwd) === u.hash;
};

// ok: js-weak-hash-password
const etag = crypto.createHash("md5").update(fileContents).digest("hex");
// ok: js-weak-hash-password
const checksum = crypto.createHash("sha1").update(buffer).digest("hex");
// ok: js-weak-hash-password
const pwHash = crypto.createHash("sha256").update(password).digest("hex");
function cacheKey(url) {
  // ok: js-weak-hash-password
  return crypto.createHash("md5").update(url).digest("hex");
}

function encryptLegacy(text, key) {
  // ruleid: js-crypto-createcipher-deprecated
  const cipher = crypto.createCipher("aes-256-cbc", key);
  return cipher.update(text, "utf8", "hex") + cipher.final("hex");
}

function encryptDes(text, key, iv) {
  // ruleid: js-weak-cipher-algorithm
  const c = crypto.createCipheriv("des-ede3-cbc", key, iv);
  // ruleid: js-weak-cipher-algorithm
  const e = crypto.createCipheriv("aes-128-ecb", key, null);
  // ruleid: js-weak-cipher-algorithm
  const w = CryptoJS.AES.encrypt(text, key, { mode: CryptoJS.mode.ECB });
  return [c, e, w];
}

function encryptGood(text, key) {
  const iv = crypto.randomBytes(12);
  // ok: js-weak-cipher-algorithm
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  // ok: js-crypto-createcipher-deprecated
  const d = crypto.createDecipheriv("aes-256-gcm", key, iv);
  return [cipher, d];
}
