const jwt = require("jsonwebtoken");
const session = require("express-session");
const mysql = require("mysql2");
const { Pool } = require("pg");

function login(user) {
  // ruleid: js-jwt-hardcoded-secret
  return jwt.sign({ id: user.id }, "s3cr3t-key-123", { expiresIn: "1h" });
}

// ruleid: js-jwt-hardcoded-secret
const JWT_SECRET = process.env.JWT_SECRET || "dev-secret-change-me";

app.use(
  // ruleid: js-jwt-hardcoded-secret
  session({ secret: "keyboard cat", resave: false, saveUninitialized: false })
);

function verify(token) {
  // ruleid: js-jwt-hardcoded-secret
  return jwt.verify(token, "s3cr3t-key-123");
}

// ok: js-jwt-hardcoded-secret
const token = jwt.sign({ id: 1 }, process.env.JWT_SECRET, { expiresIn: "1h" });
// ok: js-jwt-hardcoded-secret
app.use(session({ secret: process.env.SESSION_SECRET, resave: false }));

// ruleid: js-hardcoded-db-password
const connection = mysql.createConnection({ host: "db.prod.local", user: "app", password: "Sup3rS3cret!", database: "shop" });

// ruleid: js-hardcoded-db-password
const pool = new Pool({
  host: "localhost",
  user: "postgres",
  password: "hunter2hunter2",
});

// ruleid: js-hardcoded-db-password, js-hardcoded-credentials-in-url
mongoose.connect("mongodb://admin:P4ssw0rd@mongo.internal:27017/app");

// ok: js-hardcoded-db-password
const conn2 = mysql.createConnection({ host: process.env.DB_HOST, user: "app", password: process.env.DB_PASSWORD });
// ok: js-hardcoded-db-password
const pool2 = new Pool({ host: "localhost", user: "postgres", password: "" });
// ok: js-hardcoded-db-password
mongoose.connect("mongodb://localhost:27017/app");

// --- credentials inside connection URLs ---
// ruleid: js-hardcoded-credentials-in-url
const cacheClient = createClient({ url: "redis://:Sup3r-S3cret-pw@cache.internal:6379/0" });
// ruleid: js-hardcoded-credentials-in-url
const amqpUrl = "amqp://worker:w0rker-pa55@mq.internal:5672/jobs";
// ok: js-hardcoded-credentials-in-url
const cacheClient2 = createClient({ url: "redis://cache.internal:6379/0" });
// ok: js-hardcoded-credentials-in-url
const cacheClient3 = createClient({ url: process.env.REDIS_URL });
// ok: js-hardcoded-credentials-in-url
const docsExample = "postgres://user:${PASSWORD}@db.internal/app";

// --- literal bearer tokens / API keys in headers ---
// ruleid: js-hardcoded-authorization-header
const crm = axios.create({ baseURL: "https://crm.example.com", headers: { Authorization: "Bearer 3f9a0c1d2e7b4a5968c0d1e2f3a4b5c6d7e8f9a0" } });
// ruleid: js-hardcoded-authorization-header
const search = got.extend({ headers: { "x-api-key": "sk_live_4c7d2a9e1f0b3c5d6e7f8a9b" } });
// ok: js-hardcoded-authorization-header
const crm2 = axios.create({ headers: { Authorization: `Bearer ${process.env.CRM_TOKEN}` } });
// ok: js-hardcoded-authorization-header
const anon = { Authorization: "Bearer" };

// --- NestJS JwtModule ---
@Module({
  // ruleid: js-jwt-hardcoded-secret
  imports: [JwtModule.register({ secret: "portal-signing-secret-value", signOptions: { expiresIn: "1h" } })],
})
class PortalModule {}

@Module({
  // ok: js-jwt-hardcoded-secret
  imports: [JwtModule.register({ secret: process.env.PORTAL_JWT_SECRET })],
})
class PortalModuleV2 {}
