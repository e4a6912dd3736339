function generateToken() {
  // ruleid: js-weak-random-token
  return Math.random().toString(36).substring(2);
}

async function forgotPassword(req, res) {
  const user = await User.findOne({ email: String(req.body.email) });
  // ruleid: js-weak-random-token
  const resetToken = Math.floor(Math.random() * 1e16).toString(16);
  // ruleid: js-weak-random-token
  user.passwordResetCode = Math.floor(100000 + Math.random() * 900000);
  await user.save();
  // ruleid: js-weak-random-token
  const session = { sessionId: Math.random().toString(36).slice(2), userId: user.id };
  res.json(session);
}

const randomPassword = (len) => {
  let out = "";
  for (let i = 0; i < len; i++) {
    // ruleid: js-weak-random-token
    out += CHARS[Math.floor(Math.random() * CHARS.length)];
  }
  return out;
};

// ok: js-weak-random-token
const delay = Math.random() * 1000;
// ok: js-weak-random-token
const color = COLORS[Math.floor(Math.random() * COLORS.length)];
function shuffle(arr) {
  // ok: js-weak-random-token
  return arr.sort(() => Math.random() - 0.5);
}
// ok: js-weak-random-token
const elementId = "tooltip-" + Math.random().toString(36).slice(2);
function makeToken() {
  // ok: js-weak-random-token
  return crypto.randomBytes(32).toString("hex");
}

function newMfaCode() {
  // ruleid: js-weak-random-token
  return String(Math.floor(Math.random() * 1000000)).padStart(6, "0");
}

function invitationCode() {
  let value = "";
  // ruleid: js-weak-random-token
  while (value.length < 12) value += Math.random().toString(36).slice(2);
  return value.slice(0, 12);
}

function shuffleDelayMs() {
  let total = 0;
  // ok: js-weak-random-token
  total += Math.random() * 100;
  return total;
}
