'use strict';

const express = require('express');
const mysql = require('mysql2/promise');

const pool = mysql.createPool({
  host: process.env.DB_HOST,
  user: process.env.DB_USER,
  password: process.env.DB_PASSWORD,
  database: 'shop',
  connectionLimit: 10,
});

const router = express.Router();

const SORTABLE_COLUMNS = {
  date: 'created_at',
  total: 'total_cents',
  status: 'status',
};

// GET /orders?customerId=42
router.get('/orders', async (req, res, next) => {
  try {
    const [rows] = await pool.query(`SELECT id, status, total_cents FROM orders WHERE customer_id = ${req.query.customerId}`); // VULN: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

// GET /orders/:id
router.get('/orders/:id', async (req, res, next) => {
  try {
    const [rows] = await pool.execute('SELECT * FROM orders WHERE id = ? AND customer_id = ?', [req.params.id, req.user.customerId]); // SAFE: sql-injection
    if (!rows.length) return res.sendStatus(404);
    res.json(rows[0]);
  } catch (err) {
    next(err);
  }
});

function buildSearchSql(status, sort) {
  let sql = 'SELECT id, status, total_cents, created_at FROM orders';
  if (status) {
    sql += " WHERE status = '" + status + "'";
  }
  sql += ' ORDER BY ' + sort;
  return sql;
}

// GET /orders/search?status=shipped&sort=created_at
router.get('/orders/search', async (req, res, next) => {
  try {
    const sql = buildSearchSql(req.query.status, req.query.sort || 'created_at');
    const [rows] = await pool.query(sql); // VULN: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

// GET /orders/recent?sort=total
router.get('/orders/recent', async (req, res, next) => {
  try {
    const column = SORTABLE_COLUMNS[req.query.sort] || 'created_at';
    const direction = req.query.dir === 'asc' ? 'ASC' : 'DESC';
    const [rows] = await pool.query(`SELECT id, status, total_cents FROM orders ORDER BY ${column} ${direction} LIMIT 50`); // SAFE: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

// POST /orders/:id/notes
router.post('/orders/:id/notes', async (req, res, next) => {
  try {
    const note = req.body.note;
    await pool.query('INSERT INTO order_notes (order_id, author_id, body) VALUES (?, ?, ?)', [req.params.id, req.user.id, note]); // SAFE: sql-injection
    res.status(201).end();
  } catch (err) {
    next(err);
  }
});

// DELETE /orders/bulk  body: { ids: "1,2,3" }
router.delete('/orders/bulk', async (req, res, next) => {
  try {
    const idList = req.body.ids;
    const statement = 'DELETE FROM orders WHERE status = \'draft\' AND id IN (' + idList + ')';
    await pool.query(statement); // VULN: sql-injection
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

module.exports = router;
