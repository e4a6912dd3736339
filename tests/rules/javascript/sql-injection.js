const express = require("express");
const mysql = require("mysql");
const { Pool } = require("pg");
const { MongoClient, ObjectId } = require("mongodb");
const router = express.Router();
const connection = mysql.createConnection({ host: "localhost" });
const pool = new Pool();

router.get("/users/:id", (req, res) => {
  // ruleid: js-sql-injection
  connection.query("SELECT * FROM users WHERE id = " + req.params.id, (err, rows) => {
    res.json(rows);
  });
});

router.get("/search", async (req, res) => {
  const { name, sort } = req.query;
  const sql = `SELECT * FROM products WHERE name LIKE '%${name}%' ORDER BY ${sort}`;
  // ruleid: js-sql-injection
  const result = await pool.query(sql);
  res.json(result.rows);
});

function findUser(db, email) {
  let q = "SELECT * FROM users WHERE email = '";
  q += email + "'";
  return q;
}

router.post("/login", async (req, res) => {
  const email = req.body.email;
  const sql = findUser(null, email);
  // ruleid: js-sql-injection
  const [rows] = await req.app.locals.db.execute(sql);
  res.json(rows);
});

router.get("/orders", async (req, res) => {
  // ruleid: js-sql-injection
  const orders = await sequelize.query("SELECT * FROM orders WHERE status = '" + req.query.status + "'", {
    type: QueryTypes.SELECT,
  });
  // ruleid: js-sql-injection
  const items = await knex("items").whereRaw(`owner = '${req.query.owner}'`);
  // ruleid: js-sql-injection
  const more = await knex.raw("select * from items where sku = '" + req.query.sku + "'");
  res.json({ orders, items, more });
});

async function typeormHandler(req, res) {
  const repo = AppDataSource.getRepository(User);
  // ruleid: js-sql-injection
  const users = await repo.query(`SELECT * FROM "user" WHERE "role" = '${req.body.role}'`);
  // ruleid: js-sql-injection
  const others = await prisma.$queryRawUnsafe(`SELECT * FROM account WHERE tier = ${req.body.tier}`);
  res.send(users.concat(others));
}

exports.handler = async (event) => {
  const id = event.queryStringParameters.id;
  // ruleid: js-sql-injection
  const res = await client.query("DELETE FROM sessions WHERE id = " + id);
  return { statusCode: 200, body: JSON.stringify(res.rowCount) };
};

db.serialize(() => {
  const name = process.argv[2];
  // ruleid: js-sql-injection
  db.all("SELECT * FROM logs WHERE name = '" + name + "'", (err, rows) => console.log(rows));
});

// ---------- safe ----------
router.get("/safe/users/:id", (req, res) => {
  // ok: js-sql-injection
  connection.query("SELECT * FROM users WHERE id = ?", [req.params.id], (err, rows) => res.json(rows));
});

router.get("/safe/search", async (req, res) => {
  // ok: js-sql-injection
  const result = await pool.query("SELECT * FROM products WHERE name = $1", [req.query.name]);
  const limit = parseInt(req.query.limit, 10) || 10;
  // ok: js-sql-injection
  const page = await pool.query(`SELECT * FROM products LIMIT ${limit}`);
  // ok: js-sql-injection
  const esc = await pool.query("SELECT * FROM t WHERE name = " + connection.escape(req.query.name));
  res.json([result.rows, page.rows, esc.rows]);
});

router.get("/safe/orders", async (req, res) => {
  // ok: js-sql-injection
  const orders = await sequelize.query("SELECT * FROM orders WHERE status = :status", {
    replacements: { status: req.query.status },
  });
  // ok: js-sql-injection
  const items = await knex("items").whereRaw("owner = ?", [req.query.owner]);
  // ok: js-sql-injection
  const rows = await prisma.$queryRaw`SELECT * FROM account WHERE tier = ${req.query.tier}`;
  // ok: js-sql-injection
  const data = await apolloClient.query({ query: GET_USER, variables: { id: req.query.id } });
  // ok: js-sql-injection
  const cached = cache.get(req.query.key);
  // ok: js-sql-injection
  const t = await pool.query(sql`SELECT * FROM t WHERE id = ${req.query.id}`);
  res.json({ orders, items, rows, data, cached, t });
});

router.get("/safe/static", async (req, res) => {
  const table = "users";
  // ok: js-sql-injection
  const rows = await pool.query("SELECT count(*) FROM " + table);
  res.json(rows);
});

// ---------- NoSQL ----------
router.get("/mongo/where", async (req, res) => {
  const users = db.collection("users");
  // ruleid: js-nosql-where-injection
  const found = await users.find({ $where: "this.name == '" + req.query.name + "'" }).toArray();
  const minAge = req.query.age;
  // ruleid: js-nosql-where-injection
  const old = await User.find().$where(`this.age > ${minAge}`);
  // ok: js-nosql-where-injection
  const safe = await users.find({ $where: "this.age > 18" }).toArray();
  // ok: js-nosql-where-injection
  const eq = await users.find({ name: { $eq: String(req.query.name) } }).toArray();
  res.json({ found, old, safe, eq });
});

router.post("/mongo/login", async (req, res) => {
  // ruleid: js-nosql-operator-injection
  const user = await User.findOne({ username: req.body.username, password: req.body.password });
  const { email } = req.body;
  // ruleid: js-nosql-operator-injection
  const acct = await db.collection("accounts").findOne({ email: email });
  const filter = req.query.status;
  // ruleid: js-nosql-operator-injection
  await Order.deleteMany({ status: filter });
  res.json({ user, acct });
});

router.post("/mongo/safe-login", async (req, res) => {
  // ok: js-nosql-operator-injection
  const user = await User.findOne({ username: String(req.body.username) });
  // ok: js-nosql-operator-injection
  const byId = await User.findOne({ _id: new ObjectId(req.params.id) });
  // ok: js-nosql-operator-injection
  const eq = await User.findOne({ email: { $eq: req.body.email } });
  // ok: js-nosql-operator-injection
  const tpl = await User.findOne({ email: `${req.body.email}` });
  // ok: js-nosql-operator-injection
  const p = await User.findOne({ slug: req.params.slug });
  res.json({ user, byId, eq, tpl, p });
});

router.get("/stock/low", async (req, res) => {
  const threshold = Number.parseInt(req.query.threshold, 10) || 5;
  // ok: js-nosql-where-injection
  const docs = await items.find({ $where: `this.qty < ${threshold}` }).toArray();
  res.json(docs);
});
