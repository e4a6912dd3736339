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

// ruleid: js-hardcoded-db-password
mongoose.connect("mongodb://admin:P4ssw0rd@mongo.internal:27017/app");

// ok: js-hardcoded-db-password
const conn2 = mysql.createConnection({ host: process.env.DB_HOST, user: "app", password: process.env.DB_PASSWORD });
// ok: js-hardcoded-db-password
const pool2 = new Pool({ host: "localhost", user: "postgres", password: "" });
// ok: js-hardcoded-db-password
mongoose.connect("mongodb://localhost:27017/app");
