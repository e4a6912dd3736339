const fs = require("fs");
const winston = require("winston");
const pino = require("pino");

const fileLog = winston.createLogger({ transports: [new winston.transports.File({ filename: "app.log" })] });
const jsonLog = pino();

router.post("/login", async (req, res) => {
  const { username } = req.body;
  // ruleid: js-log-injection
  fileLog.warn("failed login for " + username);
  // ok: js-log-injection
  jsonLog.warn({ username }, "failed login");
  // ok: js-log-injection
  fileLog.warn("failed login for " + String(username).replace(/[\r\n]+/g, " "));
  // ok: js-log-injection
  fileLog.warn("failed login for " + stripNewlines(username));
  res.sendStatus(401);
});

router.get("/search", (req, res) => {
  // ruleid: js-log-injection
  console.log(`search: ${req.query.q}`);
  // ok: js-log-injection
  console.log(`search: ${JSON.stringify(String(req.query.q))}`);
  res.json([]);
});

router.post("/redeem", (req, res) => {
  const entry = `${new Date().toISOString()} redeem code=${req.body.code}\n`;
  // ruleid: js-log-injection
  fs.appendFileSync("/var/log/app/redeem.log", entry);
  // ok: js-log-injection
  fs.appendFileSync("/var/data/redeem.csv", entry);
  res.sendStatus(204);
});

router.delete("/orders/:id", (req, res) => {
  const id = Number.parseInt(req.params.id, 10);
  // ok: js-log-injection
  fileLog.info(`order ${id} deleted`);
  res.sendStatus(204);
});
