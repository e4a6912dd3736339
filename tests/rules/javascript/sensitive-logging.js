const pino = require("pino");
const logger = pino();
const redacted = pino({ redact: ["headers.authorization", "body.password"] });

router.post("/login", async (req, res) => {
  const { email, password } = req.body;
  // ruleid: js-sensitive-data-logged
  logger.info(`login attempt ${email} / ${password}`);
  const token = await issueToken(email);
  // ruleid: js-sensitive-data-logged
  console.log("issued token", token);
  // ok: js-sensitive-data-logged
  logger.info({ email }, "login ok");
  res.json({ token });
});

router.post("/reset", (req, res) => {
  // ruleid: js-sensitive-data-logged
  logger.info({ headers: req.headers }, "reset requested");
  // ok: js-sensitive-data-logged
  redacted.info({ headers: req.headers, body: req.body }, "reset requested");
  res.sendStatus(202);
});

function charge(card) {
  // ruleid: js-sensitive-data-logged
  console.info(`charging card ${card.cardNumber} cvc ${card.cvc}`);
  // ok: js-sensitive-data-logged
  console.info(`charging card ****${card.cardNumber.slice(-4)}`);
}

function connectFailed(err, dbConfig) {
  // ruleid: js-sensitive-data-logged
  console.error("db connection failed", dbConfig, err.message);
  // ok: js-sensitive-data-logged
  console.error("db connection failed", { host: dbConfig.host }, err.message);
}

function passwordChanged(user) {
  // ok: js-sensitive-data-logged
  logger.info(`password changed for user ${user.id}`);
}
